/**
 * Evaluates a policy-defined condition over one consistent set of resolved attribute values, in three-valued
 * logic: a test on a value that cannot be known is unknown (never pass), `all` fails on any failure and is
 * otherwise unknown while anything is unknown, `any` passes on any pass, `not` swaps pass and fail.
 */

import type { AttributeSpec } from "../../model/attributes.js";
import type { Resolved, SourceLocation } from "../../model/types.js";
import { compileLinearPattern } from "../../util/linear-pattern.js";
import { describe, formatValue } from "../messages.js";
import type { AttributeCondition, RuleCondition, ScalarValue } from "./spec.js";

export type Outcome = "pass" | "fail" | "unknown";

/** A fact that decided an outcome: "DBInstanceClass is db.r6i.large (literal)" + "does not match /.../". */
export interface Reason {
  fact: string;
  /** What the value does or is not, worded to follow "which": "does not match /^db\\.r7g/". */
  clause?: string;
  /** Said after the fact when there is no clause: why it cannot be decided. */
  note?: string;
}

export interface ConditionResult {
  outcome: Outcome;
  /** The facts that decided the outcome. */
  reasons: Reason[];
  /** Where the deciding value is written. */
  loc?: SourceLocation;
}

export interface ResolvedAttribute {
  spec: AttributeSpec;
  value: Resolved<unknown>;
}

/** Attribute names a condition reads, in order of first use. */
export function conditionAttributes(condition: RuleCondition): string[] {
  const out: string[] = [];
  const walk = (c: RuleCondition): void => {
    if ("attribute" in c) {
      if (!out.includes(c.attribute)) out.push(c.attribute);
    } else if ("all" in c) c.all.forEach(walk);
    else if ("any" in c) c.any.forEach(walk);
    else walk(c.not);
  };
  walk(condition);
  return out;
}

export function evaluateCondition(
  condition: RuleCondition,
  values: ReadonlyMap<string, ResolvedAttribute>,
): ConditionResult {
  if ("attribute" in condition) {
    const resolved = values.get(condition.attribute);
    if (!resolved) return { outcome: "unknown", reasons: [{ fact: `${condition.attribute} could not be read` }] };
    return evaluateLeaf(condition, resolved);
  }
  if ("not" in condition) {
    const inner = evaluateCondition(condition.not, values);
    const outcome: Outcome = inner.outcome === "pass" ? "fail" : inner.outcome === "fail" ? "pass" : "unknown";
    return { ...inner, outcome };
  }
  const parts = ("all" in condition ? condition.all : condition.any).map((c) => evaluateCondition(c, values));
  // all: one failure decides; any: one pass decides. Otherwise unknown wins over the remaining outcome.
  const decisive: Outcome = "all" in condition ? "fail" : "pass";
  const other: Outcome = decisive === "fail" ? "pass" : "fail";
  for (const outcome of [decisive, "unknown", other] as const) {
    const matching = parts.filter((p) => p.outcome === outcome);
    if (matching.length > 0) {
      const loc = matching.find((p) => p.loc)?.loc;
      return { outcome, reasons: matching.flatMap((p) => p.reasons), ...(loc ? { loc } : {}) };
    }
  }
  return { outcome: "unknown", reasons: [{ fact: "empty condition" }] };
}

/** One sentence per fact: clauses on the same value join ("..., which does not match /x/ and is not \"y\""). */
export function renderReasons(reasons: readonly Reason[]): string {
  const groups: { fact: string; clauses: string[]; notes: string[] }[] = [];
  for (const r of reasons) {
    let group = groups.find((g) => g.fact === r.fact);
    if (!group) {
      group = { fact: r.fact, clauses: [], notes: [] };
      groups.push(group);
    }
    if (r.clause && !group.clauses.includes(r.clause)) group.clauses.push(r.clause);
    if (r.note && !group.notes.includes(r.note)) group.notes.push(r.note);
  }
  return groups
    .map(
      (g) =>
        `${g.fact}${g.clauses.length > 0 ? `, which ${g.clauses.join(" and ")}` : ""}${g.notes.map((n) => `: ${n}`).join("")}`,
    )
    .join("; ");
}

/** The value in effect: written or reported, else the recorded AWS default; "unset" when there is none. */
type Effective = { kind: "value"; value: unknown } | { kind: "unset" } | { kind: "unknown" };

function effectiveValue(attr: Resolved<unknown>): Effective {
  if (attr.state === "known") return { kind: "value", value: attr.value };
  if (attr.state === "absent")
    return attr.default === undefined ? { kind: "unset" } : { kind: "value", value: attr.default };
  return { kind: "unknown" };
}

