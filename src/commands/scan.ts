/**
 * `rdsguard scan PATH...`: templates -> model -> rules + policy -> reports. Each file is judged as soon as it is
 * parsed and its model dropped, so memory follows the findings, not the number of files.
 */
import { parseArgs } from "node:util";
import { Judge, loadRuleSet } from "../engine/report.js";
import type { ScanError } from "../engine/types.js";
import { parseIsoDate } from "../policy/dates.js";
import { scanCloudAssembly, separateCloudAssemblies } from "../scanners/cdk/index.js";
import {
  DEFAULT_MAX_FILE_SIZE,
  discoverFiles,
  loadParameterFile,
  parseParameterFlag,
  scanTemplateFiles,
} from "../scanners/template/index.js";
import { appendAll } from "../util/append.js";
import { emitReport, OUTPUT_OPTIONS, OUTPUT_USAGE } from "./output.js";
import { describeBadParameterFlag } from "./parameter-flag.js";
import { POLICY_OPTIONS } from "./rule-set.js";

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

Policy options:
  --config FILE            policy file layered on rules.yaml (default: ./rdsguard.yaml when present)
  --plugin FILE            rule plugin (ES module exporting rules; repeatable), besides the policy's plugins
  --strict                 a verdict that cannot be determined counts as a failure
  --now DATE               judge expiry dates as of DATE (YYYY-MM-DD; default today)

${OUTPUT_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`rdsguard scan: ${(err as Error).message}\n\n${SCAN_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${SCAN_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(`rdsguard scan: give at least one PATH\n\n${SCAN_USAGE}\n`);
    return 2;
  }
  const startedAt = new Date();
  const nowMs = values.now === undefined ? startedAt.getTime() : parseIsoDate(values.now);
  if (nowMs === undefined) {
    process.stderr.write(`rdsguard scan: --now must be a date YYYY-MM-DD, got ${values.now}\n`);
    return 2;
  }
  const now = new Date(nowMs);
  const cwd = process.cwd();
  const errors: ScanError[] = [];

  const parameters: Record<string, string> = {};
  if (values.parameters) {
    const loaded = loadParameterFile(values.parameters);
    if (loaded.error) errors.push(loaded.error);
    Object.assign(parameters, loaded.values);
  }
  for (const flag of values.parameter ?? []) {
    const kv = parseParameterFlag(flag);
    if (!kv) {
      process.stderr.write(`rdsguard scan: --parameter takes KEY=VALUE; ${describeBadParameterFlag(flag)}\n`);
      return 2;
    }
    parameters[kv.key] = kv.value;
  }
  const maxFileSize = values["max-file-size"] ? Number(values["max-file-size"]) * 1024 * 1024 : DEFAULT_MAX_FILE_SIZE;
  if (!Number.isFinite(maxFileSize) || maxFileSize <= 0) {
    process.stderr.write("rdsguard scan: --max-file-size takes a number of megabytes\n");
    return 2;
  }

  const {
    policy,
    rules,
    errors: policyErrors,
  } = await loadRuleSet({ cwd, configPath: values.config, plugins: values.plugin });
  errors.push(...policyErrors);

  const { assemblies, others } = await separateCloudAssemblies(positionals, cwd);
  const discovered = others.length > 0 ? await discoverFiles(others, cwd) : { files: [], errors: [] };
  appendAll(errors, discovered.errors);

  const judge = new Judge({ policy, rules, strict: values.strict ?? false, now });
  appendAll(judge.errors, errors);
  const options = {
    parameters,
    maxFileSize,
    ...(values.region ? { region: values.region } : {}),
    ...(values["account-id"] ? { accountId: values["account-id"] } : {}),
    ...(values["stack-name"] ? { stackName: values["stack-name"] } : {}),
  };
  let filesScanned = discovered.files.length;
  for (const assembly of assemblies) {
    for await (const result of scanCloudAssembly(assembly, cwd, options)) {
      filesScanned++;
      if (result.error) judge.errors.push(result.error);
      if (result.model) judge.judge(result.model);
    }
  }
  for await (const result of scanTemplateFiles(discovered.files, cwd, options)) {
    if (result.error) judge.errors.push(result.error);
    if (result.model) judge.judge(result.model);
  }
  const report = judge.report({ kind: "template", startedAt, root: cwd }, { filesScanned });
  return emitReport(report, values);
}

function parse(argv: string[]) {
  return parseArgs({
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
      ...POLICY_OPTIONS,
      strict: { type: "boolean" },
      now: { type: "string" },
    },
  });
}
