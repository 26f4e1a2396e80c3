/**
 * Evaluates CloudFormation intrinsic functions over the positioned AST. Every result is one of: a value (with its
 * origin and the position of what produced it), unknown (with a reason), AWS::NoValue, absent, or a fork on a
 * condition that could not be decided (both branches evaluated, under the assumption that selects each).
 */
import type { ConditionAssumption, Origin } from "../../model/types.js";
import { type AstNode, child, entry, intrinsicName, type MapNode, type Pos } from "./ast.js";
import { EVALUATION_BUDGET_MS, MAX_ALTERNATIVES } from "./budgets.js";

export type Ev =
  | { k: "val"; v: unknown; origin: Origin; pos: Pos; refersTo?: string }
  | { k: "unknown"; reason: string; pos: Pos; refersTo?: string }
  | { k: "novalue"; pos: Pos }
  | { k: "absent"; pos: Pos }
  | { k: "fork"; condition: string; whenTrue: Ev; whenFalse: Ev; pos: Pos };

export interface ParameterValue {
  value: string;
  source: "user" | "default";
}

export interface EvalOptions {
  /** Values given by the user (--parameters / --parameter), by parameter name. */
  parameters?: Record<string, string>;
  region?: string;
  accountId?: string;
  stackName?: string;
}

interface ParameterInfo {
  type: string;
  value?: ParameterValue;
  /** AllowedValues, when declared: the alternatives of a parameter without a value. */
  allowedValues?: string[];
}

/** Beyond this many combinations of allowed values, a condition stays unknown. */
const MAX_ALLOWED_VALUE_COMBINATIONS = 64;

