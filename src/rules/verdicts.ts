/**
 * The verdict algebra beside the verdict types (./types.ts): one judgement per condition alternative, merged into
 * results (worst verdict first, naming the conditions it holds under), and the common judgements (a flag from its
 * value or AWS default, an undetermined value, a property owned by the cluster).
 */
import { clusterOf } from "../model/relations.js";
import type { Attr, ConditionAssumption, DbInstance, ModelResource, Resolved, SourceLocation } from "../model/types.js";
import { effective, knownValue } from "../model/values.js";
import { combine, resourceAssumption } from "./alternatives.js";
import { assumptionLabel, assumptionsLabel, conditionSuffix, describe } from "./messages.js";
import { compareVerdicts, type RuleContext, type RuleResult, type Verdict } from "./types.js";

/** One judgement under one alternative. */
export interface Judgement {
  verdict: Verdict;
  message: string;
  property?: string;
  loc?: SourceLocation;
}

export function judgement(verdict: Verdict, message: string, property?: string, loc?: SourceLocation): Judgement {
  const j: Judgement = { verdict, message };
  if (property !== undefined) j.property = property;
  if (loc !== undefined) j.loc = loc;
  return j;
}

export interface AlternativeJudgement {
  when: ConditionAssumption;
  judgement: Judgement;
}

/**
 * Merges the judgements of every alternative into one result. When all agree, one unconditional result. When they
 * disagree, the worst verdict wins and `when` names the conditions under which it holds; the message also says
 * what the other alternatives give, so nothing is hidden.
 */
export function mergeJudgements(
  items: AlternativeJudgement[],
  resource: ModelResource,
  fallback: { property?: string; loc?: SourceLocation } = {},
): RuleResult {
  const suffix = conditionSuffix(resource);
  if (items.length === 0) {
    return finish(
      judgement(
        "unknown",
        "no consistent combination of conditions applies",
        fallback.property,
        fallback.loc ?? resource.loc,
      ),
      suffix,
    );
  }
  if (items.length === 1) {
    // One alternative (no condition involved): its judgement as it is, what the general case below also gives.
    const only = (items[0] as AlternativeJudgement).judgement;
    return finish(only.loc !== undefined ? only : { ...only, loc: fallback.loc ?? resource.loc }, suffix);
  }
  const byVerdict = new Map<Verdict, AlternativeJudgement[]>();
  for (const item of items) {
    const list = byVerdict.get(item.judgement.verdict) ?? [];
    list.push(item);
    byVerdict.set(item.judgement.verdict, list);
  }
  const verdicts = [...byVerdict.keys()].sort(compareVerdicts);
  const worst = verdicts[0] as Verdict;
  const worstItems = byVerdict.get(worst) as AlternativeJudgement[];
  const representative = (worstItems[0] as AlternativeJudgement).judgement;

  if (verdicts.length === 1) {
    const messages = uniqueMessages(items);
    const message =
      messages.length === 1
        ? (messages[0] as string)
        : items.map((i) => `${labelOrAlways(i.when)}: ${i.judgement.message}`).join("; ");
    return finish({ ...representative, message, loc: representative.loc ?? fallback.loc ?? resource.loc }, suffix);
  }

  const when = assumptionsLabel(worstItems.map((i) => i.when));
  const parts: string[] = [];
  for (const v of verdicts) {
    for (const item of byVerdict.get(v) as AlternativeJudgement[]) {
      parts.push(`when ${labelOrAlways(item.when)}: ${item.judgement.message}`);
    }
  }
  const result = finish(
    {
      verdict: worst,
      message: parts.join("; "),
      ...((representative.property ?? fallback.property)
        ? { property: (representative.property ?? fallback.property) as string }
        : {}),
      ...((representative.loc ?? fallback.loc ?? resource.loc)
        ? { loc: (representative.loc ?? fallback.loc ?? resource.loc) as SourceLocation }
        : {}),
    },
    suffix,
  );
  if (when) result.when = when;
  return result;
}

function labelOrAlways(when: ConditionAssumption): string {
  return assumptionLabel(when) || "always";
}

function uniqueMessages(items: AlternativeJudgement[]): string[] {
  return [...new Set(items.map((i) => i.judgement.message))];
}

function finish(j: Judgement, suffix: string): RuleResult {
  const r: RuleResult = { verdict: j.verdict, message: j.message + suffix };
  if (j.property !== undefined) r.property = j.property;
  if (j.loc !== undefined) r.loc = j.loc;
  return r;
}

/**
 * Judges a property across every alternative of the given attributes and merges the outcome into one result.
 * `judge` sees one consistent combination of resolved values.
 */
export function judgeAcross<T extends unknown[]>(
  resource: ModelResource,
  attrs: { [K in keyof T]: Attr<T[K]> },
  judge: (values: { [K in keyof T]: Resolved<T[K]> }) => Judgement,
  fallback: { property?: string; loc?: SourceLocation } = {},
): RuleResult {
  const combos = combine<T>(resourceAssumption(resource), ...attrs);
  return mergeJudgements(
    combos.map((c) => ({ when: c.when, judgement: judge(c.values) })),
    resource,
    fallback,
  );
}

/** A single result, with the resource-condition suffix applied. */
export function single(resource: ModelResource, j: Judgement): RuleResult {
  return finish({ ...j, loc: j.loc ?? resource.loc }, conditionSuffix(resource));
}

/** Unknown, saying why: the value is unknown, or absent with no AWS default recorded in the model. */
export function undetermined<T>(property: string, attr: Resolved<T>, loc: SourceLocation | undefined): Judgement {
  const what = describe(property, attr);
  return judgement(
    "unknown",
    attr.state === "absent" ? `${what}: no AWS default is recorded for it, so the value cannot be told` : what,
    property,
    loc,
  );
}

/**
 * Pass/fail on a boolean property from its value, or from the AWS default the scanner recorded when it is absent.
 * Rules keep no defaults of their own: an absent property without a recorded default is unknown.
 */
export function judgeFlag(
  property: string,
  attr: Resolved<boolean>,
  loc: SourceLocation | undefined,
  whenFalse?: string,
): Judgement {
  const what = describe(property, attr);
  const value = effective(attr);
  if (value === undefined) {
    return undetermined(property, attr, loc);
  }
  if (value) return judgement("pass", what, property, loc);
  return judgement("fail", whenFalse ? `${what}: ${whenFalse}` : what, property, loc);
}

/** Not-applicable result for a property owned by the cluster (Aurora member, Multi-AZ DB cluster member). */
export function judgedOnCluster(instance: DbInstance, ctx: RuleContext, property: string, what: string): RuleResult {
  const cluster = clusterOf(instance, ctx.model);
  const clusterName = cluster?.name ?? knownValue(instance.dbClusterIdentifier) ?? "its DB cluster";
  const kind = instance.role === "aurora-member" ? "an Aurora cluster member" : "a Multi-AZ DB cluster member";
  return single(
    instance,
    judgement(
      "not-applicable",
      `${what} of ${kind} is owned by the cluster: judged on cluster ${clusterName}`,
      property,
      instance.loc,
    ),
  );
}
