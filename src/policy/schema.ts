/**
 * The policy JSON Schema (schema/policy.schema.json), narrowed at load time to the rules that exist: rule ids become
 * the only allowed keys of every `rules` map and of a waiver's `rule`, and, when the rules' parameter declarations
 * are given, each rule's `parameters` only its declared names and types. ajv errors become one readable sentence each.
 */
import { readFileSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { RuleParameter } from "../rules/types.js";
import { ajvLibrary } from "../util/lazy.js";
import { packagePath } from "../util/package-root.js";
import { isIsoDate } from "./dates.js";

type JsonSchema = Record<string, unknown>;

let baseSchema: JsonSchema | undefined;

/** The schema file shipped with the package (works from src/ and dist/). */
export function policySchema(): JsonSchema {
  baseSchema ??= JSON.parse(readFileSync(packagePath("schema", "policy.schema.json"), "utf8")) as JsonSchema;
  return baseSchema;
}

const PARAMETER_SCHEMA: Record<RuleParameter["type"], JsonSchema> = {
  integer: { type: "integer" },
  boolean: { type: "boolean" },
  string: { type: "string" },
  "string[]": { type: "array", items: { type: "string" } },
};

export interface RuleCatalogue {
  ruleIds: readonly string[];
  /** Declared parameters by rule id; a rule missing here accepts any parameter names. */
  parameters?: Readonly<Record<string, readonly RuleParameter[]>>;
}

export function compilePolicyValidator(catalogue: RuleCatalogue): ValidateFunction {
  const schema = structuredClone(policySchema());
  const defs = schema.definitions as Record<string, JsonSchema>;
  const ruleSettings = defs.ruleSettings as JsonSchema & { properties: Record<string, JsonSchema> };
  const properties: Record<string, JsonSchema> = {};
  for (const id of catalogue.ruleIds) {
    const declared = catalogue.parameters?.[id];
    properties[id] = declared
      ? {
          ...ruleSettings,
          properties: {
            ...ruleSettings.properties,
            parameters: {
              type: "object",
              additionalProperties: false,
              properties: Object.fromEntries(declared.map((p) => [p.name, PARAMETER_SCHEMA[p.type]])),
            },
          },
        }
      : { $ref: "#/definitions/ruleSettings" };
  }
  defs.ruleSettingsMap = { ...defs.ruleSettingsMap, properties, additionalProperties: false };
  const waiver = defs.waiver as { properties: Record<string, JsonSchema> };
  waiver.properties.rule = { enum: [...catalogue.ruleIds, "*"] };
  // Attribute names are checked by the custom-rule checker, which also knows Tags.<key> and which kinds have what.

  // ajv is loaded here, for a user's policy file: the shipped one is validated by the test suite.
  const { Ajv } = ajvLibrary();
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addFormat("date", { type: "string", validate: isIsoDate });
  return ajv.compile(schema);
}

/** The JSON path of an ajv error as segments ("/rules/a~1b" -> ["rules", "a/b"]). */
export function pathSegments(instancePath: string): string[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** rules.backup-retention.parameters.minimumDays, waivers[0].expires, stackTemplates["my.stack"]. */
export function renderPath(segments: readonly string[], rootLabel = "policy"): string {
  let out = "";
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? rootLabel : out;
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing (empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

function typeName(type: string): string {
  if (type === "object") return "a mapping";
  if (type === "array") return "a list";
  return type;
}

/** Where the error points: the offending value, or for an unknown key the key itself. */
export interface ErrorTarget {
  path: string[];
  key?: string;
  message: string;
}

/** One sentence per ajv error, saying what was expected and what was found. */
export function explainError(error: ErrorObject, catalogue: RuleCatalogue, rootLabel?: string): ErrorTarget {
  const path = pathSegments(error.instancePath);
  const where = renderPath(path, rootLabel);
  const got = describeValue(error.data);
  const last = path[path.length - 1];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type": {
      const types = String(params.type).split(",").map(typeName).join(" or ");
      const hint = path[path.length - 2] === "accounts" ? ' (quote account ids, e.g. "012345678901")' : "";
      return { path, message: `${where} must be ${types}, got ${got}${hint}` };
    }
    case "additionalProperties": {
      const extra = String(params.additionalProperty);
      if (last === "rules") {
        return {
          path,
          key: extra,
          message: `${where}: unknown rule id "${extra}"; known rule ids: ${catalogue.ruleIds.join(", ")}`,
        };
      }
      if (last === "parameters" && path[path.length - 3] === "rules") {
        const ruleId = path[path.length - 2] ?? "";
        const declared = catalogue.parameters?.[ruleId]?.map((p) => p.name) ?? [];
        const known = declared.length > 0 ? `its parameters are: ${declared.join(", ")}` : "it takes no parameters";
        return { path, key: extra, message: `${where}: unknown parameter "${extra}" for rule ${ruleId}; ${known}` };
      }
      const allowed = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      return {
        path,
        key: extra,
        message: `${where}: unknown key "${extra}"${allowed.length > 0 ? `; expected one of: ${allowed.join(", ")}` : ""}`,
      };
    }
    case "required": {
      const missing = String(params.missingProperty);
      const why = path[0] === "waivers" && missing === "reason" ? " (every waiver must say why)" : "";
      return { path, message: `${where} is missing required key "${missing}"${why}` };
    }
    case "enum": {
      if (path[0] === "waivers" && last === "rule") {
        return {
          path,
          message: `${where} must be a known rule id or "*", got ${got}; known rule ids: ${catalogue.ruleIds.join(", ")}`,
        };
      }
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v)).join(", ");
      return { path, message: `${where} must be one of ${allowed}; got ${got}` };
    }
    case "const":
      return { path, message: `${where} must be ${JSON.stringify(params.allowedValue)}, got ${got}` };
    case "format":
      return { path, message: `${where} must be a date written YYYY-MM-DD (a real calendar day), got ${got}` };
    case "pattern": {
      if (last === "reason") return { path, message: `${where} must not be blank (every waiver must say why)` };
      if (path[path.length - 2] === "accounts") {
        return { path, message: `${where} must be a 12-digit AWS account id, got ${got}` };
      }
      return { path, message: `${where} must match ${String(params.pattern)}, got ${got}` };
    }
    case "minLength":
      return { path, message: `${where} must not be empty` };
    case "minItems":
      return { path, message: `${where} must list at least ${String(params.limit)} entry` };
    case "minProperties":
      return {
        path,
        message:
          last === "match"
            ? `${where} must name at least one criterion: tags, stackNames, accounts or paths`
            : `${where} must not be empty`,
      };
    default:
      return { path, message: `${where} ${error.message ?? "is invalid"}` };
  }
}
