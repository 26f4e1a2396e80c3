/**
 * A rule written in a policy file (customRules), as the declarative rule compiler reads it: which resources it
 * judges and the condition over model attributes (src/model/attributes.ts) it tests. src/policy checks and
 * normalizes what users write into this shape; src/rules/declarative turns it into a Rule.
 */
import type { ResourceKind, SourceLocation } from "../../model/types.js";
import type { LinearPattern } from "../../util/linear-pattern.js";
import type { Severity } from "../types.js";

export type ScalarValue = string | number | boolean;

/** The comparison operators of a leaf condition; exactly one per leaf. */
export const CONDITION_OPERATORS = [
  "equals",
  "notEquals",
  "in",
  "notIn",
  "matches",
  "greaterThan",
  "greaterThanOrEqual",
  "lessThan",
  "lessThanOrEqual",
  "exists",
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** A test of one attribute, e.g. { attribute: DBInstanceClass, matches: "^db\\.r7g\\." }. */
export interface AttributeCondition {
  attribute: string;
  operator: ConditionOperator;
  /** The operand as written; for `matches` also compiled. */
  operand: ScalarValue | ScalarValue[];
  pattern?: LinearPattern;
  loc?: SourceLocation;
}

export type RuleCondition =
  | AttributeCondition
  | { all: RuleCondition[]; loc?: SourceLocation }
  | { any: RuleCondition[]; loc?: SourceLocation }
  | { not: RuleCondition; loc?: SourceLocation };

/** Which resources a policy-defined rule judges; every filter given must hold. */
export interface CustomRuleScope {
  kinds: ResourceKind[];
  /** DB instance roles (standalone, aurora-member, cluster-member, read-replica); default all. */
  roles?: string[];
  /** Engine name globs (case-insensitive). */
  engines?: string[];
  /** Policy profiles the resource must be judged under. */
  profiles?: string[];
  /** Tag key -> value globs (case-insensitive); every key listed must match. */
  tags?: Record<string, string[]>;
}

/** A rule written in the policy file (customRules), validated and normalized. */
export interface CustomRuleSpec {
  id: string;
  title: string;
  severity: Severity;
  description?: string;
  rationale?: string;
  remediation?: { text: string; snippet?: string };
  tags: string[];
  sources: string[];
  appliesTo: CustomRuleScope;
  /** The property findings are about (part of their identity); default: the condition's first attribute. */
  property?: string;
  condition: RuleCondition;
  /** Where the rule is written (its list entry). */
  loc?: SourceLocation;
}
