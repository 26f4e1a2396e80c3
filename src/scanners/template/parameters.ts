/**
 * User-supplied parameter values: `--parameters FILE` in the CloudFormation CLI list form
 * (`[{"ParameterKey": "K", "ParameterValue": "V"}]`) or the template-configuration form (`{"Parameters": {"K": "V"}}`),
 * and repeated `--parameter K=V`. Errors name the file, line and column. The values are then checked against each
 * template's declarations as CloudFormation would (checkParameterValues).
 */
import type { ScanError } from "../../model/errors.js";
import { readTextFileSync } from "../../util/read-file.js";
import { type AstNode, child, toPlain } from "./ast.js";
import { parseTemplateText } from "./parse.js";

export type ParameterValues = Record<string, string>;

export function loadParameterFile(path: string): { values: ParameterValues; error?: ScanError } {
  const read = readTextFileSync(path);
  if (!read.ok) {
    return {
      values: {},
      error: { kind: "parameters", file: path, message: `cannot read parameters file: ${read.message}` },
    };
  }
  const parsed = parseTemplateText(read.text);
  if (!parsed.ok) {
    return {
      values: {},
      error: {
        kind: "parameters",
        file: path,
        line: parsed.error.line,
        column: parsed.error.column,
        message: parsed.error.message,
      },
    };
  }
  const fail = (message: string, line = parsed.root.pos.line, column = parsed.root.pos.column) => ({
    values: {},
    error: { kind: "parameters" as const, file: path, line, column, message },
  });
  const plain = toPlain(parsed.root);
  const values: ParameterValues = {};
  if (Array.isArray(plain)) {
    for (const [i, item] of plain.entries()) {
      const node = parsed.root.t === "seq" ? parsed.root.items[i] : undefined;
      const p = item as { ParameterKey?: unknown; ParameterValue?: unknown; UsePreviousValue?: unknown };
      if (typeof p?.ParameterKey !== "string") {
        return fail("each entry needs a string ParameterKey", node?.pos.line, node?.pos.column);
      }
      if (p.UsePreviousValue === true) continue;
      if (p.ParameterValue === undefined || p.ParameterValue === null || typeof p.ParameterValue === "object") {
        return fail(`ParameterValue of ${p.ParameterKey} must be a string`, node?.pos.line, node?.pos.column);
      }
      values[p.ParameterKey] = String(p.ParameterValue);
    }
    return { values };
  }
  const params = (plain as { Parameters?: unknown })?.Parameters;
  if (params && typeof params === "object" && !Array.isArray(params)) {
    for (const [k, v] of Object.entries(params)) {
      if (v === null || typeof v === "object") return fail(`value of parameter ${k} must be a string`);
      values[k] = String(v);
    }
    return { values };
  }
  return fail('expected a list of {"ParameterKey", "ParameterValue"} or {"Parameters": {...}}');
}

/** Parses `Key=Value` (the value may itself contain '='). */
export function parseParameterFlag(flag: string): { key: string; value: string } | undefined {
  const eq = flag.indexOf("=");
  if (eq <= 0) return undefined;
  return { key: flag.slice(0, eq), value: flag.slice(eq + 1) };
}

/** The parameter names a template declares. */
export function declaredParameters(root: AstNode): string[] {
  const params = child(root, "Parameters");
  return params?.t === "map" ? params.entries.map((e) => e.key) : [];
}

/**
 * What CloudFormation would reject about the values you gave (--parameters, --parameter) for the parameters this
 * template declares: a value of the wrong Type (Number, List<Number>), outside AllowedValues, not matching
 * AllowedPattern (the whole value), or outside MinLength/MaxLength or MinValue/MaxValue. Each is an error at the
 * parameter's declaration. Values never appear in the message when the parameter is NoEcho.
 */
export function checkParameterValues(root: AstNode, given: ParameterValues, file: string): ScanError[] {
  const params = child(root, "Parameters");
  if (params?.t !== "map") return [];
  const errors: ScanError[] = [];
  for (const p of params.entries) {
    const value = given[p.key];
    if (value === undefined) continue;
    const problem = parameterProblem(p.value, value);
    if (problem === undefined) continue;
    const noEcho = String(scalar(child(p.value, "NoEcho")) ?? "").toLowerCase() === "true";
    const shown = noEcho ? "the value given (NoEcho)" : `'${value}'`;
    errors.push({
      kind: "parameters",
      file,
      line: p.keyPos.line,
      column: p.keyPos.column,
      message: `parameter ${p.key}: ${shown} ${problem}; CloudFormation would reject it`,
    });
  }
  return errors;
}

function scalar(node: AstNode | undefined): string | number | boolean | null | undefined {
  return node?.t === "scalar" ? node.value : undefined;
}

function numberOf(node: AstNode | undefined): number | undefined {
  const v = scalar(node);
  if (v === undefined || v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Why `value` is not acceptable for the parameter `declaration`, or undefined. */
function parameterProblem(declaration: AstNode, value: string): string | undefined {
  const type = String(scalar(child(declaration, "Type")) ?? "String");
  const isList = type === "CommaDelimitedList" || type.startsWith("List<");
  const items = isList ? value.split(",").map((s) => s.trim()) : [value];
  const numeric = type === "Number" || type === "List<Number>";
  if (numeric) {
    const bad = items.find((i) => i === "" || !Number.isFinite(Number(i)));
    if (bad !== undefined) return `is not a number (Type ${type})`;
  }
  const allowed = child(declaration, "AllowedValues");
  if (allowed?.t === "seq") {
    const values = allowed.items.map((i) => String(scalar(i) ?? ""));
    const bad = items.find((i) => !values.includes(i) && !(numeric && values.some((v) => Number(v) === Number(i))));
    if (bad !== undefined) return `is not one of the AllowedValues (${values.join(", ")})`;
  }
  const pattern = scalar(child(declaration, "AllowedPattern"));
  if (typeof pattern === "string") {
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${pattern})$`, "u");
    } catch {
      re = undefined;
    }
    if (re && items.some((i) => !re.test(i))) return `does not match the AllowedPattern ${pattern}`;
  }
  if (type === "String" || type === "CommaDelimitedList") {
    const min = numberOf(child(declaration, "MinLength"));
    const max = numberOf(child(declaration, "MaxLength"));
    if (min !== undefined && value.length < min) return `is shorter than MinLength ${min}`;
    if (max !== undefined && value.length > max) return `is longer than MaxLength ${max}`;
  }
  if (numeric) {
    const min = numberOf(child(declaration, "MinValue"));
    const max = numberOf(child(declaration, "MaxValue"));
    if (min !== undefined && items.some((i) => Number(i) < min)) return `is below MinValue ${min}`;
    if (max !== undefined && items.some((i) => Number(i) > max)) return `is above MaxValue ${max}`;
  }
  return undefined;
}
