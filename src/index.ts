/**
 * The package's programmatic entry (`import { defineRule } from "rdsguard"`): what a rule plugin needs to be
 * written and type-checked like a built-in rule, and the model types it reads.
 */
import type { Rule } from "./rules/types.js";

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
