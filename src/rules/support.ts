/**
 * Helpers every rule uses: flattening conditional attributes into alternatives, describing a value together
 * with where it came from, merging per-alternative verdicts into results, and model look-ups (cluster of a member,
 * source of a replica, KMS key of a KmsKeyId). One place for each, so the seven rules speak the same language.
 */
export { isAuroraEngine } from "../model/defaults.js";

import type {
  Attr,
  ConditionAssumption,
  DbCluster,
  DbInstance,
  KmsKey,
  ModelResource,
  Origin,
  Resolved,
  SourceLocation,
} from "../model/types.js";
import { compareVerdicts, type RuleContext, type RuleResult, type Verdict } from "./types.js";

// ---------------------------------------------------------------------------------------------------------------
// Alternatives
// ---------------------------------------------------------------------------------------------------------------

export interface AttrAlternative<T> {
  when: ConditionAssumption;
  attr: Resolved<T>;
}

/** One alternative per condition assignment; a resolved attribute is a single unconditional alternative. */
export function alternatives<T>(attr: Attr<T>): AttrAlternative<T>[] {
  if (attr.state === "conditional") {
    return attr.alternatives.map((alt) => ({ when: alt.when, attr: alt.attr }));
  }
  return [{ when: {}, attr }];
}

/** Merges two assumptions; undefined when they contradict (IsProd=true and IsProd=false). */
export function mergeAssumptions(a: ConditionAssumption, b: ConditionAssumption): ConditionAssumption | undefined {
  const merged: ConditionAssumption = { ...a };
  for (const [name, value] of Object.entries(b)) {
    if (name in merged && merged[name] !== value) return undefined;
    merged[name] = value;
  }
  return merged;
}

/** Resolved values of several attributes under one consistent assumption. */
export interface Combination<T extends unknown[]> {
  when: ConditionAssumption;
  values: { [K in keyof T]: Resolved<T[K]> };
}

/**
 * Cross product of the attributes' alternatives, dropping contradictory assumptions. `base` is an assumption that
 * holds for the whole resource (its own Condition), so alternatives that contradict it are impossible.
 */
export function combine<T extends unknown[]>(
  base: ConditionAssumption,
  ...attrs: { [K in keyof T]: Attr<T[K]> }
): Combination<T>[] {
  let partial: { when: ConditionAssumption; values: Resolved<unknown>[] }[] = [{ when: base, values: [] }];
  for (const attr of attrs as Attr<unknown>[]) {
    const next: typeof partial = [];
    for (const p of partial) {
      for (const alt of alternatives(attr)) {
        const when = mergeAssumptions(p.when, alt.when);
        if (when) next.push({ when, values: [...p.values, alt.attr] });
      }
    }
    partial = next;
  }
  // Keep only the keys that are not the resource's own base assumption, so labels name what varies.
  return partial.map((p) => ({ when: withoutKeys(p.when, base), values: p.values as Combination<T>["values"] }));
}

function withoutKeys(when: ConditionAssumption, base: ConditionAssumption): ConditionAssumption {
  const out: ConditionAssumption = {};
  for (const [k, v] of Object.entries(when)) if (!(k in base)) out[k] = v;
  return out;
}

/** "IsProd=false, UseKms=true"; empty string for no assumption. */
export function assumptionLabel(when: ConditionAssumption): string {
  return Object.entries(when)
    .map(([name, value]) => `${name}=${value}`)
    .join(", ");
}

/**
 * Shortest description of a set of assumptions: two assumptions that differ only in one condition's value merge
 * into one without it (IsProd=false,UseKms=true + IsProd=false,UseKms=false → IsProd=false).
 */
export function simplifyAssumptions(list: ConditionAssumption[]): ConditionAssumption[] {
  let current = dedupe(list);
  let changed = true;
  while (changed) {
    changed = false;
    outer: for (let i = 0; i < current.length; i++) {
      for (let j = i + 1; j < current.length; j++) {
        const key = singleDifference(current[i] as ConditionAssumption, current[j] as ConditionAssumption);
        if (key !== undefined) {
          const reduced = { ...(current[i] as ConditionAssumption) };
          delete reduced[key];
          current = dedupe([...current.filter((_, k) => k !== i && k !== j), reduced]);
          changed = true;
          break outer;
        }
      }
    }
  }
  return current;
}

