/**
 * Condition alternatives: an attribute whose value depends on undecidable template Conditions is judged once per
 * consistent assignment of those conditions. This module builds those assignments (the cross product of several
 * attributes' alternatives, minus contradictions) and simplifies them; src/rules/verdicts.ts merges the verdicts.
 */
import type { Attr, ConditionAssumption, ModelResource, Resolved } from "../model/types.js";

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
  // The common case, no attribute depends on a condition: one combination of the attributes as they are.
  if (!(attrs as Attr<unknown>[]).some((a) => a.state === "conditional")) {
    return [{ when: {}, values: [...attrs] as unknown as Combination<T>["values"] }];
  }
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

/** The resource's own Condition, when undecidable, holds for every alternative judged on it. */
export function resourceAssumption(resource: ModelResource): ConditionAssumption {
  if (resource.condition && resource.condition.value === "unknown") return { [resource.condition.name]: true };
  return {};
}
