/**
 * User-supplied parameter values: `--parameters FILE` in the CloudFormation CLI list form
 * (`[{"ParameterKey": "K", "ParameterValue": "V"}]`) or the template-configuration form (`{"Parameters": {"K": "V"}}`),
 * and repeated `--parameter K=V`. Errors name the file, line and column.
 */
import type { ScanError } from "../../model/errors.js";
import { readTextFileSync } from "../../util/read-file.js";
import { toPlain } from "./ast.js";
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