function singleDifference(a: ConditionAssumption, b: ConditionAssumption): string | undefined {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return undefined;
  let diff: string | undefined;
  for (const k of ka) {
    if (!(k in b)) return undefined;
    if (a[k] !== b[k]) {
      if (diff !== undefined) return undefined;
      diff = k;
    }
  }
  return diff;
}

function dedupe(list: ConditionAssumption[]): ConditionAssumption[] {
  const seen = new Map<string, ConditionAssumption>();
  for (const a of list) {
    const key = JSON.stringify(Object.entries(a).sort(([x], [y]) => x.localeCompare(y)));
    if (!seen.has(key)) seen.set(key, a);
  }
  return [...seen.values()];
}

/** Label for a set of assumptions: "IsProd=false" or "IsProd=false or UseKms=true". Empty when unconditional. */
export function assumptionsLabel(list: ConditionAssumption[]): string {
  const simplified = simplifyAssumptions(list);
  if (simplified.some((a) => Object.keys(a).length === 0)) return "";
  return simplified.map(assumptionLabel).join(" or ");
}

// ---------------------------------------------------------------------------------------------------------------
// Describing values
// ---------------------------------------------------------------------------------------------------------------

export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  return String(value);
}

export function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case "literal":
      return "literal";
    case "parameter-default":
      return `default of parameter ${origin.parameter}`;
    case "user-parameter":
      return `parameter ${origin.parameter} as given by you (--parameters or --parameter)`;
    case "pseudo-parameter":
      return `pseudo parameter ${origin.parameter}`;
    case "mapping":
      return `from mapping ${origin.mapping}`;
    case "live":
      return `live, ${origin.api}`;
    case "inherited":
      return `inherited from ${origin.from}: ${origin.detail}`;
  }
}

/**
 * "StorageEncrypted is false (default of parameter DbEncrypted)"; "StorageEncrypted is not set: AWS default false
 * (source)"; "StorageEncrypted is unknown: Fn::ImportValue SharedFlag".
 */
export function describe<T>(property: string, attr: Resolved<T>): string {
  switch (attr.state) {
    case "known":
      return `${property} is ${formatValue(attr.value)} (${describeOrigin(attr.origin)})`;
    case "absent":
      return attr.default === undefined
        ? `${property} is not set (${attr.defaultSource})`
        : `${property} is not set: AWS default ${formatValue(attr.default)} (${attr.defaultSource})`;
    case "unknown":
      return `${property} is unknown: ${attr.reason}`;
  }
}

/** Like describe(), for an attribute that may still be conditional: lists each alternative. */
export function describeAttr<T>(property: string, attr: Attr<T>): string {
  if (attr.state !== "conditional") return describe(property, attr);
  const parts = attr.alternatives.map(
    (a) => `when ${assumptionLabel(a.when) || "always"}: ${describe(property, a.attr)}`,
  );
  return `${property} depends on conditions (${parts.join("; ")})`;
}

/** The value that applies: the known value, or the AWS default when absent; undefined when unknown or no default. */
export function effective<T>(attr: Resolved<T>): T | undefined {
  if (attr.state === "known") return attr.value;
  if (attr.state === "absent") return attr.default;
  return undefined;
}

/** The value only when it is known (not absent, not unknown). */
export function knownValue<T>(attr: Attr<T> | undefined): T | undefined {
  return attr?.state === "known" ? attr.value : undefined;
}

/** Set in the template/API (known or unknown), as opposed to absent. A conditional counts as set. */
export function isSet<T>(attr: Attr<T> | undefined): boolean {
  return attr !== undefined && attr.state !== "absent";
}

/** Location of the value, else of the resource. */
export function locOf(attr: Attr<unknown> | undefined, resource: ModelResource): SourceLocation | undefined {
  return attr?.loc ?? resource.loc;
}

// ---------------------------------------------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------------------------------------------

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

/**
 * Merges two assumptions that both hold on top of `base` (a resource's own Condition), dropping the base keys again.
 * Used when a verdict is inherited from another resource whose alternatives carry their own assumptions.
 */
export function mergeUnder(
  base: ConditionAssumption,
  a: ConditionAssumption,
  b: ConditionAssumption,
): ConditionAssumption | undefined {
  const withBase = mergeAssumptions(base, a);
  const merged = withBase && mergeAssumptions(withBase, b);
  return merged && withoutKeys(merged, base);
}

/**
 * Whether a resource exists, as an attribute: true, or conditional on its own undecidable Condition (so it can be
 * combined with other attributes). `ignore` names a condition already assumed by the caller.
 */
