/**
 * `rdsguard audit`: live RDS/Aurora state of one or many accounts and regions -> the same model the template
 * scanner builds -> the same rules, policy and reporters. Read-only: only Describe/List/Get calls are sent.
 * A region or account that cannot be read is reported (stderr and the report) and the rest goes on.
 */
import { resolve } from "node:path";
import { FindingStore } from "../engine/finding-store.js";
import { gateOptions, loadGate } from "../engine/gate.js";
import { Judge } from "../engine/report.js";
import { DEPLOYED_TEMPLATES_DIR, type ScanError, type ScanReport } from "../engine/types.js";
import type { Model } from "../model/types.js";
import { parseIsoDate } from "../policy/dates.js";
import { parseMaxAge } from "../scanners/live/config.js";
import type { LiveProgress } from "../scanners/live/index.js";
import { scanTemplateText } from "../scanners/template/index.js";
import { appendAll } from "../util/append.js";
import { keepHeapTight } from "../util/heap.js";
import { parseCommandArgs, usageFailure } from "./args.js";
import {
  emitStoredReport,
  OUTPUT_OPTIONS,
  OUTPUT_USAGE,
  type OutputSettings,
  ProgressLine,
  parseOutputOptions,
  showProgress,
  textOnStandardOutput,
} from "./output.js";
import { chooseReportRoot, ROOT_USAGE } from "./report-root.js";
import { GATE_OPTIONS, GATE_USAGE, POLICY_OPTIONS, ruleSetOptions } from "./rule-set.js";

export const AUDIT_USAGE = `Usage: rdsguard audit [options]

Reads RDS and Aurora state (DB clusters, DB instances, global clusters, CA certificates, KMS keys) with
read-only API calls and judges it with the same rules as 'rdsguard scan'. Credentials come from the AWS
SDK default chain (environment, SSO, profile, container or instance role) or --profile.

Source:
  --source describe|config  'describe' (default) calls RDS, KMS and STS in each account and region;
                           'config' reads every account and region an AWS Config aggregator collects
                           with a few paged advanced queries (see docs/audit.md)
  --aggregator NAME        the configuration aggregator (with --source config)
  --region REGION          the aggregator's home region (with --source config; default: AWS_REGION or
                           the profile's region)
  --max-age DURATION       with --source config: items captured longer ago than DURATION (e.g. 36h, 7d)
                           are an error for their account and region, which are then not judged
  --describe-certificates  with --source config: also call rds:DescribeCertificates once per region for
                           the CAs' validity dates (default: rdsguard's CA table)

Scope:
  --profile NAME           named profile for credentials and the default region
  --regions LIST|all       comma-separated regions, or 'all' enabled regions (default: AWS_REGION or the
                           profile's region)
  --role-arn ARN           role to assume in each account; '{account}' is replaced by each of --accounts
  --accounts LIST          comma-separated account ids (needs --role-arn, or filters --source config)
  --external-id ID         external id for AssumeRole
  --session-name NAME      role session name (default rdsguard-audit)

Behaviour:
  --concurrency N          account x region scans at once (default 4)
  --timeout MS             timeout of each API call attempt in milliseconds (default 10000)
  --max-attempts N         attempts per call, adaptive retry on throttling (default 5)
  --endpoint-url URL       send every API call to URL (local endpoints and tests)
  -v, --verbose            also log each API call (service, operation, account, region) on stderr

Templates:
  --templates              also scan the deployed templates (GetTemplate) of stacks that own RDS resources
  --stack-template STACK=PATH
                           point live findings of stack STACK at template PATH (repeatable; also the policy
                           file's stackTemplates; PATH is relative to the working directory, the policy's
                           paths to the report root)
${ROOT_USAGE}

Policy options:
  --config FILE            policy file layered on rules.yaml (default: ./rdsguard.yaml when present)
  --plugin FILE            rule plugin (ES module exporting rules; repeatable), besides the policy's plugins
${GATE_USAGE}
  --strict                 a verdict that cannot be determined counts as a failure
  --now DATE               judge expiry dates as of DATE (YYYY-MM-DD; default today)

${OUTPUT_USAGE}

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, configuration or AWS errors
(an unreadable account or region is an error; the report is still written).`;

