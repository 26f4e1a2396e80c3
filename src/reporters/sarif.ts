/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, every rule of the report in
 * tool.driver.rules, one result per failing or undetermined finding, scan errors as tool execution notifications.
 *
 * Choices GitHub forces (see docs/ci.md):
 * - Suppressed findings are left out by default: GitHub ignores SARIF `suppressions` and would open an alert for
 *   each (github/codeql-action#1230). `sarifSuppressed: "include"` emits them with `suppressions` for other viewers.
 * - partialFingerprints carries the finding's fingerprint twice: as "rdsguard/v1", and as primaryLocationLineHash,
 *   the one key GitHub matches alerts on; it is built from rule, file, resource and property, never a line number,
 *   so moving code keeps the alert.
 * - Every result has a physical location in the repository: GitHub rejects the whole file when one result has
 *   none. Findings with no repository file (a live resource whose stack is not mapped to a template, a template
 *   read from CloudFormation) are left out, counted in the run's `properties.findingsWithoutRepositoryFile` and
 *   in a notification; the JSON, JUnit, Markdown and text reports keep them.
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Sarif from "sarif";
import type { Finding, ScanError, ScanReport, Suppression } from "../engine/types.js";
import type { SourceLocation } from "../model/types.js";
import { noReferences, type RuleMeta, type Severity } from "../rules/types.js";
import { codeFence, describeFinding, findingFile, PROJECT_URL, plural, repositoryPath, ruleHelpUri } from "./common.js";
import { joinChunks, jsonWithStreamedArray, type ReportSource, sourceOf } from "./source.js";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
export const SARIF_FINGERPRINT_KEY = "rdsguard/v1";
/** GitHub keeps at most 25,000 results per run; the worst are kept. */
export const SARIF_MAX_RESULTS = 25_000;
/** GitHub keeps at most 20 tags per rule. */
const MAX_TAGS = 20;
/** GitHub truncates rule descriptions at 1,024 characters. */
const MAX_DESCRIPTION = 1024;
const SRCROOT = "%SRCROOT%";

/** security-severity scores on GitHub's scale: >= 9 critical, 7-8.9 high, 4-6.9 medium, 0.1-3.9 low. */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: "1.0",
};

const LEVEL: Record<Severity, Sarif.Result.level> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

export type SarifSuppressedMode = "omit" | "include";

export interface SarifOptions {
  /** omit (default): suppressed findings are not emitted; include: emitted with `suppressions`. */
  suppressed?: SarifSuppressedMode;
  /** A baseline was applied: every result gets a baselineState. */
  baselineApplied?: boolean;
}

/** How many findings SARIF leaves out because no file of the repository holds them. */
export function countFindingsWithoutRepositoryFile(report: ScanReport, options: SarifOptions = {}): number {
  return countWithoutRepositoryFile(sourceOf(report, false), options);
}

export function countWithoutRepositoryFile(source: ReportSource, options: SarifOptions = {}): number {
  return plan(source, options).withoutFile;
}

export function buildSarif(report: ScanReport, options: SarifOptions = {}): Sarif.Log {
  return JSON.parse(renderSarif(report, options)) as Sarif.Log;
}

export function renderSarif(report: ScanReport, options: SarifOptions = {}): string {
  return joinChunks(sarifChunks(sourceOf(report, false), options));
}

/** What SARIF reports, decided on the compact records: the results kept (worst first) and what is left out. */
function plan(source: ReportSource, options: SarifOptions) {
  const store = source.store;
  const inRepository = new Map<string, boolean>();
  const hasFile = (i: number): boolean => {
    const file = store.fileOf(i);
    if (file === undefined) return false;
    let known = inRepository.get(file);
    if (known === undefined) {
      known = repositoryPath(file) !== undefined;
      inRepository.set(file, known);
    }
    return known;
  };
  // The findings SARIF would report: failing or undetermined, and suppressed only with `include`.
  const reportable = source.reported().filter((i) => !store.suppressed(i) || options.suppressed === "include");
  const candidates = reportable.filter(hasFile);
  return { candidates, withoutFile: reportable.length - candidates.length };
}

