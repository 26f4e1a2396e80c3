/**
 * What every reporter agrees on: which findings count, in what order they are shown, how a finding's place and
 * resource are named, and the project links. One place, so the formats never disagree with the exit code.
 */
import { withoutCitations } from "../engine/citations.js";
import { DEPLOYED_TEMPLATES_DIR, type Finding, type ScanError, type ScanReport } from "../engine/types.js";
import { RESOURCE_KIND_LABEL } from "../model/types.js";
import type { RuleMeta, Severity } from "../rules/types.js";
import { SEVERITIES } from "../rules/types.js";
import { PROJECT_URL } from "../version.js";

/** The project's home (package.json `repository`); rule documentation links are built from it and nothing else. */
export { PROJECT_URL };

export const RULES_DOC_URL = `${PROJECT_URL}/blob/main/docs/rules.md`;

/** Anchor of a rule in docs/rules.md: the rule id is the heading, so GitHub's slug is the id itself. */
/** Where a rule is documented: rdsguard's catalogue for a built-in rule; a policy or plugin rule's first URL source. */
export function ruleHelpUri(rule: Pick<RuleMeta, "id" | "definedIn" | "sources">): string | undefined {
  if (!rule.definedIn) return `${RULES_DOC_URL}#${rule.id}`;
  return rule.sources.find((source) => /^https?:\/\//.test(source));
}

/** critical = 0 ... info = 4: smaller is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

/**
 * How a finding stands after waivers and the baseline:
 * fail (counts for the gate), suppressed (valid waiver), baseline (failing, but already in the baseline),
 * unknown (could not be determined), pass, not-applicable.
 */
export type FindingStatus = "fail" | "suppressed" | "baseline" | "unknown" | "pass" | "not-applicable";
export const FINDING_STATUSES: readonly FindingStatus[] = [
  "fail",
  "unknown",
  "suppressed",
  "baseline",
  "pass",
  "not-applicable",
];

export function findingStatus(f: Finding): FindingStatus {
  if (f.verdict === "pass" || f.verdict === "not-applicable") return f.verdict;
  if (f.suppression) return "suppressed";
  if (f.verdict === "fail" && f.baselineState === "unchanged") return "baseline";
  return f.verdict;
}

/** A finding the gate counts: verdict fail, not waived, not already in the baseline. */
export function isActive(f: Finding): boolean {
  return findingStatus(f) === "fail";
}

/** Findings worth showing (fail or unknown, waived or not), worst first. */
export function reportedFindings(report: ScanReport): Finding[] {
  return report.findings.filter((f) => f.verdict === "fail" || f.verdict === "unknown").sort(compareFindings);
}

export function findingFile(f: Finding): string | undefined {
  return f.location?.file ?? f.resource.origin.file;
}

/**
 * `file` when it is a path inside the report's root (relative, not climbing out with `..`) and not a template
 * read from CloudFormation: the files GitHub can resolve against the repository. Else undefined.
 */
export function repositoryPath(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const slashed = file.replaceAll("\\", "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:\//.test(slashed) || /^[a-z][a-z0-9+.-]*:\/\//i.test(slashed)) {
    return undefined;
  }
  const segments = slashed.replace(/^\.\//, "").split("/");
  if (segments.includes("..") || segments[0] === DEPLOYED_TEMPLATES_DIR) return undefined;
  return segments.join("/");
}

/** Worst first; then by file, line, column, rule and resource, so every format lists findings in the same order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    statusRank(a) - statusRank(b) ||
    severityRank(a.severity) - severityRank(b.severity) ||
    compareStrings(findingFile(a) ?? a.resource.origin.arn ?? "", findingFile(b) ?? b.resource.origin.arn ?? "") ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.resource.id, b.resource.id) ||
    compareStrings(a.property ?? "", b.property ?? "") ||
    compareStrings(a.when ?? "", b.when ?? "") ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

function statusRank(f: Finding): number {
  return FINDING_STATUSES.indexOf(findingStatus(f));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** file:line:col, file, or the live place (ARN, else account/region). */
export function findingPlace(f: Finding): string {
  const file = findingFile(f);
  if (file !== undefined) return f.location ? `${file}:${f.location.line}:${f.location.column}` : file;
  const o = f.resource.origin;
  return o.arn ?? livePlace(o.account, o.region) ?? f.resource.id;
}

export function livePlace(account: string | undefined, region: string | undefined): string | undefined {
  if (account === undefined && region === undefined) return undefined;
  return [account ?? "?", region ?? "?"].join("/");
}

/** CDK: "lib/stack.ts:12:5", the line of the app that created the construct, when the assembly recorded it. */
export function constructSourcePlace(f: Finding): string | undefined {
  const s = f.resource.origin.constructSource;
  return s ? `${s.file}:${s.line}:${s.column}` : undefined;
}

/** file:line:col, file, account/region, or "" when the error has no place. */
export function errorPlace(e: ScanError): string {
  if (e.file !== undefined) {
    if (e.line === undefined) return e.file;
    return e.column === undefined ? `${e.file}:${e.line}` : `${e.file}:${e.line}:${e.column}`;
  }
  return livePlace(e.account, e.region) ?? "";
}

/**
 * "DB cluster OrdersCluster" — what the finding is about, for people. CDK logical ids are hashes, so the construct
 * path the user wrote is added when there is one.
 */
export function resourceLabel(f: Finding): string {
  const cdk = f.resource.origin.cdkPath;
  const kind = f.resource.kind === "policy" ? "policy file" : RESOURCE_KIND_LABEL[f.resource.kind];
  return `${kind} ${f.resource.name}${cdk ? ` (${cdk})` : ""}`;
}

/**
 * The finding's message with its subject: the resource is named (unless the message already starts with its label,
 * e.g. "DB instance LegacyDb ..."), the property unless the message mentions it, and the condition under which the
 * verdict holds. `short` leaves out the documentation the message quotes (the finding's `citations`).
 */
export function describeFinding(f: Finding, options: { short?: boolean } = {}): string {
  const message = options.short && f.citations ? withoutCitations(f.message, f.citations) : f.message;
  const label = resourceLabel(f);
  let text = message.startsWith(`${label}:`) || message.startsWith(`${label} `) ? message : `${label}: ${message}`;
  if (f.property !== undefined && !message.includes(f.property)) text = `${text} (property ${f.property})`;
  if (f.when !== undefined && !message.includes(f.when)) text = `${text} (when ${f.when})`;
  return text;
}

/** A waiver in a few words, e.g. "inline waiver until 2027-01-31: migration planned". */
export function describeSuppression(s: { kind: "inline" | "policy"; reason: string; expires?: string }): string {
  return `${s.kind} waiver${s.expires ? ` until ${s.expires}` : ""}: ${s.reason}`;
}

/** Counts of findings by severity and status, for the summaries. */
export type Tally = Record<Severity, Record<FindingStatus, number>>;

export function tally(report: ScanReport): Tally {
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, Object.fromEntries(FINDING_STATUSES.map((st) => [st, 0]))]),
  ) as Tally;
  for (const f of report.findings) counts[f.severity][findingStatus(f)]++;
  return counts;
}

export function totalOf(t: Tally, status: FindingStatus): number {
  return SEVERITIES.reduce((sum, s) => sum + t[s][status], 0);
}

/** The rule's metadata, or undefined when a finding names a rule the report does not list. */
export function ruleFor(report: ScanReport, ruleId: string): RuleMeta | undefined {
  return report.rules.find((r) => r.id === ruleId);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A fence longer than any backtick run in the text, so a snippet can never close it early. */
export function codeFence(text: string, lang: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}