const DEFAULTS = { concurrency: 4, timeoutMs: 10_000, maxAttempts: 5 };
const ACCOUNT_ID = /^\d{12}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function parse(argv: string[]) {
  return parseCommandArgs({
    args: argv,
    allowPositionals: false,
    options: {
      ...OUTPUT_OPTIONS,
      help: { type: "boolean", short: "h" },
      source: { type: "string" },
      aggregator: { type: "string" },
      region: { type: "string" },
      "max-age": { type: "string" },
      "describe-certificates": { type: "boolean" },
      profile: { type: "string" },
      regions: { type: "string" },
      "role-arn": { type: "string" },
      accounts: { type: "string" },
      "external-id": { type: "string" },
      "session-name": { type: "string" },
      concurrency: { type: "string" },
      timeout: { type: "string" },
      "max-attempts": { type: "string" },
      "endpoint-url": { type: "string" },
      templates: { type: "boolean" },
      "stack-template": { type: "string", multiple: true },
      root: { type: "string" },
      ...POLICY_OPTIONS,
      ...GATE_OPTIONS,
      strict: { type: "boolean" },
      now: { type: "string" },
    },
  });
}

type Values = ReturnType<typeof parse>["values"];

class UsageError extends Error {}

function positiveInt(value: string | undefined, name: string, def: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} takes a positive integer, got '${value}'`);
  return n;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export interface AuditSettings {
  source: "describe" | "config";
  aggregator?: string;
  maxAgeMs?: number;
  regions?: string[] | "all";
  roleArn?: string;
  accounts?: string[];
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  stackTemplates: Record<string, string>;
  now?: Date;
}

/** Checks the flags that do not need AWS; throws UsageError with a message for the user. */
export function auditSettings(values: Values): AuditSettings {
  const settings: AuditSettings = {
    source: "describe",
    concurrency: positiveInt(values.concurrency, "--concurrency", DEFAULTS.concurrency),
    timeoutMs: positiveInt(values.timeout, "--timeout", DEFAULTS.timeoutMs),
    maxAttempts: positiveInt(values["max-attempts"], "--max-attempts", DEFAULTS.maxAttempts),
    stackTemplates: {},
  };
  if (values.regions !== undefined) {
    if (values.regions.trim() === "all") settings.regions = "all";
    else {
      const regions = list(values.regions) ?? [];
      if (regions.length === 0) throw new UsageError("--regions takes a comma-separated list of regions, or 'all'");
      const bad = regions.filter((r) => !REGION_NAME.test(r));
      if (bad.length > 0) throw new UsageError(`--regions: not a region name: ${bad.join(", ")}`);
      settings.regions = [...new Set(regions)];
    }
  }
  if (values.source !== undefined && values.source !== "describe" && values.source !== "config")
    throw new UsageError(`--source takes 'describe' or 'config', got '${values.source}'`);
  const config = values.source === "config";
  if (config) {
    settings.source = "config";
    if (!values.aggregator)
      throw new UsageError("--source config needs --aggregator NAME (the configuration aggregator)");
    if (!/^[\w-]{1,256}$/.test(values.aggregator))
      throw new UsageError(
        `--aggregator takes an aggregator name (letters, digits, '-', '_'), got '${values.aggregator}'`,
      );
    settings.aggregator = values.aggregator;
    for (const flag of ["role-arn", "external-id", "templates", "stack-template"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to --source config`);
    if (settings.regions === "all")
      throw new UsageError("--regions all does not apply to --source config (all is the default)");
    if (values["max-age"] !== undefined) {
      const ms = parseMaxAge(values["max-age"]);
      if (ms === undefined)
        throw new UsageError(`--max-age takes a duration such as 36h or 7d, got '${values["max-age"]}'`);
      settings.maxAgeMs = ms;
    }
  } else {
    for (const flag of ["aggregator", "region", "max-age", "describe-certificates"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --source config`);
  }
  const accounts = list(values.accounts);
  if (accounts !== undefined) {
    if (!values["role-arn"] && !config)
      throw new UsageError("--accounts needs --role-arn (the role to assume in each account)");
    const bad = accounts.filter((a) => !ACCOUNT_ID.test(a));
    if (bad.length > 0 || accounts.length === 0)
      throw new UsageError(`--accounts takes 12-digit account ids, got: ${bad.join(", ") || "nothing"}`);
    settings.accounts = [...new Set(accounts)];
  }
  if (values["role-arn"] !== undefined) {
    const roleArn = values["role-arn"];
    if (!/^arn:aws[a-z-]*:iam::(\d{12}|\{account\}):role\/.+/.test(roleArn))
      throw new UsageError(`--role-arn must be an IAM role ARN (arn:aws:iam::{account}:role/NAME), got '${roleArn}'`);
    if (roleArn.includes("{account}") && !settings.accounts)
      throw new UsageError("--role-arn contains {account}: give the accounts with --accounts");
    if (settings.accounts && settings.accounts.length > 1 && !roleArn.includes("{account}"))
      throw new UsageError("--role-arn must contain {account} when --accounts names more than one account");
    settings.roleArn = roleArn;
  }
  if (values["external-id"] !== undefined && !values["role-arn"])
    throw new UsageError("--external-id needs --role-arn");
  if (values["endpoint-url"] !== undefined && !/^https?:\/\/[^\s]+$/.test(values["endpoint-url"]))
    throw new UsageError(`--endpoint-url must be an http(s) URL, got '${values["endpoint-url"]}'`);
  for (const flag of values["stack-template"] ?? []) {
    const eq = flag.indexOf("=");
    if (eq <= 0 || eq === flag.length - 1) throw new UsageError(`--stack-template takes STACK=PATH, got '${flag}'`);
    settings.stackTemplates[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  if (values.now !== undefined) {
    const nowMs = parseIsoDate(values.now);
    if (nowMs === undefined) throw new UsageError(`--now must be a date YYYY-MM-DD, got ${values.now}`);
    settings.now = new Date(nowMs);
  }
  return settings;
}

function errorLine(e: ScanError): string {
  const where = [e.account ? `account ${e.account}` : "", e.region ? `region ${e.region}` : "", e.file ?? ""]
    .filter((s) => s !== "")
    .join(" ");
  return `rdsguard audit: error${where ? ` (${where})` : ""}: ${e.message}\n`;
}

/** One status line, redrawn in place; only on a terminal. */
function progressLine(p: LiveProgress): string {
  return `rdsguard audit: accounts ${p.accountsDone}/${p.accountsTotal}, regions ${p.targetsDone}/${p.targetsTotal}, resources ${p.resources}`;
}

export async function run(argv: string[]): Promise<number> {
  keepHeapTight();
  let values: Values;
  let settings: AuditSettings;
  let output: OutputSettings;
  try {
    values = parse(argv).values;
    if (values.help) {
      process.stdout.write(`${AUDIT_USAGE}\n`);
      return 0;
    }
    settings = auditSettings(values);
    // Fail on a bad output option before spending API calls.
    output = parseOutputOptions(values);
  } catch (err) {
    process.stderr.write(usageFailure("audit", (err as Error).message));
    return 2;
  }
  // The output step lists the report's errors on stderr unless the text view goes to stdout (it lists them
  // there); in that case say them here, as they happen, so stderr always carries them.
  const textOnStdout = textOnStandardOutput(output.targets);
  const progress =
    showProgress(process.stderr, process.env, output.quiet) && !values.verbose
      ? new ProgressLine(process.stderr)
      : undefined;
  const store = new FindingStore();
  const report = await auditWith(values, settings, {
    store,
    onError: (e) => {
      progress?.clear();
      if (textOnStdout) process.stderr.write(errorLine(e));
    },
    ...(progress ? { onProgress: (p: LiveProgress) => progress.update(progressLine(p), true) } : {}),
    ...(values.verbose ? { log: (line: string) => void process.stderr.write(`rdsguard audit: ${line}\n`) } : {}),
    notice: (line) => void process.stderr.write(`rdsguard audit: ${line}\n`),
  });
  progress?.clear();
  try {
    if (typeof report === "string") {
      process.stderr.write(`rdsguard audit: ${report}\n`);
      return 2;
    }
    return await emitStoredReport(report, store, values);
  } finally {
    store.close();
  }
}

interface AuditHooks {
  /** Findings go here, not into the report's `findings` (the CLI: memory stays flat). */
  store?: FindingStore;
  onError?: (e: ScanError) => void;
  onProgress?: (p: LiveProgress) => void;
  log?: (line: string) => void;
  notice?: (line: string) => void;
}

/** The audit from checked flags to the report; a string is a reason the audit cannot start (no region). */
async function auditWith(values: Values, settings: AuditSettings, hooks: AuditHooks): Promise<ScanReport | string> {
  // The SDK warns on every run that future releases will need Node 22; this pinned release supports Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // The live scanner (and with it the AWS SDK) loads once the flags are checked: `audit --help` or a usage error
  // does not pay for it.
  const { attachStackTemplates, resolveDefaultRegion, scanConfig, scanLive } = await import(
    "../scanners/live/index.js"
  );

  const startedAt = new Date();
  const now = settings.now ?? startedAt;
  const cwd = process.cwd();
  let root: string;
  try {
    const firstMapped = Object.values(settings.stackTemplates)[0];
    root = chooseReportRoot({ root: values.root, inputs: firstMapped ? [firstMapped] : [], cwd }).root;
  } catch (err) {
    return (err as Error).message;
  }
  const errors: ScanError[] = [];
  const sayError = (e: ScanError) => hooks.onError?.(e);

  const gate = await loadGate({ cwd, root, ...ruleSetOptions(values), ...gateOptions(values) });
  const { policy, rules, errors: policyErrors } = gate;
  errors.push(...policyErrors);
  for (const e of policyErrors) sayError(e);

  let homeRegion: string | undefined =
    settings.source === "config" ? values.region : Array.isArray(settings.regions) ? settings.regions[0] : undefined;
  homeRegion ??= await resolveDefaultRegion(values.profile);
  if ((settings.regions === undefined || settings.source === "config") && homeRegion === undefined) {
    return settings.source === "config"
      ? "no region for the aggregator: give --region, set AWS_REGION, or configure a region for the profile"
      : "no region: give --regions, set AWS_REGION, or configure a region for the profile";
  }

  const common = {
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(values["endpoint-url"] !== undefined ? { endpointUrl: values["endpoint-url"] } : {}),
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    ...(hooks.log ? { log: hooks.log } : {}),
    onError: (e: ScanError) => sayError(e),
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
  };
  let oldestCapture: string | undefined;
  const live =
    settings.source === "config"
      ? await scanConfig({
          ...common,
          aggregator: settings.aggregator ?? "",
          homeRegion: homeRegion ?? "us-east-1",
          ...(Array.isArray(settings.regions) ? { regions: settings.regions } : {}),
          ...(settings.accounts !== undefined ? { accounts: settings.accounts } : {}),
          ...(settings.maxAgeMs !== undefined ? { maxAgeMs: settings.maxAgeMs } : {}),
          now,
          describeCertificates: values["describe-certificates"] ?? false,
        })
      : await scanLive({
          ...common,
          ...(settings.regions !== undefined ? { regions: settings.regions } : {}),
          ...(settings.roleArn !== undefined ? { roleArn: settings.roleArn } : {}),
          ...(settings.accounts !== undefined ? { accounts: settings.accounts } : {}),
          ...(values["external-id"] !== undefined ? { externalId: values["external-id"] } : {}),
          ...(values["session-name"] !== undefined ? { sessionName: values["session-name"] } : {}),
          ...(homeRegion !== undefined ? { homeRegion } : {}),
          deployedTemplates: values.templates ?? false,
        });
  if ("oldestCapture" in live && typeof live.oldestCapture === "string") oldestCapture = live.oldestCapture;
  appendAll(errors, live.errors);

  // Stable order whatever finished first. The scanner's list is emptied so each model can be let go once judged.
  const models: Model[] = live.models
    .splice(0)
    .sort((a, b) => (a.account ?? "").localeCompare(b.account ?? "") || (a.region ?? "").localeCompare(b.region ?? ""));

  // Paths in the policy file are repository paths (relative to the report root); --stack-template paths are
  // typed at the shell (relative to the working directory). Both end up shown relative to the report root.
  const stackTemplates: Record<string, string> = {};
  for (const [stack, file] of Object.entries(policy.stackTemplates)) stackTemplates[stack] = resolve(root, file);
  for (const [stack, file] of Object.entries(settings.stackTemplates)) stackTemplates[stack] = resolve(cwd, file);
  const mappingErrors = await attachStackTemplates(models, stackTemplates, root);
  for (const e of mappingErrors) sayError(e);
  errors.push(...mappingErrors);

  const judge = new Judge({
    policy,
    rules,
    strict: values.strict ?? false,
    now,
    ...(hooks.store ? { store: hooks.store } : {}),
  });
  appendAll(judge.errors, errors);
  // Its findings are in the judge (the store on the command line): a big organisation need not keep every account
  // and region's model to the end.
  // Popped from the end (shift() would move the whole list for every model), so the list is reversed first.
  models.reverse();
  for (let model = models.pop(); model !== undefined; model = models.pop()) judge.judge(model);

  for (const t of live.deployedTemplates) {
    const file = `${DEPLOYED_TEMPLATES_DIR}/${t.account}/${t.region}/${t.stackName}.template`;
    const result = scanTemplateText(t.body, file, { region: t.region, accountId: t.account, stackName: t.stackName });
    if (result.error) {
      const e = { ...result.error, account: t.account, region: t.region };
      sayError(e);
      judge.errors.push(e);
    }
    if (!result.model) continue;
    result.model.account = t.account;
    result.model.region = t.region;
    result.model.stackName = t.stackName;
    judge.judge(result.model);
  }
  judge.addFindings(gate.findings);
  const report = judge.report(
    { kind: "audit", startedAt, root },
    {
      filesScanned: live.deployedTemplates.length,
      apiCalls: live.apiCalls,
      ...(oldestCapture !== undefined ? { oldestCapture } : {}),
    },
  );
  if (oldestCapture !== undefined) hooks.notice?.(`AWS Config items judged were captured ${oldestCapture} or later`);
  report.rules.push(...gate.gateRules.map((r) => r.meta));
  return report;
}

/** What a program gives `audit` (the library API); the same settings as the command line's flags. */
export interface AuditOptions {
  /** Regions, or "all" enabled regions (default: AWS_REGION or the profile's region). */
  regions?: string[] | "all";
  profile?: string;
  /** Role to assume in each account; "{account}" is replaced by each of `accounts`. */
  roleArn?: string;
  accounts?: string[];
  externalId?: string;
  sessionName?: string;
  /** Send every API call to this URL (local endpoints and tests). */
  endpointUrl?: string;
  concurrency?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Also scan the deployed templates of stacks that own RDS resources. */
  templates?: boolean;
  /** Stack name -> template path, to point live findings at template lines. */
  stackTemplates?: Record<string, string>;
  config?: string;
  plugins?: string[];
  strict?: boolean;
  now?: Date;
  onError?: (e: ScanError) => void;
  onProgress?: (p: LiveProgress) => void;
}

/**
 * Audits live RDS/Aurora state with read-only calls and returns the JSON report (docs/json-report.md). Settings
 * that are wrong in themselves (a bad region name, accounts without a role) throw; what AWS refuses is in the
 * report's `errors`.
 */
export async function audit(options: AuditOptions = {}): Promise<ScanReport> {
  const values = {
    ...(options.regions !== undefined
      ? { regions: options.regions === "all" ? "all" : options.regions.join(",") }
      : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.roleArn !== undefined ? { "role-arn": options.roleArn } : {}),
    ...(options.accounts !== undefined ? { accounts: options.accounts.join(",") } : {}),
    ...(options.externalId !== undefined ? { "external-id": options.externalId } : {}),
    ...(options.sessionName !== undefined ? { "session-name": options.sessionName } : {}),
    ...(options.endpointUrl !== undefined ? { "endpoint-url": options.endpointUrl } : {}),
    ...(options.concurrency !== undefined ? { concurrency: String(options.concurrency) } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: String(options.timeoutMs) } : {}),
    ...(options.maxAttempts !== undefined ? { "max-attempts": String(options.maxAttempts) } : {}),
    ...(options.stackTemplates !== undefined
      ? { "stack-template": Object.entries(options.stackTemplates).map(([k, v]) => `${k}=${v}`) }
      : {}),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.plugins !== undefined ? { plugin: options.plugins } : {}),
    templates: options.templates ?? false,
    strict: options.strict ?? false,
  } as Values;
  const settings = auditSettings(values);
  if (options.now) settings.now = options.now;
  const report = await auditWith(values, settings, {
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (typeof report === "string") throw new Error(report);
  return report;
}