const LITERAL: Origin = { kind: "literal" };
const DYNAMIC_REFERENCE = /\{\{resolve:([a-z-]+):/;
const SUB_VARIABLE = /\$\{([^}]*)\}/g;

export class TemplateContext {
  readonly parameters = new Map<string, ParameterInfo>();
  readonly resources = new Set<string>();
  private readonly conditions = new Map<string, AstNode>();
  /** Condition values by name and the assumptions in force: evaluation stays polynomial under assumptions too. */
  private readonly conditionCache = new Map<string, boolean | "unknown">();
  /** Conditions on a cycle (a template error CloudFormation rejects): unknown, never evaluated. */
  private readonly cyclic: Set<string>;
  private readonly mappings: AstNode | undefined;
  private readonly deadline = Date.now() + EVALUATION_BUDGET_MS;
  private steps = 0;
  private outOfTime = false;

  constructor(
    readonly root: MapNode,
    private readonly options: EvalOptions,
  ) {
    const params = child(root, "Parameters");
    if (params?.t === "map") {
      for (const p of params.entries) {
        const type = scalarString(child(p.value, "Type")) ?? "String";
        const user = options.parameters?.[p.key];
        const def = child(p.value, "Default");
        const info: ParameterInfo = { type };
        const allowed = child(p.value, "AllowedValues");
        if (allowed?.t === "seq" && allowed.items.length > 0 && allowed.items.every((i) => i.t === "scalar")) {
          info.allowedValues = allowed.items.map((i) => String((i as { value: unknown }).value));
        }
        if (user !== undefined) info.value = { value: user, source: "user" };
        else if (def && def.t === "scalar" && def.value !== null)
          info.value = { value: String(def.value), source: "default" };
        else if (def && def.t === "seq") {
          info.value = {
            value: def.items.map((i) => (i.t === "scalar" ? String(i.value) : "")).join(","),
            source: "default",
          };
        }
        this.parameters.set(p.key, info);
      }
    }
    const conds = child(root, "Conditions");
    if (conds?.t === "map") for (const c of conds.entries) this.conditions.set(c.key, c.value);
    this.cyclic = new Set(conditionCycle(root)?.members ?? []);
    const res = child(root, "Resources");
    if (res?.t === "map") for (const r of res.entries) this.resources.add(r.key);
    this.mappings = child(root, "Mappings");
  }

  /**
   * true / false, or "unknown" when it depends on something not known before deployment. A condition that
   * depends on parameters without a value but with AllowedValues is judged under each allowed value: when every
   * one gives the same answer, that is the answer.
   */
  condition(name: string, assume: ConditionAssumption = {}, depth = 0): boolean | "unknown" {
    if (name in assume) return assume[name] as boolean;
    if (this.cyclic.has(name)) return "unknown";
    // Trial values of AllowedValues are not facts of the template: what they give is not cached.
    const cacheable = this.trial === undefined;
    const key = cacheKey(name, assume);
    const cached = cacheable ? this.conditionCache.get(key) : undefined;
    if (cached !== undefined) return cached;
    const node = this.conditions.get(name);
    let result: boolean | "unknown" = "unknown";
    if (node && depth < 50) result = this.truth(this.evaluate(node, assume, depth + 1));
    if (node && result === "unknown" && this.trial === undefined) {
      result = this.acrossAllowedValues(node, assume, depth);
    }
    if (cacheable) this.conditionCache.set(key, result);
    return result;
  }

  /** Values tried for undecided parameters while a condition is judged across their AllowedValues. */
  private trial: Map<string, string> | undefined;

  private acrossAllowedValues(node: AstNode, assume: ConditionAssumption, depth: number): boolean | "unknown" {
    const names = [...this.referencedParameters(node, new Set())];
    const choices: Array<[string, string[]]> = [];
    for (const name of names) {
      const param = this.parameters.get(name);
      if (!param || param.value || !param.allowedValues) continue;
      choices.push([name, param.allowedValues]);
    }
    if (choices.length === 0) return "unknown";
    const total = choices.reduce((n, [, values]) => n * values.length, 1);
    if (total > MAX_ALLOWED_VALUE_COMBINATIONS) return "unknown";
    let answer: boolean | "unknown" | undefined;
    for (let i = 0; i < total; i++) {
      let rest = i;
      this.trial = new Map();
      for (const [name, values] of choices) {
        this.trial.set(name, values[rest % values.length] as string);
        rest = Math.floor(rest / values.length);
      }
      const r = this.truth(this.evaluate(node, assume, depth + 1));
      this.trial = undefined;
      if (r === "unknown" || (answer !== undefined && r !== answer)) return "unknown";
      answer = r;
    }
    return answer ?? "unknown";
  }

  /** Parameters a condition refers to (through Ref, and through the conditions it names). */
  private referencedParameters(node: AstNode, seen: Set<string>, out = new Set<string>()): Set<string> {
    if (node.t === "seq") for (const item of node.items) this.referencedParameters(item, seen, out);
    if (node.t !== "map") return out;
    for (const e of node.entries) {
      if (e.key === "Ref" && e.value.t === "scalar" && this.parameters.has(String(e.value.value))) {
        out.add(String(e.value.value));
      } else if (e.key === "Condition" && e.value.t === "scalar") {
        const name = String(e.value.value);
        const cond = this.conditions.get(name);
        if (cond && !seen.has(name)) {
          seen.add(name);
          this.referencedParameters(cond, seen, out);
        }
      } else this.referencedParameters(e.value, seen, out);
    }
    return out;
  }

  private truth(ev: Ev): boolean | "unknown" {
    if (ev.k === "val") {
      if (typeof ev.v === "boolean") return ev.v;
      if (ev.v === "true") return true;
      if (ev.v === "false") return false;
    }
    if (ev.k === "fork") {
      const a = this.truth(ev.whenTrue);
      return a === this.truth(ev.whenFalse) ? a : "unknown";
    }
    return "unknown";
  }

  /** Evaluates a node to a plain value (maps and lists resolved recursively). */
  evaluate(node: AstNode, assume: ConditionAssumption = {}, depth = 0): Ev {
    if (depth > 100) return { k: "unknown", reason: "intrinsic nesting too deep", pos: node.pos };
    if ((++this.steps & 1023) === 0 && !this.outOfTime && Date.now() > this.deadline) this.outOfTime = true;
    if (this.outOfTime) {
      return {
        k: "unknown",
        reason: `evaluating this template took longer than its ${EVALUATION_BUDGET_MS / 1000} s budget`,
        pos: node.pos,
      };
    }
    const fn = intrinsicName(node);
    if (fn) return this.intrinsic(fn, (node as MapNode).entries[0]?.value as AstNode, node.pos, assume, depth);
    switch (node.t) {
      case "scalar": {
        if (typeof node.value === "string") {
          const dyn = DYNAMIC_REFERENCE.exec(node.value);
          if (dyn) return dynamicReference(dyn[1] as string, node.pos);
        }
        return { k: "val", v: node.value, origin: LITERAL, pos: node.pos };
      }
      case "seq":
        return combine(
          node.items.map((i) => this.evaluate(i, assume, depth + 1)),
          (vals) => ({ k: "val", v: vals.map((v) => v.v), origin: LITERAL, pos: node.pos }),
          { dropNoValue: true },
        );
      case "map": {
        const keys = node.entries.map((e) => e.key);
        return combine(
          node.entries.map((e) => this.evaluate(e.value, assume, depth + 1)),
          (vals) => {
            const out: Record<string, unknown> = {};
            vals.forEach((v, i) => {
              if (v.v !== undefined) out[keys[i] as string] = v.v;
            });
            return { k: "val", v: out, origin: LITERAL, pos: node.pos };
          },
          { keepNoValue: true },
        );
      }
    }
  }

  /**
   * Resolves the value at `path` below `node`, descending the AST as far as it goes so that the position is the
   * exact one of the value; intrinsics on the way are evaluated. A missing key gives `absent` at the position of
   * the nearest enclosing key (the resource itself when a property is missing).
   */
  resolveAt(node: AstNode, path: (string | number)[], anchor: Pos, assume: ConditionAssumption = {}): Ev {
    const fn = intrinsicName(node);
    if (fn === "Fn::If") {
      return this.fnIf((node as MapNode).entries[0]?.value as AstNode, node.pos, assume, 0, (branch, a) =>
        this.resolveAt(branch, path, anchor, a),
      );
    }
    if (path.length === 0) return removedAt(this.evaluate(node, assume), anchor);
    if (fn) return descend(this.evaluate(node, assume), path, anchor);
    const [head, ...rest] = path;
    if (node.t === "map" && typeof head === "string") {
      const e = entry(node, head);
      return e ? this.resolveAt(e.value, rest, e.keyPos, assume) : { k: "absent", pos: anchor };
    }
    if (node.t === "seq" && typeof head === "number") {
      const item = node.items[head];
      return item ? this.resolveAt(item, rest, item.pos, assume) : { k: "absent", pos: anchor };
    }
    return { k: "absent", pos: anchor };
  }

  private fnIf(
    arg: AstNode,
    pos: Pos,
    assume: ConditionAssumption,
    depth: number,
    branch: (node: AstNode, assume: ConditionAssumption) => Ev,
  ): Ev {
    if (arg.t !== "seq" || arg.items.length !== 3) return { k: "unknown", reason: "malformed Fn::If", pos };
    const name = scalarString(arg.items[0]);
    if (name === undefined || !this.conditions.has(name)) {
      return { k: "unknown", reason: `Fn::If names undefined condition ${name ?? "?"}`, pos };
    }
    const [, t, f] = arg.items as [AstNode, AstNode, AstNode];
    const value = this.condition(name, assume, depth);
    if (value === true) return branch(t, assume);
    if (value === false) return branch(f, assume);
    const whenTrue = branch(t, { ...assume, [name]: true });
    const whenFalse = branch(f, { ...assume, [name]: false });
    if (leaves(whenTrue, MAX_ALTERNATIVES) + leaves(whenFalse, MAX_ALTERNATIVES) > MAX_ALTERNATIVES) {
      return tooManyAlternatives(pos);
    }
    return { k: "fork", condition: name, whenTrue, whenFalse, pos };
  }

  private intrinsic(fn: string, arg: AstNode, pos: Pos, assume: ConditionAssumption, depth: number): Ev {
    const ev = (n: AstNode) => this.evaluate(n, assume, depth + 1);
    switch (fn) {
      case "Ref":
        return this.ref(scalarString(arg) ?? "", pos);
      case "Condition": {
        const name = scalarString(arg) ?? "";
        const v = this.condition(name, assume, depth);
        return v === "unknown" ? conditionUnknown(name, pos) : { k: "val", v, origin: LITERAL, pos };
      }
      case "Fn::If":
        return this.fnIf(arg, pos, assume, depth, (branch, a) => this.evaluate(branch, a, depth + 1));
      case "Fn::Equals": {
        if (arg.t !== "seq" || arg.items.length !== 2) return { k: "unknown", reason: "malformed Fn::Equals", pos };
        return combine(arg.items.map(ev), ([a, b]) => ({
          k: "val",
          v: String(a?.v) === String(b?.v),
          origin: LITERAL,
          pos,
        }));
      }
      case "Fn::Not":
      case "Fn::And":
      case "Fn::Or": {
        if (arg.t !== "seq") return { k: "unknown", reason: `malformed ${fn}`, pos };
        const parts = arg.items.map(ev);
        // A decided operand can settle And/Or even when another is unknown.
        if (fn === "Fn::And" && parts.some((p) => this.truth(p) === false))
          return { k: "val", v: false, origin: LITERAL, pos };
        if (fn === "Fn::Or" && parts.some((p) => this.truth(p) === true))
          return { k: "val", v: true, origin: LITERAL, pos };
        return combine(parts, (vals) => {
          const bools = vals.map((v) => v.v === true || v.v === "true");
          const v = fn === "Fn::Not" ? !bools[0] : fn === "Fn::And" ? bools.every(Boolean) : bools.some(Boolean);
          return { k: "val", v, origin: LITERAL, pos };
        });
      }
      case "Fn::FindInMap":
        return this.findInMap(arg, pos, assume, depth);
      case "Fn::Join": {
        if (arg.t !== "seq" || arg.items.length !== 2) return { k: "unknown", reason: "malformed Fn::Join", pos };
        return combine([ev(arg.items[0] as AstNode), ev(arg.items[1] as AstNode)], ([d, list]) =>
          Array.isArray(list?.v)
            ? { k: "val", v: (list.v as unknown[]).map(String).join(String(d?.v ?? "")), origin: originOf(list), pos }
            : { k: "unknown", reason: "Fn::Join needs a list", pos },
        );
      }
      case "Fn::Select": {
        if (arg.t !== "seq" || arg.items.length !== 2) return { k: "unknown", reason: "malformed Fn::Select", pos };
        return combine([ev(arg.items[0] as AstNode), ev(arg.items[1] as AstNode)], ([i, list]) => {
          const index = Number(i?.v);
          if (!Array.isArray(list?.v) || !Number.isInteger(index) || index < 0 || index >= list.v.length) {
            return { k: "unknown", reason: "Fn::Select index out of range", pos };
          }
          return { k: "val", v: list.v[index], origin: originOf(list), pos };
        });
      }
      case "Fn::Split": {
        if (arg.t !== "seq" || arg.items.length !== 2) return { k: "unknown", reason: "malformed Fn::Split", pos };
        return combine([ev(arg.items[0] as AstNode), ev(arg.items[1] as AstNode)], ([d, s]) => ({
          k: "val",
          v: String(s?.v).split(String(d?.v)),
          origin: originOf(s),
          pos,
        }));
      }
      case "Fn::Sub":
        return this.sub(arg, pos, assume, depth);
      case "Fn::Base64":
        return combine([ev(arg)], ([s]) => ({
          k: "val",
          v: Buffer.from(String(s?.v)).toString("base64"),
          origin: originOf(s),
          pos,
        }));
      case "Fn::Length":
        return combine([ev(arg)], ([l]) =>
          Array.isArray(l?.v)
            ? { k: "val", v: l.v.length, origin: originOf(l), pos }
            : { k: "unknown", reason: "Fn::Length needs a list", pos },
        );
      case "Fn::ToJsonString":
        return combine([ev(arg)], ([v]) => ({ k: "val", v: JSON.stringify(v?.v), origin: originOf(v), pos }));
      case "Fn::GetAtt": {
        const target = arg.t === "seq" ? scalarString(arg.items[0]) : undefined;
        const attribute = arg.t === "seq" ? scalarString(arg.items[1]) : undefined;
        const known = target !== undefined && this.resources.has(target);
        return {
          k: "unknown",
          reason: `Fn::GetAtt ${target ?? "?"}.${attribute ?? "?"} is known only after deployment`,
          pos,
          ...(known ? { refersTo: target } : {}),
        };
      }
      case "Fn::ImportValue":
        return { k: "unknown", reason: "Fn::ImportValue: exported by another stack, known only at deployment", pos };
      case "Fn::GetAZs":
        return {
          k: "unknown",
          reason: "Fn::GetAZs: the region's Availability Zones are known only at deployment",
          pos,
        };
      case "Fn::Cidr":
        return { k: "unknown", reason: "Fn::Cidr is not evaluated", pos };
      default:
        return { k: "unknown", reason: `${fn} is not evaluated`, pos };
    }
  }

  private ref(name: string, pos: Pos): Ev {
    switch (name) {
      case "AWS::NoValue":
        return { k: "novalue", pos };
      case "AWS::Region":
        return this.pseudo(name, this.options.region, "--region", pos);
      case "AWS::AccountId":
        return this.pseudo(name, this.options.accountId, "--account-id", pos);
      case "AWS::StackName":
        return this.pseudo(name, this.options.stackName, "--stack-name", pos);
      case "AWS::Partition": {
        const r = this.options.region ?? "";
        const v = r.startsWith("cn-") ? "aws-cn" : r.startsWith("us-gov-") ? "aws-us-gov" : "aws";
        return { k: "val", v, origin: { kind: "pseudo-parameter", parameter: name }, pos };
      }
      case "AWS::URLSuffix": {
        const v = (this.options.region ?? "").startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
        return { k: "val", v, origin: { kind: "pseudo-parameter", parameter: name }, pos };
      }
      case "AWS::StackId":
      case "AWS::NotificationARNs":
        return { k: "unknown", reason: `${name} is known only at deployment`, pos };
    }
    const param = this.parameters.get(name);
    if (param) {
      if (param.type.startsWith("AWS::SSM::Parameter::Value")) {
        return { k: "unknown", reason: `parameter ${name} is read from SSM Parameter Store at deployment`, pos };
      }
      const trial = this.trial?.get(name);
      if (!param.value && trial !== undefined) {
        return { k: "val", v: trial, origin: { kind: "parameter-default", parameter: name }, pos };
      }
      if (!param.value) {
        return { k: "unknown", reason: `parameter ${name} has no Default and no value was given (--parameters)`, pos };
      }
      const origin: Origin =
        param.value.source === "user"
          ? { kind: "user-parameter", parameter: name }
          : { kind: "parameter-default", parameter: name };
      const raw = param.value.value;
      const dyn = DYNAMIC_REFERENCE.exec(raw);
      if (dyn) return dynamicReference(dyn[1] as string, pos);
      const isList = param.type === "CommaDelimitedList" || param.type.startsWith("List<");
      const v: unknown = isList ? raw.split(",").map((s) => s.trim()) : param.type === "Number" ? Number(raw) : raw;
      return { k: "val", v, origin, pos };
    }
    if (this.resources.has(name)) {
      return { k: "val", v: `Ref(${name})`, origin: LITERAL, pos, refersTo: name };
    }
    return { k: "unknown", reason: `Ref to undefined name ${name}`, pos };
  }

  private pseudo(name: string, value: string | undefined, flag: string, pos: Pos): Ev {
    return value === undefined
      ? { k: "unknown", reason: `${name} is not known (give ${flag})`, pos }
      : { k: "val", v: value, origin: { kind: "pseudo-parameter", parameter: name }, pos };
  }

  private findInMap(arg: AstNode, pos: Pos, assume: ConditionAssumption, depth: number): Ev {
    if (arg.t !== "seq" || arg.items.length < 3) return { k: "unknown", reason: "malformed Fn::FindInMap", pos };
    const keys = arg.items.slice(0, 3).map((n) => this.evaluate(n, assume, depth + 1));
    const fallback = arg.items[3] ? child(arg.items[3], "DefaultValue") : undefined;
    return combine(keys, ([m, k1, k2]) => {
      const mapName = String(m?.v);
      const top = child(child(this.mappings, mapName), String(k1?.v));
      const leaf = child(top, String(k2?.v));
      if (!leaf) {
        if (fallback) return this.evaluate(fallback, assume, depth + 1);
        return { k: "unknown", reason: `Fn::FindInMap: no ${mapName}.${String(k1?.v)}.${String(k2?.v)}`, pos };
      }
      const value = this.evaluate(leaf, assume, depth + 1);
      if (value.k !== "val") return value;
      // The value comes from the mapping, but was selected by whatever chose the keys.
      const selector = [k1, k2].find((k) => k && k.origin.kind !== "literal");
      const origin: Origin = selector ? selector.origin : { kind: "mapping", mapping: mapName };
      return { k: "val", v: value.v, origin, pos };
    });
  }

  private sub(arg: AstNode, pos: Pos, assume: ConditionAssumption, depth: number): Ev {
    const template = arg.t === "seq" ? arg.items[0] : arg;
    const vars = arg.t === "seq" && arg.items[1]?.t === "map" ? arg.items[1] : undefined;
    const text = template?.t === "scalar" ? String(template.value) : undefined;
    if (text === undefined) return { k: "unknown", reason: "malformed Fn::Sub", pos };
    const dyn = DYNAMIC_REFERENCE.exec(text);
    if (dyn) return dynamicReference(dyn[1] as string, pos);
    // ${!Literal} is written out as ${Literal}; every other ${Name} is substituted.
    const names = [...text.matchAll(SUB_VARIABLE)]
      .map((m) => (m[1] as string).trim())
      .filter((n) => !n.startsWith("!"));
    const parts = names.map((name): Ev => {
      const v = vars ? entry(vars, name) : undefined;
      if (v) return this.evaluate(v.value, assume, depth + 1);
      if (name.includes(".")) {
        return { k: "unknown", reason: `Fn::Sub \${${name}} is known only after deployment`, pos };
      }
      return this.ref(name, pos);
    });
    return combine(parts, (vals) => {
      let i = 0;
      const v = text.replace(SUB_VARIABLE, (_whole, name: string) =>
        name.startsWith("!") ? `\${${name.slice(1)}}` : String(vals[i++]?.v),
      );
      const chosen = vals.find((x) => x.origin.kind !== "literal");
      return { k: "val", v, origin: chosen ? chosen.origin : LITERAL, pos };
    });
  }
}

type Val = Extract<Ev, { k: "val" }>;

function cacheKey(name: string, assume: ConditionAssumption): string {
  const keys = Object.keys(assume);
  if (keys.length === 0) return name;
  return `${name}\u0000${keys
    .sort()
    .map((k) => `${k}=${assume[k] ? 1 : 0}`)
    .join(",")}`;
}

/** The conditions that name each other in a cycle, and where the first is defined; CloudFormation rejects it. */
export function conditionCycle(root: AstNode): { members: string[]; pos: Pos } | undefined {
  const conds = child(root, "Conditions");
  if (conds?.t !== "map") return undefined;
  const refs = new Map<string, string[]>();
  const keyPos = new Map<string, Pos>();
  for (const c of conds.entries) {
    const named: string[] = [];
    const walk = (n: AstNode, depth: number) => {
      if (depth > 200) return;
      if (n.t === "seq") for (const i of n.items) walk(i, depth + 1);
      else if (n.t === "map") {
        const only = n.entries.length === 1 ? n.entries[0] : undefined;
        if (only?.key === "Condition" && only.value.t === "scalar") named.push(String(only.value.value));
        else for (const e of n.entries) walk(e.value, depth + 1);
      }
    };
    walk(c.value, 0);
    refs.set(c.key, named);
    keyPos.set(c.key, c.keyPos);
  }
  // Iterative depth-first search: 0 unseen, 1 on the stack, 2 done.
  const state = new Map<string, number>();
  for (const start of refs.keys()) {
    if (state.get(start)) continue;
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { name: string; next: number };
      const out = refs.get(top.name) ?? [];
      if (top.next >= out.length) {
        state.set(top.name, 2);
        stack.pop();
        continue;
      }
      const to = out[top.next++] as string;
      if (!refs.has(to)) continue;
      const seen = state.get(to) ?? 0;
      if (seen === 1) {
        const members = stack.slice(stack.findIndex((f) => f.name === to)).map((f) => f.name);
        return { members, pos: keyPos.get(members[0] as string) as Pos };
      }
      if (seen === 0) {
        state.set(to, 1);
        stack.push({ name: to, next: 0 });
      }
    }
  }
  return undefined;
}

