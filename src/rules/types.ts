import type { Model, ModelResource, ResourceKind, SourceLocation } from "../model/types.js";

export type Severity = "critical" | "high" | "medium" | "low" | "info";
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

export type Verdict = "pass" | "fail" | "unknown" | "not-applicable";

/** Every verdict, worst first: a fail outranks unknown, which outranks pass. */
export const VERDICTS_WORST_FIRST: readonly Verdict[] = ["fail", "unknown", "pass", "not-applicable"];

/** Orders verdicts worst first (for sort). */
export function compareVerdicts(a: Verdict, b: Verdict): number {
  return VERDICTS_WORST_FIRST.indexOf(a) - VERDICTS_WORST_FIRST.indexOf(b);
}

export interface RuleParameter {
  name: string;
  type: "integer" | "boolean" | "string" | "string[]";
  default: unknown;
  description: string;
  /**
   * Which way the parameter makes the rule stricter: "higher"/"lower" numbers, or `true`/`false`. --policy-base
   * reports a change the other way as a weakening; a parameter without it counts every change as one.
   */
  stricter?: "higher" | "lower" | boolean;
}

/** Ids of matching controls elsewhere, so users can map and migrate. */
export interface RuleReferences {
  securityHub: string[];
  awsConfig: string[];
  checkov: string[];
  cfnNag: string[];
  cfnGuard: string[];
  cdkNag: string[];
}

/** References for a rule no other catalogue has (policy-defined rules, plugins without mappings). */
export function noReferences(): RuleReferences {
  return { securityHub: [], awsConfig: [], checkov: [], cfnNag: [], cfnGuard: [], cdkNag: [] };
}

export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  /** One sentence: what is judged. */
  description: string;
  /** Why it matters. */
  rationale: string;
  remediation: {
    text: string;
    /** CloudFormation YAML snippet that passes. */
    snippet: string;
  };
  parameters: RuleParameter[];
  references: RuleReferences;
  /** Which model resources the engine hands to evaluate(). */
  appliesTo: ResourceKind[];
  tags: string[];
  /** Documentation sources for the AWS behaviour the rule relies on. */
  sources: string[];
  /** A policy-defined rule's condition, in words (docs and `rdsguard explain`). */
  condition?: string;
  /** Where a rule that is not built in is defined: a policy file entry or a plugin module. */
  definedIn?: { kind: "policy" | "plugin"; file: string; line?: number; column?: number };
}

/** One judgement of one resource (optionally of one property). */
export interface RuleResult {
  verdict: Verdict;
  message: string;
  /** Property judged (CloudFormation name), e.g. StorageEncrypted. Part of the finding's identity. */
  property?: string;
  /** Exact place: the offending value, or the resource when the property is missing. */
  loc?: SourceLocation;
  /** Set when the verdict holds only under some condition assignment, e.g. "IsProd=false". */
  when?: string;
  /**
   * A lower severity for this result than the rule's (a warning, e.g. a date that is near but not yet passed). The
   * engine never raises a result above the severity the policy gives the rule.
   */
  severity?: Severity;
}

export interface RuleContext {
  model: Model;
  /** Parameters after policy and profile are applied (defaults filled in). */
  params: Record<string, unknown>;
  /** Name of the policy profile selected for this resource. */
  profile: string;
  now: Date;
}

export interface Rule {
  meta: RuleMeta;
  /** Pure: reads the model, returns verdicts. Never throws for odd input; returns unknown instead. */
  evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[];
}
