/**
 * `rdsguard scan PATH...`: templates -> model -> rules + policy -> reports. Each file is judged as soon as it is
 * parsed and its model dropped, so memory follows the findings, not the number of files.
 */

import { FindingStore } from "../engine/finding-store.js";
import { gateRepoDir, loadGate } from "../engine/gate.js";
import { Judge } from "../engine/report.js";
import type { ScanError, ScanReport } from "../engine/types.js";
import { parseIsoDate } from "../policy/dates.js";
import { escapeControlCharacters } from "../reporters/control-characters.js";
import { allRules } from "../rules/index.js";
import { scanCloudAssembly, separateCloudAssemblies } from "../scanners/cdk/index.js";
import {
  DEFAULT_MAX_FILE_SIZE,
  discoverFiles,
  loadParameterFile,
  parseParameterFlag,
  scanTemplateFiles,
  scanTemplateText,
  type TemplateFileResult,
} from "../scanners/template/index.js";
import { appendAll } from "../util/append.js";
import { keepHeapTight } from "../util/heap.js";
import { closestName } from "../util/suggest.js";
import { parseCommandArgs, usageFailure } from "./args.js";
import { emitStoredReport, OUTPUT_OPTIONS, OUTPUT_USAGE, ProgressLine, showProgress } from "./output.js";
import { describeBadParameterFlag } from "./parameter-flag.js";
import { chooseReportRoot, ROOT_USAGE } from "./report-root.js";
import { GATE_OPTIONS, GATE_USAGE, POLICY_OPTIONS } from "./rule-set.js";
import { autoJobs, type FileOutcome, MAX_JOBS, parseJobs, runScanPool } from "./scan-pool.js";

export const SCAN_USAGE = `Usage: rdsguard scan [options] PATH...

Scans CloudFormation templates (YAML or JSON, recognised by content) in files, directories and globs
(quote globs: 'infra/**/*.yaml'). Directories are walked, skipping node_modules, .git and cdk.out.
CDK: after 'cdk synth', name the cdk.out directory (or a directory that contains it) to read the cloud
assembly: every stack, nested stack and stage, with construct paths and stack names.

Template options:
  --parameters FILE        parameter values: CloudFormation CLI list or {"Parameters": {...}} form
  --parameter KEY=VALUE    a parameter value (repeatable; wins over --parameters)
  --region REGION          value of AWS::Region (otherwise unknown)
  --account-id ID          value of AWS::AccountId (otherwise unknown)
  --stack-name NAME        value of AWS::StackName (otherwise unknown)
  --max-file-size MB       larger files are reported, not read (default ${DEFAULT_MAX_FILE_SIZE / 1024 / 1024})
  --jobs N|auto            worker threads that read and judge template files (1..${MAX_JOBS}; default auto,
                           which is 1: measured, 2 jobs cost 1.5x the CPU on a shared 2-core machine);
                           reports are the same for any N. With plugins the scan runs in one job
${ROOT_USAGE}

Policy options:
  --config FILE            policy file layered on rules.yaml (default: ./rdsguard.yaml when present)
  --plugin FILE            rule plugin (ES module exporting rules; repeatable), besides the policy's plugins
${GATE_USAGE}
  --strict                 a verdict that cannot be determined counts as a failure
  --now DATE               judge expiry dates as of DATE (YYYY-MM-DD; default today)

${OUTPUT_USAGE}`;

/** What a program gives `scanTemplates` (the library API); the command line maps its flags onto it. */
export interface ScanTemplatesOptions {
  /** Directory that relative paths and --config are relative to (default: process.cwd()). */
  cwd?: string;
  /** Root that report paths and fingerprints are relative to (default: the git top-level of the first path, else cwd). */
  root?: string;
  /** Parameter values by name (as --parameter KEY=VALUE). */
  parameters?: Record<string, string>;
  /** A parameters file (as --parameters FILE); `parameters` win over it. */
  parametersFile?: string;
  region?: string;
  accountId?: string;
  stackName?: string;
  /** Bytes; larger files are reported, not read. */
  maxFileSize?: number;
  /** Policy file (default: ./rdsguard.yaml under cwd when present). */
  config?: string;
  /** Rule plugins (ES modules), besides the policy's own. */
  plugins?: string[];
  /** Run the plugins of a policy found in cwd (./rdsguard.yaml) that `config` does not name. */
  allowPlugins?: boolean;
  /** Read the policy and its plugins from this git ref, not the working tree (the gate: src/engine/gate.ts). */
  policyRef?: string;
  /** Report each weakening of the policy against this ref or file as a finding. */
  policyBase?: string;
  /** Report those findings as accepted. */
  allowPolicyChanges?: boolean;
  /** An undetermined verdict counts as a failure. */
  strict?: boolean;
  /** Judge expiry dates as of this date (default: now). */
  now?: Date;
  /** Warnings that are not errors of the report (e.g. a value for a parameter no template declares). */
  onWarning?: (message: string) => void;
  /** After each file: files done, files known so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads for template files (not cdk.out assemblies), or "auto" (the default): see scan-pool.ts. The
   * report is the same for any number. With plugins the scan runs in one job.
   */
  jobs?: number | "auto";
  /** Findings go here, not into the report's `findings` (the CLI: memory stays flat; src/engine/finding-store.ts). */
  findingStore?: FindingStore;
}