/** How many values an evaluation stands for (1, or the leaves of its forks), counted up to just past `cap`. */
function leaves(ev: Ev, cap: number): number {
  if (ev.k !== "fork") return 1;
  const t = leaves(ev.whenTrue, cap);
  return t > cap ? t : t + leaves(ev.whenFalse, cap - t + 1);
}

function forkConditions(ev: Ev, into: Set<string>): void {
  if (ev.k !== "fork" || into.size > 30) return;
  into.add(ev.condition);
  forkConditions(ev.whenTrue, into);
  forkConditions(ev.whenFalse, into);
}

function tooManyAlternatives(pos: Pos): Ev {
  return {
    k: "unknown",
    reason: `depends on conditions in more than ${MAX_ALTERNATIVES} combinations (alternatives budget)`,
    pos,
  };
}

function originOf(v: Val | undefined): Origin {
  return v?.origin ?? LITERAL;
}

function conditionUnknown(name: string, pos: Pos): Ev {
  return {
    k: "fork",
    condition: name,
    whenTrue: { k: "val", v: true, origin: LITERAL, pos },
    whenFalse: { k: "val", v: false, origin: LITERAL, pos },
    pos,
  };
}

function dynamicReference(service: string, pos: Pos): Ev {
  // The reference itself is never echoed: it may point at a secret.
  return { k: "unknown", reason: `dynamic reference ({{resolve:${service}:...}}) is resolved at deployment`, pos };
}

