/**
 * Turns a rule written in the policy file into a Rule with the same interface as the built-in ones: metadata for
 * docs and reports, and an evaluate() that judges every condition alternative (undecidable CloudFormation
 * conditions) with the same merging and wording as the built-in rules.
 */

import { attributeSpec } from "../../model/attributes.js";
import { resourceTags } from "../../model/relations.js";
import { type Attr, type ModelResource, RESOURCE_KIND_LABEL, type Resolved } from "../../model/types.js";
import { anyGlobMatches } from "../../util/glob.js";
import { noReferences, type Rule, type RuleContext, type RuleMeta, type RuleResult } from "../types.js";
import { type Judgement, judgeAcross, judgement, single } from "../verdicts.js";
import { conditionAttributes, evaluateCondition, type ResolvedAttribute, renderReasons } from "./condition.js";
import type { AttributeCondition, CustomRuleScope, CustomRuleSpec, RuleCondition } from "./spec.js";

export { conditionAttributes } from "./condition.js";

export function customRuleMeta(spec: CustomRuleSpec): RuleMeta {
  return {
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    description: spec.description ?? spec.title,
    rationale: spec.rationale ?? "",
    remediation: { text: spec.remediation?.text ?? "", snippet: spec.remediation?.snippet ?? "" },
    parameters: [],
    references: noReferences(),
    appliesTo: [...spec.appliesTo.kinds],
    tags: spec.tags,
    sources: spec.sources,
    condition: `${describeScope(spec.appliesTo)} Passes when ${describeCondition(spec.condition)}.`,
    definedIn: {
      kind: "policy",
      file: spec.loc?.file ?? "policy",
      ...(spec.loc ? { line: spec.loc.line, column: spec.loc.column } : {}),
    },
  };
}

/** A Rule from a validated policy entry (attribute names and kinds were checked when the policy was loaded). */
export function compileCustomRule(spec: CustomRuleSpec): Rule {
  const meta = customRuleMeta(spec);
  const names = conditionAttributes(spec.condition);
  const property = spec.property ?? names[0];
  const scope = spec.appliesTo;

  function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
    const skip = outOfScope(resource, ctx);
    if (skip !== undefined) return [single(resource, judgement("not-applicable", skip, property, resource.loc))];

    const specs = names.map((name) => attributeSpec(name));
    const attrs: Attr<unknown>[] = specs.map((s, i) =>
      s?.kinds.includes(resource.kind)
        ? s.read(resource, ctx.model)
        : { state: "unknown", reason: `${names[i]} does not apply to a ${resource.kind}` },
    );
    // The engine filter joins the alternatives, so an engine that depends on a condition is judged per branch.
    const engineFilter = scope.engines !== undefined && "engine" in resource ? resource.engine : undefined;
    const all = engineFilter ? [...attrs, engineFilter as Attr<unknown>] : attrs;
    return [
      judgeAcross<unknown[]>(
        resource,
        all,
        (values) => {
          if (engineFilter) {
            const engine = values[values.length - 1] as Resolved<unknown>;
            const outside = engineInScope(engine, scope.engines as string[]);
            if (outside !== true) return { ...outside, ...(property !== undefined ? { property } : {}) };
          }
          const resolved = new Map<string, ResolvedAttribute>();
          names.forEach((name, i) => {
            const s = specs[i];
            if (s) resolved.set(name, { spec: s, value: values[i] as Resolved<unknown> });
          });
          const result = evaluateCondition(spec.condition, resolved);
          return judgement(result.outcome, renderReasons(result.reasons), property, result.loc ?? resource.loc);
        },
        { ...(property !== undefined ? { property } : {}), ...(resource.loc ? { loc: resource.loc } : {}) },
      ),
    ];
  }

  /** Why the resource is outside the rule's scope (role, profile, tags), or undefined when it is inside. */
  function outOfScope(resource: ModelResource, ctx: RuleContext): string | undefined {
    if (scope.roles && resource.kind === "db-instance" && !scope.roles.includes(resource.role)) {
      return `the rule judges ${scope.roles.join(", ")} DB instances; this one is ${resource.role}`;
    }
    if (scope.profiles && !scope.profiles.includes(ctx.profile)) {
      return `the rule judges resources under profile ${scope.profiles.join(" or ")}; this one is under ${ctx.profile}`;
    }
    if (scope.tags) {
      const tags = Object.entries(resourceTags(resource, ctx.model));
      for (const [key, patterns] of Object.entries(scope.tags)) {
        const values = tags.filter(([k]) => k.toLowerCase() === key.toLowerCase()).map(([, v]) => v);
        if (!anyGlobMatches(patterns, values, { nocase: true })) {
          return `the rule judges resources tagged ${key}=${patterns.join("|")}; ${
            values.length > 0 ? `this one has ${key}=${values.join(", ")}` : `this one has no ${key} tag`
          }`;
        }
      }
    }
    return undefined;
  }

  return { meta, evaluate };
}

const OPERATOR_WORDS: Record<AttributeCondition["operator"], string> = {
  equals: "is",
  notEquals: "is not",
  in: "is one of",
  notIn: "is not one of",
  matches: "matches",
  greaterThan: ">",
  greaterThanOrEqual: ">=",
  lessThan: "<",
  lessThanOrEqual: "<=",
  exists: "is set",
};

/** "all of (DBInstanceClass matches /^db\.r7g/; BackupRetentionPeriod >= 14)". */
export function describeCondition(c: RuleCondition): string {
  if ("all" in c) return `all of (${c.all.map(describeCondition).join("; ")})`;
  if ("any" in c) return `any of (${c.any.map(describeCondition).join("; ")})`;
  if ("not" in c) return `not (${describeCondition(c.not)})`;
  if (c.operator === "exists") return `${c.attribute} ${c.operand === true ? "is set" : "is not set"}`;
  const operand = Array.isArray(c.operand)
    ? `[${c.operand.map((o) => JSON.stringify(o)).join(", ")}]`
    : c.operator === "matches"
      ? `/${String(c.operand)}/`
      : JSON.stringify(c.operand);
  return `${c.attribute} ${OPERATOR_WORDS[c.operator]} ${operand}`;
}

function describeScope(scope: CustomRuleScope): string {
  const parts = [
    `Judges ${scope.kinds.map((k) => RESOURCE_KIND_LABEL[k]).join(", ")}${
      scope.roles ? ` (${scope.roles.join(", ")})` : ""
    }`,
  ];
  if (scope.engines) parts.push(`with engine ${scope.engines.join(" or ")}`);
  if (scope.profiles) parts.push(`under profile ${scope.profiles.join(" or ")}`);
  if (scope.tags) {
    parts.push(
      `tagged ${Object.entries(scope.tags)
        .map(([k, v]) => `${k}=${v.join("|")}`)
        .join(", ")}`,
    );
  }
  return `${parts.join(", ")}.`;
}

/** True when the engine is one the rule judges; otherwise the not-applicable or unknown judgement. */
function engineInScope(engine: Resolved<unknown>, patterns: string[]): true | Judgement {
  const value = engine.state === "known" ? engine.value : undefined;
  if (typeof value !== "string") {
    return judgement(
      "unknown",
      `the rule judges engines ${patterns.join(", ")}, and the engine is ${
        engine.state === "unknown" ? `unknown: ${engine.reason}` : "not known"
      }`,
      undefined,
      engine.loc,
    );
  }
  if (anyGlobMatches(patterns, [value], { nocase: true })) return true;
  return judgement("not-applicable", `the rule judges engines ${patterns.join(", ")}; this one is ${value}`);
}
