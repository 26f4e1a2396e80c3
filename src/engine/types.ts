import type { ScanError } from "../model/errors.js";
import type { ResourceKind, ResourceOrigin, SourceLocation } from "../model/types.js";
import type { RuleMeta, Severity, Verdict } from "../rules/types.js";

export type { ScanError, ScanErrorKind } from "../model/errors.js";

export interface Suppression {
  kind: "inline" | "policy";
  reason: string;
  expires?: string;
  /** Where the waiver is written (template Metadata or policy file). */
  loc?: SourceLocation;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  verdict: Verdict;
  message: string;
  resource: {
    id: string;
    name: string;
    /** "policy": a gate finding about the policy file itself (--policy-base), not a resource. */
    kind: ResourceKind | "policy";
    origin: ResourceOrigin;
  };
  property?: string;
  /** Exact location in a file, when the finding has one. */
  location?: SourceLocation;
  /** Condition label under which the verdict holds (undecidable conditions). */
  when?: string;
  /** The documentation the message quotes for an AWS default ("... (RDS API reference: ...)"), in message order. */
  citations?: string[];
  /** Policy profile applied to the resource. */
  profile: string;
  /** Stable identity: rule, file (or ARN), resource and property; never a line number. */
  fingerprint: string;
  /** Present when a valid waiver covers the finding. */
  suppression?: Suppression;
  /** Present when a waiver existed but expired: the finding is active again and says so. */
  expiredSuppression?: Suppression;
  /** Set by --baseline: new findings fail the gate, unchanged ones do not. */
  baselineState?: "new" | "unchanged";
}

export interface ReportStats {
  filesScanned: number;
  templatesWithDatabases: number;
  resources: number;
  durationMs: number;
  apiCalls?: number;
  /** Audit from AWS Config: capture time of the oldest configuration item judged (ISO 8601). */
  oldestCapture?: string;
}

/**
 * Where `audit --templates` files the templates it reads from CloudFormation (GetTemplate): report paths
 * `deployed/ACCOUNT/REGION/STACK.template`. They are not files of the repository.
 */
export const DEPLOYED_TEMPLATES_DIR = "deployed";

/** The JSON report shape (versioned; see docs/json-report.md). */
export interface ScanReport {
  schemaVersion: 1;
  tool: { name: "rdsguard"; version: string };
  kind: "template" | "audit";
  startedAt: string;
  finishedAt: string;
  /** Root that relative file paths are relative to. */
  root: string;
  rules: RuleMeta[];
  findings: Finding[];
  errors: ScanError[];
  stats: ReportStats;
}