function scalarString(node: AstNode | undefined): string | undefined {
  return node?.t === "scalar" && node.value !== null ? String(node.value) : undefined;
}

/** Chooses every fork on `condition` in `ev` consistently with `value`. */
export function choose(ev: Ev, condition: string, value: boolean): Ev {
  if (ev.k !== "fork") return ev;
  if (ev.condition === condition) return choose(value ? ev.whenTrue : ev.whenFalse, condition, value);
  return { ...ev, whenTrue: choose(ev.whenTrue, condition, value), whenFalse: choose(ev.whenFalse, condition, value) };
}

/**
 * Applies `f` to the values of `parts`. Forks are lifted (f runs under each branch), unknown wins over values, and
 * AWS::NoValue is dropped from lists (dropNoValue) or passed to f (keepNoValue, for maps).
 */
export function combine(
  parts: Ev[],
  f: (vals: Val[]) => Ev,
  opts: { dropNoValue?: boolean; keepNoValue?: boolean } = {},
): Ev {
  const fork = parts.find((p) => p.k === "fork");
  if (fork && fork.k === "fork") {
    // At most 2^(distinct conditions) values, and at most the product of each part's: both must stay in budget.
    let product = 1;
    const names = new Set<string>();
    for (const p of parts) {
      product *= leaves(p, MAX_ALTERNATIVES);
      forkConditions(p, names);
    }
    if (product > MAX_ALTERNATIVES && 2 ** Math.min(names.size, 30) > MAX_ALTERNATIVES) {
      return tooManyAlternatives(fork.pos);
    }
    return {
      k: "fork",
      condition: fork.condition,
      pos: fork.pos,
      whenTrue: combine(
        parts.map((p) => choose(p, fork.condition, true)),
        f,
        opts,
      ),
      whenFalse: combine(
        parts.map((p) => choose(p, fork.condition, false)),
        f,
        opts,
      ),
    };
  }
  const unknown = parts.find((p) => p.k === "unknown");
  if (unknown) return unknown;
  const vals: Val[] = [];
  for (const p of parts) {
    if (p.k === "val") vals.push(p);
    else if (p.k === "novalue" || p.k === "absent") {
      if (opts.keepNoValue) vals.push({ k: "val", v: undefined, origin: LITERAL, pos: p.pos });
      else if (!opts.dropNoValue) return { k: "unknown", reason: "AWS::NoValue where a value is required", pos: p.pos };
    }
  }
  return f(vals);
}

/** AWS::NoValue removes the property: it is then absent, located at the property's key. */
function removedAt(ev: Ev, anchor: Pos): Ev {
  if (ev.k === "novalue") return { k: "absent", pos: anchor };
  if (ev.k === "fork") {
    return { ...ev, whenTrue: removedAt(ev.whenTrue, anchor), whenFalse: removedAt(ev.whenFalse, anchor) };
  }
  return ev;
}

/** Walks into an evaluated value by path (after an intrinsic produced a whole map or list). */
function descend(ev: Ev, path: (string | number)[], anchor: Pos): Ev {
  if (ev.k === "fork") {
    return { ...ev, whenTrue: descend(ev.whenTrue, path, anchor), whenFalse: descend(ev.whenFalse, path, anchor) };
  }
  if (ev.k !== "val") return ev.k === "novalue" ? { k: "absent", pos: anchor } : ev;
  let v: unknown = ev.v;
  for (const key of path) {
    if (v === null || typeof v !== "object") return { k: "absent", pos: anchor };
    v = (v as Record<string | number, unknown>)[key];
    if (v === undefined) return { k: "absent", pos: anchor };
  }
  return { ...ev, v };
}
