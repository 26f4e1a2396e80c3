/**
 * Checks and normalizes the policy's customRules after the JSON Schema has checked their shape: what a schema
 * cannot say (an id that is taken, exactly one operator per test, an attribute that exists on every kind the rule
 * judges, a regular expression that compiles), each error at the line and column of the offending key or value.
 * A faulty rule is dropped and reported; the rest of the policy still applies.
 */

import { ATTRIBUTE_NAMES, attributeSpec, TAG_ATTRIBUTE_PREFIX } from "../model/attributes.js";
import type { ScanError } from "../model/errors.js";
import type { ResourceKind, SourceLocation } from "../model/types.js";
import {
  CONDITION_OPERATORS,
  type ConditionOperator,
  type CustomRuleScope,
  type CustomRuleSpec,
  type RuleCondition,
  type ScalarValue,
} from "../rules/declarative/spec.js";
import { compileLinearPattern } from "../util/linear-pattern.js";
import { renderPath } from "./schema.js";

type At = (path: readonly string[], key?: string) => Pick<ScanError, "file" | "line" | "column">;

export interface CustomRuleCheckContext {
  file: string;
  at: At;
  /** Ids taken by built-in rules and plugins. */
  builtinIds: readonly string[];
  /** Custom ids defined so far (earlier entries and earlier files) and where. */
  defined: Map<string, SourceLocation | undefined>;
}

interface RawCustomRule {
  id: string;
  title: string;
  severity: CustomRuleSpec["severity"];
  description?: string;
  rationale?: string;
  remediation?: string | { text: string; snippet?: string };
  tags?: string[];
  sources?: string[];
  appliesTo: {
    kinds: ResourceKind[];
    roles?: string[];
    engines?: string[];
    profiles?: string[];
    tags?: Record<string, string | string[]>;
  };
  property?: string;
  condition: Record<string, unknown>;
}

const COMBINATORS = ["all", "any", "not"] as const;

export function checkCustomRules(
  rawList: readonly unknown[],
  schemaRejected: ReadonlySet<number>,
  ctx: CustomRuleCheckContext,
): { rules: CustomRuleSpec[]; errors: ScanError[] } {
  const rules: CustomRuleSpec[] = [];
  const errors: ScanError[] = [];
  rawList.forEach((entry, i) => {
    if (schemaRejected.has(i)) return;
    const base = ["customRules", String(i)];
    const problems: ScanError[] = [];
    const fail = (path: readonly string[], message: string, key?: string) =>
      problems.push({ kind: "policy", message: `${renderPath(path)}: ${message}`, ...ctx.at(path, key) });
    const raw = entry as RawCustomRule;
    const idPath = [...base, "id"];
    if (ctx.builtinIds.includes(raw.id)) {
      fail(idPath, `rule id "${raw.id}" is already taken by a built-in rule or a plugin; choose another id`);
    } else if (ctx.defined.has(raw.id)) {
      const first = ctx.defined.get(raw.id);
      fail(idPath, `rule "${raw.id}" is defined twice${first ? ` (first at ${first.file}:${first.line})` : ""}`);
    }

    const scope = raw.appliesTo;
    const kinds = scope.kinds;
    if (scope.roles && !kinds.includes("db-instance")) {
      fail([...base, "appliesTo", "roles"], "roles filter DB instances, but kinds does not list db-instance");
    }
    if (scope.engines && kinds.includes("kms-key")) {
      fail([...base, "appliesTo", "engines"], "a KMS key has no engine: remove kms-key from kinds or drop engines");
    }
    const condition = checkCondition(raw.condition, [...base, "condition"], kinds, fail, ctx);
    if (problems.length > 0 || !condition) {
      errors.push(...problems);
      return;
    }
    const pos = ctx.at(base);
    const loc: SourceLocation = { file: ctx.file, line: pos.line ?? 1, column: pos.column ?? 1 };
    ctx.defined.set(raw.id, loc);
    const remediation =
      raw.remediation === undefined
        ? undefined
        : typeof raw.remediation === "string"
          ? { text: raw.remediation }
          : raw.remediation;
    rules.push({
      id: raw.id,
      title: raw.title,
      severity: raw.severity,
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      ...(raw.rationale !== undefined ? { rationale: raw.rationale } : {}),
      ...(remediation ? { remediation } : {}),
      tags: raw.tags ?? [],
      sources: raw.sources ?? [],
      appliesTo: normalizeScope(scope),
      ...(raw.property !== undefined ? { property: raw.property } : {}),
      condition,
      loc,
    });
  });
  return { rules, errors };
}

