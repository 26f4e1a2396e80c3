/** Reading model attributes: the value in effect, the value only when known, whether set, where it is written. */
import type { Attr, ModelResource, Resolved, SourceLocation } from "./types.js";

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

/** Applies `f` to every alternative of an attribute. */
export function mapAttr<T, U>(attr: Attr<T>, f: (value: Resolved<T>) => Resolved<U>): Attr<U> {
  if (attr.state !== "conditional") return f(attr);
  return {
    state: "conditional",
    alternatives: attr.alternatives.map((alt) => ({ when: alt.when, attr: f(alt.attr) })),
    ...(attr.loc ? { loc: attr.loc } : {}),
  };
}