/**
 * Scans templates, directories, globs and cdk.out directories and returns the JSON report (docs/json-report.md).
 * Input problems are the report's `errors`, as on the command line (exit code 2 there); nothing throws for them.
 */
export async function scanTemplates(paths: string[], options: ScanTemplatesOptions = {}): Promise<ScanReport> {
  const startedAt = new Date();
  const now = options.now ?? startedAt;
  const cwd = options.cwd ?? process.cwd();
  const root = chooseReportRoot({ root: options.root, inputs: paths, cwd }).root;
  const errors: ScanError[] = [];
  const parameters: Record<string, string> = {};
  if (options.parametersFile) {
    const loaded = loadParameterFile(options.parametersFile);
    if (loaded.error) errors.push(loaded.error);
    Object.assign(parameters, loaded.values);
  }
  Object.assign(parameters, options.parameters ?? {});

  const gate = await loadGate({
    cwd,
    root,
    ...(options.config !== undefined ? { configPath: options.config } : {}),
    ...(options.plugins !== undefined ? { plugins: options.plugins } : {}),
    allowPlugins: options.allowPlugins ?? false,
    ...(options.policyRef !== undefined ? { policyRef: options.policyRef } : {}),
    ...(options.policyBase !== undefined ? { policyBase: options.policyBase } : {}),
    allowPolicyChanges: options.allowPolicyChanges ?? false,
    repoDir: gateRepoDir(paths, cwd),
  });
  const { policy, rules } = gate;
  errors.push(...gate.errors);

  const { assemblies, others } = await separateCloudAssemblies(paths, cwd);
  const discovered =
    others.length > 0 ? await discoverFiles(others, cwd, root) : { files: [], errors: [], named: new Set<string>() };
  appendAll(errors, discovered.errors);

  const judge = new Judge({
    policy,
    rules,
    strict: options.strict ?? false,
    now,
    ...(options.findingStore ? { store: options.findingStore } : {}),
  });
  appendAll(judge.errors, errors);
  const scanOptions = {
    parameters,
    maxFileSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
    ...(options.region ? { region: options.region } : {}),
    ...(options.accountId ? { accountId: options.accountId } : {}),
    ...(options.stackName ? { stackName: options.stackName } : {}),
  };
  let filesScanned = discovered.files.length;
  let done = 0;
  const declared = new Set<string>();
  /** What a file gives besides its judgement, whether it was judged here or by a worker. */
  const takeInputs = (result: TemplateFileResult | FileOutcome) => {
    if (result.error) judge.errors.push(result.error);
    if (result.parameterErrors) judge.errors.push(...result.parameterErrors);
    for (const name of result.declaredParameters ?? []) declared.add(name);
  };
  const take = (result: TemplateFileResult) => {
    takeInputs(result);
    if (result.model) judge.judge(result.model);
    options.onProgress?.(++done, filesScanned);
  };
  /** The same as take(), for a file a worker judged. */
  const takeJudged = (outcome: FileOutcome) => {
    takeInputs(outcome);
    if (outcome.findings) {
      judge.absorb({
        findings: outcome.findings,
        errors: outcome.errors ?? [],
        resources: outcome.resources ?? 0,
        templatesWithDatabases: outcome.templatesWithDatabases ?? 0,
      });
    }
    options.onProgress?.(++done, filesScanned);
  };
  for (const assembly of assemblies) {
    for await (const result of scanCloudAssembly(assembly, root, scanOptions)) {
      filesScanned++;
      take(result);
    }
  }
  const files = discovered.files;
  let inProcess = 0;
  const jobs = options.jobs === undefined || options.jobs === "auto" ? autoJobs(files.length) : options.jobs;
  // Plugin rules run in a worker of their own, with one time budget for the run and whatever state they keep: the
  // pool's workers build only the built-in and the policy's own rules, so with plugins the scan stays in one job.
  const withPlugins = rules.length !== allRules.length + policy.customRules.length;
  if (jobs > 1 && withPlugins && typeof options.jobs === "number") {
    options.onWarning?.(`--jobs ${options.jobs} is not used with plugins: the scan runs in one job`);
  }
  if (jobs > 1 && !withPlugins && files.length > 1) {
    const pooled = await runScanPool({
      jobs,
      files,
      named: discovered.named,
      root,
      scan: scanOptions,
      policy,
      strict: options.strict ?? false,
      now,
      declared: Object.keys(parameters).length > 0,
      onFile: (outcome) => takeJudged(outcome),
    });
    inProcess = pooled.next;
    if (pooled.unavailable) {
      options.onWarning?.(`worker threads are unavailable (${pooled.unavailable}); the scan goes on in one job`);
    }
  }
  for await (const result of scanTemplateFiles(files.slice(inProcess), root, {
    ...scanOptions,
    named: discovered.named,
  }))
    take(result);
  // A value for a parameter no scanned template declares is most likely a typo: CloudFormation would reject it.
  for (const key of Object.keys(parameters)) {
    if (declared.has(key)) continue;
    const near = closestName(key, declared);
    options.onWarning?.(
      `parameter ${key} is given a value but no scanned template declares it${near ? ` (did you mean ${near}?)` : ""}`,
    );
  }
  const waived = gate.newInlineWaivers(judge.inlineWaivedFindings(), {
    strict: options.strict ?? false,
    now,
    root,
    modelOf: (text, file) => scanTemplateText(text, file, scanOptions).model,
  });
  judge.addFindings(gate.findings);
  judge.addFindings(waived);
  const report = judge.report({ kind: "template", startedAt, root }, { filesScanned });
  report.rules.push(...gate.gateRules.map((r) => r.meta));
  return report;
}