function normalizeScope(scope: RawCustomRule["appliesTo"]): CustomRuleScope {
  return {
    kinds: [...new Set(scope.kinds)],
    ...(scope.roles ? { roles: scope.roles } : {}),
    ...(scope.engines ? { engines: scope.engines } : {}),
    ...(scope.profiles ? { profiles: scope.profiles } : {}),
    ...(scope.tags
      ? {
          tags: Object.fromEntries(Object.entries(scope.tags).map(([k, v]) => [k, typeof v === "string" ? [v] : v])),
        }
      : {}),
  };
}

function checkCondition(
  node: Record<string, unknown>,
  path: string[],
  kinds: readonly ResourceKind[],
  fail: (path: readonly string[], message: string, key?: string) => void,
  ctx: CustomRuleCheckContext,
): RuleCondition | undefined {
  const keys = Object.keys(node);
  const pos = ctx.at(path);
  const loc: SourceLocation = { file: ctx.file, line: pos.line ?? 1, column: pos.column ?? 1 };
  const combinators = keys.filter((k) => (COMBINATORS as readonly string[]).includes(k));
  const operators = keys.filter((k) => (CONDITION_OPERATORS as readonly string[]).includes(k)) as ConditionOperator[];
  if (combinators.length > 0) {
    if (keys.length > 1) {
      fail(path, `a condition is one of all, any, not or an attribute test; this one has ${keys.join(", ")}`);
      return undefined;
    }
    const key = combinators[0] as (typeof COMBINATORS)[number];
    if (key === "not") {
      const inner = checkCondition(node.not as Record<string, unknown>, [...path, "not"], kinds, fail, ctx);
      return inner && { not: inner, loc };
    }
    const items = (node[key] as Record<string, unknown>[]).map((child, i) =>
      checkCondition(child, [...path, key, String(i)], kinds, fail, ctx),
    );
    if (items.some((c) => c === undefined)) return undefined;
    return key === "all" ? { all: items as RuleCondition[], loc } : { any: items as RuleCondition[], loc };
  }
  if (!("attribute" in node)) {
    fail(path, `a test needs an attribute (and one operator); found ${keys.join(", ")}`);
    return undefined;
  }
  if (operators.length !== 1) {
    fail(
      path,
      operators.length === 0
        ? `the test of ${String(node.attribute)} has no operator; give one of ${CONDITION_OPERATORS.join(", ")}`
        : `the test of ${String(node.attribute)} has ${operators.length} operators (${operators.join(", ")}); give exactly one, and combine tests with all/any`,
    );
    return undefined;
  }
  const attribute = String(node.attribute);
  const spec = attributeSpec(attribute);
  if (!spec) {
    fail(
      [...path, "attribute"],
      `unknown attribute "${attribute}"; known attributes: ${ATTRIBUTE_NAMES.join(", ")}, and ${TAG_ATTRIBUTE_PREFIX}<key>`,
    );
    return undefined;
  }
  const missing = kinds.filter((k) => !spec.kinds.includes(k));
  if (missing.length > 0) {
    fail(
      [...path, "attribute"],
      `${attribute} does not exist on ${missing.join(", ")}; it exists on ${spec.kinds.join(", ")} (narrow appliesTo.kinds, or write one rule per kind)`,
    );
    return undefined;
  }
  const operator = operators[0] as ConditionOperator;
  const operand = node[operator] as ScalarValue | ScalarValue[];
  if (operator === "matches") {
    try {
      return { attribute, operator, operand, pattern: compileLinearPattern(String(operand)), loc };
    } catch (err) {
      fail([...path, "matches"], `not a valid regular expression: ${(err as Error).message}`);
      return undefined;
    }
  }
  if (ORDERING.includes(operator) && typeof operand === "string" && !/^\s*\d/.test(operand)) {
    fail(
      [...path, operator],
      `${operator} compares numbers or versions; "${operand}" is neither (write 7, or a version such as "15.4")`,
    );
    return undefined;
  }
  return { attribute, operator, operand, loc };
}

const ORDERING: readonly ConditionOperator[] = ["greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual"];