/** The SARIF log, written result by result (byte-identical to JSON.stringify of the whole log). */
export function* sarifChunks(source: ReportSource, options: SarifOptions = {}): Generator<string> {
  const report = source.head;
  const store = source.store;
  const rules = [...report.rules];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const baselineApplied = options.baselineApplied ?? store.anyBaselineState();

  const { candidates, withoutFile } = plan(source, options);
  const kept = candidates.slice(0, SARIF_MAX_RESULTS);
  for (const i of kept) {
    const id = store.ruleId(i);
    if (!ruleIndex.has(id)) {
      // A finding from a rule the report does not describe still needs a descriptor GitHub accepts.
      ruleIndex.set(id, rules.length);
      rules.push(placeholderRule(id, store.severity(i)));
    }
  }

  const notifications = report.errors.map(toNotification);
  if (withoutFile > 0) notifications.push(withoutFileNotification(withoutFile));
  if (candidates.length > kept.length) {
    notifications.push({
      level: "warning",
      message: {
        text: `${plural(candidates.length - kept.length, "result")} left out: GitHub keeps at most ${SARIF_MAX_RESULTS} results per run (the most severe are kept).`,
      },
    });
  }

  const run: Sarif.Run = {
    tool: {
      driver: {
        name: "rdsguard",
        fullName: `rdsguard ${report.tool.version}`,
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: PROJECT_URL,
        rules: rules.map(toRule),
      },
    },
    automationDetails: { id: report.kind === "audit" ? "rdsguard/audit/" : "rdsguard/templates/" },
    originalUriBaseIds: { [SRCROOT]: { uri: rootUri(report.root) } },
    invocations: [
      {
        executionSuccessful: report.errors.length === 0,
        startTimeUtc: report.startedAt,
        endTimeUtc: report.finishedAt,
        toolExecutionNotifications: notifications,
      },
    ],
    columnKind: "utf16CodeUnits",
    results: [],
    properties: {
      kind: report.kind,
      stats: { ...report.stats },
      ...(options.suppressed === "include" ? {} : { suppressedFindingsOmitted: countSuppressed(source) }),
      findingsWithoutRepositoryFile: withoutFile,
    },
  };
  const log: Sarif.Log = { $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs: [run] };
  const results = (function* () {
    for (const i of kept) {
      const f = source.get(i);
      yield toResult(f, ruleIndex.get(f.ruleId) as number, baselineApplied);
    }
  })();
  yield* jsonWithStreamedArray(log, "results", 6, results);
  yield "\n";
}

function countSuppressed(source: ReportSource): number {
  return source.reported().filter((i) => source.store.suppressed(i)).length;
}

function toRule(meta: RuleMeta): Sarif.ReportingDescriptor {
  const tags = [...new Set(["security", ...meta.tags])].slice(0, MAX_TAGS);
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: clip(meta.title) },
    fullDescription: { text: clip(`${meta.description} ${meta.rationale}`.trim()) },
    help: { text: helpText(meta), markdown: helpMarkdown(meta) },
    ...(ruleHelpUri(meta) ? { helpUri: ruleHelpUri(meta) } : {}),
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties: {
      tags,
      precision: "high",
      "problem.severity": meta.severity === "critical" || meta.severity === "high" ? "error" : "warning",
      "security-severity": SECURITY_SEVERITY[meta.severity],
      references: meta.references,
    },
  };
}

function placeholderRule(id: string, severity: Severity): RuleMeta {
  return {
    id,
    title: id,
    severity,
    description: `Rule ${id}.`,
    rationale: "",
    remediation: { text: "See the rule documentation.", snippet: "" },
    parameters: [],
    references: noReferences(),
    appliesTo: [],
    tags: [],
    sources: [],
  };
}