export function presenceOf(resource: ModelResource, ignore?: string): Attr<boolean> {
  const cond = resource.condition;
  const yes: Resolved<boolean> = { state: "known", value: true, origin: { kind: "literal" } };
  if (cond?.value !== "unknown" || cond.name === ignore) return yes;
  return {
    state: "conditional",
    alternatives: [
      { when: { [cond.name]: true }, attr: yes },
      { when: { [cond.name]: false }, attr: { state: "known", value: false, origin: { kind: "literal" } } },
    ],
  };
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

/** A single result, with the resource-condition suffix applied. */
export function single(resource: ModelResource, j: Judgement): RuleResult {
  return finish({ ...j, loc: j.loc ?? resource.loc }, conditionSuffix(resource));
}

/** The resource's own Condition, when undecidable, holds for every alternative judged on it. */
export function resourceAssumption(resource: ModelResource): ConditionAssumption {
  if (resource.condition && resource.condition.value === "unknown") return { [resource.condition.name]: true };
  return {};
}

/** " (only created when IsProd)" for a resource whose Condition could not be decided. */
export function conditionSuffix(resource: ModelResource): string {
  if (resource.condition && resource.condition.value === "unknown") {
    return ` (only created when ${resource.condition.name})`;
  }
  return "";
}

// ---------------------------------------------------------------------------------------------------------------
// Model look-ups and engine facts
// ---------------------------------------------------------------------------------------------------------------

export function clusterOf(instance: DbInstance, ctx: RuleContext): DbCluster | undefined {
  if (!instance.clusterId) return undefined;
  const r = ctx.model.resources.get(instance.clusterId);
  return r?.kind === "db-cluster" ? r : undefined;
}

export function sourceOf(replica: DbInstance, ctx: RuleContext): DbInstance | undefined {
  if (!replica.sourceId) return undefined;
  const r = ctx.model.resources.get(replica.sourceId);
  return r?.kind === "db-instance" ? r : undefined;
}

export function membersOf(cluster: DbCluster, ctx: RuleContext): DbInstance[] {
  const out: DbInstance[] = [];
  for (const id of cluster.memberIds) {
    const r = ctx.model.resources.get(id);
    if (r?.kind === "db-instance") out.push(r);
  }
  return out;
}

/**
 * The KMS key a known KmsKeyId names: by the scanner's link (refersTo), else by matching key id, ARN or alias
 * (live keys carry their aliases).
 */
export function kmsKeyFor(attr: Resolved<string>, ctx: RuleContext): KmsKey | undefined {
  if (attr.state === "unknown" && attr.refersTo) {
    const r = ctx.model.resources.get(attr.refersTo);
    return r?.kind === "kms-key" ? r : undefined;
  }
  if (attr.state !== "known") return undefined;
  if (attr.refersTo) {
    const r = ctx.model.resources.get(attr.refersTo);
    if (r?.kind === "kms-key") return r;
  }
  const wanted = attr.value;
  for (const r of ctx.model.resources.values()) {
    if (r.kind !== "kms-key") continue;
    if (r.id === wanted || r.keyId === wanted || r.aliases.includes(wanted)) return r;
    if (r.aliases.some((alias) => wanted.endsWith(`:${alias}`))) return r;
    if (wanted.endsWith(`:key/${r.keyId}`) || r.keyId.endsWith(`:key/${wanted}`)) return r;
  }
  return undefined;
}

/** Names the AWS-managed RDS key (alias/aws/rds or any alias/aws/... alias). */
export function isAwsManagedKeyName(value: string): boolean {
  return /(^|:)alias\/aws\//.test(value);
}

export function normalizeEngine(engine: string): string {
  return engine.trim().toLowerCase();
}

/** Aurora Serverless v1: EngineMode serverless. */
export function isServerlessV1(mode: string | undefined): boolean {
  return mode !== undefined && mode.trim().toLowerCase() === "serverless";
}

/** Not-applicable result for a property owned by the cluster (Aurora member, Multi-AZ DB cluster member). */
export function judgedOnCluster(instance: DbInstance, ctx: RuleContext, property: string, what: string): RuleResult {
  const cluster = clusterOf(instance, ctx);
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

/** Number parameter from the policy, with a fallback when the policy gave something odd. */
export function numberParam(ctx: RuleContext, name: string, fallback: number): number {
  const v = ctx.params[name];
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

export function booleanParam(ctx: RuleContext, name: string, fallback: boolean): boolean {
  const v = ctx.params[name];
  return typeof v === "boolean" ? v : fallback;
}
