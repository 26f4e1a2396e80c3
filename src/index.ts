/**
 * The package's programmatic entry (`import { scanTemplates, renderReport } from "rdsguard"`):
 * - scanning and auditing from a program: scanTemplates, audit, and renderReport for any output format, with the
 *   report types (docs/json-report.md);
 * - what a rule plugin needs to be written and type-checked like a built-in rule, and the model types it reads.
 */

import type { AuditOptions } from "./commands/audit.js";
import type { ScanTemplatesOptions } from "./commands/scan.js";
import type { ScanReport } from "./engine/types.js";
import { type RenderOptions, type ReportFormat, renderReport as render } from "./reporters/index.js";
import type { Rule } from "./rules/types.js";

export type { Finding, ReportStats, ScanError, ScanErrorKind, ScanReport } from "./engine/types.js";
export { REPORT_FORMATS, type RenderOptions, type ReportFormat } from "./reporters/index.js";
export type { AuditOptions, ScanTemplatesOptions };

/**
 * Scans CloudFormation templates, directories, globs and cdk.out directories (as `rdsguard scan`) and returns the
 * JSON report. Input problems are the report's `errors`; nothing throws for them.
 */
export async function scanTemplates(paths: string[], options: ScanTemplatesOptions = {}): Promise<ScanReport> {
  return (await import("./commands/scan.js")).scanTemplates(paths, options);
}

/**
 * Audits live RDS/Aurora state (as `rdsguard audit`, read-only calls) and returns the JSON report. Loaded on
 * first use, so a rule plugin importing defineRule does not load the AWS SDK.
 */
export async function audit(options: AuditOptions = {}): Promise<ScanReport> {
  return (await import("./commands/audit.js")).audit(options);
}

/** The report in one output format (text, compact, json, sarif, junit, markdown, github), as the CLI writes it. */
export function renderReport(report: ScanReport, format: ReportFormat, options: RenderOptions = {}): string {
  return render(format, report, options);
}

export type {
  Attr,
  ConditionAssumption,
  DbCluster,
  DbInstance,
  GlobalCluster,
  KmsKey,
  Model,
  ModelResource,
  Resolved,
  ResourceKind,
  SourceLocation,
} from "./model/types.js";
export type {
  Rule,
  RuleContext,
  RuleMeta,
  RuleParameter,
  RuleReferences,
  RuleResult,
  Severity,
  Verdict,
} from "./rules/types.js";

/** Identity at run time; gives a plugin's rule object the Rule type, so a wrong field is a compile error. */
export function defineRule(rule: Rule): Rule {
  return rule;
}

/**
 * The helpers the built-in rules use, so a plugin judges undecidable conditions, absent values and AWS defaults
 * the same way: judgeAcross evaluates every condition alternative and merges them (with `when` labels), describe
 * words a value with its origin, effective gives the value in effect (written, or the recorded AWS default).
 */
export { effective } from "./model/values.js";
export { describe } from "./rules/messages.js";
export { type Judgement, judgeAcross, judgement, single } from "./rules/verdicts.js";