function helpText(meta: RuleMeta): string {
  const parts = [`${meta.title} (severity ${meta.severity}).`, meta.description];
  if (meta.rationale) parts.push(`Why: ${meta.rationale}`);
  if (meta.condition) parts.push(meta.condition);
  if (meta.remediation.text) parts.push(`Fix: ${meta.remediation.text}`);
  if (meta.remediation.snippet) parts.push(meta.remediation.snippet);
  const refs = referenceLines(meta);
  if (refs.length > 0) parts.push(`Equivalent controls: ${refs.join("; ")}.`);
  const uri = ruleHelpUri(meta);
  if (uri) parts.push(`Documentation: ${uri}`);
  return parts.join("\n\n");
}

function helpMarkdown(meta: RuleMeta): string {
  const parts = [`**${meta.title}** (severity: ${meta.severity})`, meta.description];
  if (meta.rationale) parts.push(`**Why it matters.** ${meta.rationale}`);
  if (meta.condition) parts.push(`**Condition.** ${meta.condition}`);
  if (meta.remediation.text) parts.push(`**How to fix.** ${meta.remediation.text}`);
  if (meta.remediation.snippet) parts.push(codeFence(meta.remediation.snippet, "yaml"));
  if (meta.parameters.length > 0) {
    parts.push(
      [
        "**Parameters**",
        "",
        ...meta.parameters.map(
          (p) => `- \`${p.name}\` (${p.type}, default \`${JSON.stringify(p.default)}\`): ${p.description}`,
        ),
      ].join("\n"),
    );
  }
  const refs = referenceLines(meta);
  if (refs.length > 0) parts.push(`**Equivalent controls:** ${refs.join("; ")}`);
  const uri = ruleHelpUri(meta);
  if (uri) parts.push(`[Rule documentation](${uri})`);
  return parts.join("\n\n");
}

function referenceLines(meta: RuleMeta): string[] {
  const r = meta.references;
  const named: Array<[string, string[]]> = [
    ["AWS Security Hub", r.securityHub],
    ["AWS Config", r.awsConfig],
    ["Checkov", r.checkov],
    ["cfn_nag", r.cfnNag],
    ["cfn-guard", r.cfnGuard],
    ["cdk-nag", r.cdkNag],
  ];
  return named.filter(([, ids]) => ids.length > 0).map(([name, ids]) => `${name} ${ids.join(", ")}`);
}

function toResult(f: Finding, ruleIndex: number, baselineApplied: boolean): Sarif.Result {
  const result: Sarif.Result = {
    ruleId: f.ruleId,
    ruleIndex,
    // SARIF's own verdict: an undetermined finding asks for review (and SARIF §3.27.10 gives a result whose kind is
    // not "fail" the level "none"); a failure is "fail" with the level of its severity.
    kind: f.verdict === "unknown" ? "review" : "fail",
    level: f.verdict === "unknown" ? "none" : LEVEL[f.severity],
    message: { text: resultMessage(f) },
    locations: [resultLocation(f)],
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: f.fingerprint, primaryLocationLineHash: f.fingerprint },
    properties: {
      severity: f.severity,
      verdict: f.verdict,
      profile: f.profile,
      ...(f.property !== undefined ? { property: f.property } : {}),
      ...(f.when !== undefined ? { when: f.when } : {}),
      ...(f.expiredSuppression ? { expiredSuppression: waiverProperties(f.expiredSuppression) } : {}),
    },
  };
  const source = f.resource.origin.constructSource;
  if (source && repositoryPath(source.file) !== undefined) {
    // CDK: the physical location is the synthesized template; the app's line that created the construct is related.
    const construct = f.resource.origin.cdkPath ?? f.resource.name;
    result.relatedLocations = [
      { id: 1, physicalLocation: physical(source), message: { text: `construct ${construct} is created here` } },
    ];
  }
  if (baselineApplied) result.baselineState = f.baselineState ?? "new";
  if (f.suppression) result.suppressions = [toSuppression(f.suppression)];
  return result;
}