function evaluateLeaf(c: AttributeCondition, { spec, value }: ResolvedAttribute): ConditionResult {
  const fact = describe(c.attribute, value);
  const at = value.loc ?? c.loc;
  const result = (outcome: Outcome, clause?: string, note?: string): ConditionResult => ({
    outcome,
    reasons: [{ fact, ...(clause ? { clause } : {}), ...(note ? { note } : {}) }],
    ...(at ? { loc: at } : {}),
  });
  const effective = effectiveValue(value);

  if (c.operator === "exists") {
    // Unknown means something is written whose value cannot be resolved: it exists.
    const present = effective.kind !== "unset";
    return result(present === c.operand ? "pass" : "fail");
  }
  if (effective.kind === "unknown") return result("unknown");
  if (effective.kind === "unset") {
    if (spec.unset === "aws-chooses") {
      return result(
        "unknown",
        undefined,
        "the value AWS picks cannot be known from here, so the condition is undecided",
      );
    }
    // No value at all: it equals nothing, matches nothing and compares with nothing.
    const negative = c.operator === "notEquals" || c.operator === "notIn";
    return result(negative ? "pass" : "fail");
  }
  const v = effective.value;
  const operand = c.operand;
  switch (c.operator) {
    case "equals":
      return sameValue(v, operand as ScalarValue)
        ? result("pass", `is ${show(operand)}`)
        : result("fail", `is not ${show(operand)}`);
    case "notEquals":
      return sameValue(v, operand as ScalarValue)
        ? result("fail", `is ${show(operand)}`)
        : result("pass", `is not ${show(operand)}`);
    case "in":
    case "notIn": {
      const inList = (operand as ScalarValue[]).some((o) => sameValue(v, o));
      const listed = `[${(operand as ScalarValue[]).map(show).join(", ")}]`;
      const pass = c.operator === "in" ? inList : !inList;
      return result(pass ? "pass" : "fail", inList ? `is one of ${listed}` : `is not one of ${listed}`);
    }
    case "matches": {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
        return result(
          "unknown",
          undefined,
          `a ${Array.isArray(v) ? "list" : typeof v} cannot be matched against a pattern`,
        );
      }
      const pattern = c.pattern ?? compileLinearPattern(String(operand));
      return pattern.test(String(v))
        ? result("pass", `matches /${pattern.source}/`)
        : result("fail", `does not match /${pattern.source}/`);
    }
    default: {
      const order = compareValues(v, operand as ScalarValue);
      if (order === undefined) {
        return result("unknown", undefined, `${formatValue(v)} cannot be compared with ${show(operand)}`);
      }
      const [pass, phrase] = comparison(c.operator, order);
      return result(pass ? "pass" : "fail", `is ${pass ? "" : "not "}${phrase} ${show(operand)}`);
    }
  }
}

function comparison(operator: AttributeCondition["operator"], order: number): [boolean, string] {
  switch (operator) {
    case "greaterThan":
      return [order > 0, "greater than"];
    case "greaterThanOrEqual":
      return [order >= 0, "at least"];
    case "lessThan":
      return [order < 0, "less than"];
    default:
      return [order <= 0, "at most"];
  }
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : formatValue(value);
}

/** Equality across the forms a value takes in templates: "true" is true, "7" is 7. */
export function sameValue(value: unknown, operand: ScalarValue): boolean {
  if (value === operand) return true;
  if (typeof operand === "boolean") return typeof value === "string" && value.toLowerCase() === String(operand);
  if (typeof operand === "number") return typeof value === "string" && value.trim() !== "" && Number(value) === operand;
  if (typeof value === "boolean") return operand.toLowerCase() === String(value);
  if (typeof value === "number") return operand.trim() !== "" && Number(operand) === value;
  return false;
}

/**
 * Orders two values: numbers numerically, anything involving a string as a version, part by part (8.0.35 < 8.0.100,
 * 15.4 < 15.10). Undefined when they cannot be compared (a boolean, a list, a version against a word).
 */
export function compareValues(value: unknown, operand: ScalarValue): number | undefined {
  if (typeof value === "number" && typeof operand === "number") return Math.sign(value - operand);
  if (typeof value === "boolean" || typeof operand === "boolean") return undefined;
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const a = versionParts(String(value));
  const b = versionParts(String(operand));
  if (!a || !b) return undefined;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return Math.sign(x - y);
    } else {
      const order = String(x).localeCompare(String(y));
      if (order !== 0) return Math.sign(order);
    }
  }
  return 0;
}

/** "8.0.mysql_aurora.3.05.2" -> [8, 0, "mysql_aurora", 3, 5, 2]; undefined unless it starts with a number. */
function versionParts(text: string): (number | string)[] | undefined {
  const trimmed = text.trim();
  if (!/^\d/.test(trimmed)) return undefined;
  return trimmed.split(/[.\-_]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