export async function run(argv: string[]): Promise<number> {
  keepHeapTight();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(usageFailure("scan", (err as Error).message));
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${SCAN_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(usageFailure("scan", "give at least one PATH"));
    return 2;
  }
  const nowMs = values.now === undefined ? Date.now() : parseIsoDate(values.now);
  if (nowMs === undefined) {
    process.stderr.write(`rdsguard scan: --now must be a date YYYY-MM-DD, got ${values.now}\n`);
    return 2;
  }
  let root: string;
  try {
    root = chooseReportRoot({ root: values.root, inputs: positionals, cwd: process.cwd() }).root;
  } catch (err) {
    process.stderr.write(`rdsguard scan: ${(err as Error).message}
`);
    return 2;
  }
  const parameters: Record<string, string> = {};
  for (const flag of values.parameter ?? []) {
    const kv = parseParameterFlag(flag);
    if (!kv) {
      process.stderr.write(`rdsguard scan: --parameter takes KEY=VALUE; ${describeBadParameterFlag(flag)}\n`);
      return 2;
    }
    parameters[kv.key] = kv.value;
  }
  const jobs = values.jobs === undefined ? "auto" : parseJobs(values.jobs);
  if (jobs === undefined) {
    process.stderr.write(
      usageFailure(
        "scan",
        `--jobs takes a whole number from 1 to ${MAX_JOBS} or 'auto', got '${escapeControlCharacters(values.jobs ?? "")}'`,
      ),
    );
    return 2;
  }
  const maxFileSize = values["max-file-size"] ? Number(values["max-file-size"]) * 1024 * 1024 : DEFAULT_MAX_FILE_SIZE;
  if (!Number.isFinite(maxFileSize) || maxFileSize <= 0) {
    process.stderr.write("rdsguard scan: --max-file-size takes a number of megabytes\n");
    return 2;
  }
  const progress = showProgress(process.stderr, process.env, values.quiet)
    ? new ProgressLine(process.stderr)
    : undefined;
  const startedMs = Date.now();
  const store = new FindingStore();
  const report = await scanTemplates(positionals, {
    findingStore: store,
    root,
    parameters,
    maxFileSize,
    jobs,
    now: new Date(nowMs),
    strict: values.strict ?? false,
    ...(values.parameters ? { parametersFile: values.parameters } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values["account-id"] ? { accountId: values["account-id"] } : {}),
    ...(values["stack-name"] ? { stackName: values["stack-name"] } : {}),
    ...(values.config ? { config: values.config } : {}),
    ...(values.plugin ? { plugins: values.plugin } : {}),
    allowPlugins: values["allow-plugins"] ?? false,
    ...(values["policy-ref"] !== undefined ? { policyRef: values["policy-ref"] } : {}),
    ...(values["policy-base"] !== undefined ? { policyBase: values["policy-base"] } : {}),
    allowPolicyChanges: values["allow-policy-changes"] ?? false,
    onWarning: (message) => {
      progress?.clear();
      process.stderr.write(`rdsguard scan: warning: ${message}\n`);
    },
    ...(progress
      ? {
          onProgress: (done: number, total: number) => {
            const seconds = (Date.now() - startedMs) / 1000;
            // Only worth showing when a scan takes a while.
            if (seconds < 0.5) return;
            progress.update(`rdsguard scan: ${done}/${total} files, ${Math.round(done / seconds)} files/s`);
          },
        }
      : {}),
  });
  progress?.clear();
  try {
    return await emitStoredReport(report, store, values);
  } finally {
    store.close();
  }
}

function parse(argv: string[]) {
  return parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...OUTPUT_OPTIONS,
      help: { type: "boolean", short: "h" },
      parameters: { type: "string" },
      parameter: { type: "string", multiple: true },
      region: { type: "string" },
      "account-id": { type: "string" },
      "stack-name": { type: "string" },
      "max-file-size": { type: "string" },
      jobs: { type: "string" },
      root: { type: "string" },
      ...POLICY_OPTIONS,
      ...GATE_OPTIONS,
      strict: { type: "boolean" },
      now: { type: "string" },
    },
  });
}