function resultMessage(f: Finding): string {
  let text = describeFinding(f);
  if (f.verdict === "unknown" && !/could not be determined/i.test(text)) text = `Could not be determined: ${text}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Findings that SARIF leaves out for want of a repository file: say how many, and where they are. */
function withoutFileNotification(count: number): Sarif.Notification {
  return {
    level: "note",
    message: {
      text: `${plural(count, "finding")} left out: no file in the repository to point at (live resources whose stack is not mapped to a template with --stack-template or stackTemplates, templates read from CloudFormation, files outside the report root). The JSON, JUnit, Markdown and text reports list them.`,
    },
    properties: { kind: "findings-without-repository-file", count },
  };
}

function resultLocation(f: Finding): Sarif.Location {
  const location: Sarif.Location = {};
  const file = repositoryPath(findingFile(f));
  if (file !== undefined) {
    location.physicalLocation = {
      artifactLocation: artifactLocation(file),
      // A template finding always has a line; a live finding mapped to a template may not: point at its start.
      region: region(f.location ?? { file, line: 1, column: 1 }),
    };
  }
  location.logicalLocations = [logicalLocation(f)];
  return location;
}

function logicalLocation(f: Finding): Sarif.LogicalLocation {
  const o = f.resource.origin;
  const properties: Record<string, string> = {};
  for (const key of ["cfnType", "cdkPath", "arn", "account", "region", "stackName", "stackLogicalId"] as const) {
    const value = o[key];
    if (value !== undefined) properties[key] = value;
  }
  return {
    name: o.logicalId ?? f.resource.name,
    // The most specific stable name: the CDK construct path, the ARN, or file#logicalId.
    fullyQualifiedName:
      o.cdkPath ??
      o.arn ??
      (o.file !== undefined && o.logicalId !== undefined ? `${o.file}#${o.logicalId}` : f.resource.id),
    kind: "resource",
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}

function toSuppression(s: Suppression): Sarif.Suppression {
  const suppression: Sarif.Suppression = {
    kind: s.kind === "inline" ? "inSource" : "external",
    status: "accepted",
    justification: s.reason,
    properties: waiverProperties(s),
  };
  if (s.loc && repositoryPath(s.loc.file) !== undefined) suppression.location = { physicalLocation: physical(s.loc) };
  return suppression;
}

function waiverProperties(s: Suppression): Record<string, string> {
  return { kind: s.kind, reason: s.reason, ...(s.expires !== undefined ? { expires: s.expires } : {}) };
}

function toNotification(e: ScanError): Sarif.Notification {
  const n: Sarif.Notification = {
    level: "error",
    message: { text: /[.!?]$/.test(e.message) ? e.message : `${e.message}.` },
    properties: {
      kind: e.kind,
      ...(e.account !== undefined ? { account: e.account } : {}),
      ...(e.region !== undefined ? { region: e.region } : {}),
      ...(e.file !== undefined && repositoryPath(e.file) === undefined ? { file: e.file } : {}),
    },
  };
  const file = repositoryPath(e.file);
  if (file !== undefined) {
    const physicalLocation: Sarif.PhysicalLocation = { artifactLocation: artifactLocation(file) };
    if (e.line !== undefined) physicalLocation.region = { startLine: e.line, startColumn: e.column ?? 1 };
    n.locations = [{ physicalLocation }];
  }
  return n;
}

function physical(loc: SourceLocation): Sarif.PhysicalLocation {
  return { artifactLocation: artifactLocation(repositoryPath(loc.file) ?? loc.file), region: region(loc) };
}

function region(loc: SourceLocation): Sarif.Region {
  return { startLine: Math.max(1, loc.line), startColumn: Math.max(1, loc.column) };
}

/** Relative paths become %SRCROOT%-relative URI references; absolute ones (outside the root) file: URIs. */
export function artifactLocation(file: string): Sarif.ArtifactLocation {
  const slashed = file.replaceAll("\\", "/");
  if (isAbsolute(file) || /^[A-Za-z]:\//.test(slashed)) return { uri: pathToFileURL(file).href };
  const uri = slashed
    .replace(/^\.\//, "")
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
  return { uri, uriBaseId: SRCROOT };
}

function rootUri(root: string): string {
  const href = pathToFileURL(root).href;
  return href.endsWith("/") ? href : `${href}/`;
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

function clip(text: string): string {
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}
