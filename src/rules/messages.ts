/**
 * Message text shared by every rule: a value together with where it came from ("StorageEncrypted is false (default
 * of parameter DbEncrypted)"), condition labels ("IsProd=false"), and the suffix of a conditionally created resource.
 */
import type { Attr, ConditionAssumption, ModelResource, Origin, Resolved } from "../model/types.js";
import { simplifyAssumptions } from "./alternatives.js";
import { MAX_QUOTED_LENGTH, quoteText } from "./quote.js";

export function formatValue(value: unknown): string {
  if (typeof value === "string") return quoteText(value);
  if (Array.isArray(value)) return quoteText(`[${value.map(formatValue).join(", ")}]`, MAX_QUOTED_LENGTH * 4);
  return quoteText(String(value));
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

/** "IsProd=false, UseKms=true"; empty string for no assumption. */
export function assumptionLabel(when: ConditionAssumption): string {
  return Object.entries(when)
    .map(([name, value]) => `${name}=${value}`)
    .join(", ");
}

/** Label for a set of assumptions: "IsProd=false" or "IsProd=false or UseKms=true". Empty when unconditional. */
export function assumptionsLabel(list: ConditionAssumption[]): string {
  const simplified = simplifyAssumptions(list);
  if (simplified.some((a) => Object.keys(a).length === 0)) return "";
  return simplified.map(assumptionLabel).join(" or ");
}

/** " (only created when IsProd)" for a resource whose Condition could not be decided. */
export function conditionSuffix(resource: ModelResource): string {
  if (resource.condition && resource.condition.value === "unknown") {
    return ` (only created when ${resource.condition.name})`;
  }
  return "";
}
