/**
 * The `AWS::LanguageExtensions` transform's `Fn::ForEach` in the Resources section, expanded before the model is
 * built, as CloudFormation expands it: one resource per item of the collection, the loop's identifier replaced in
 * the output key (`${Id}`, or `&{Id}` with non-alphanumerics removed), in `Ref: Id` and in `Fn::Sub` strings.
 * A loop over a collection known only at deployment, that makes database resources, is reported: those resources
 * cannot be checked, and skipping them silently would pass what was not judged.
 */
import { type AstNode, child, type MapEntry, type MapNode, type Pos } from "./ast.js";
import { type EvalOptions, TemplateContext } from "./intrinsics.js";

const FOR_EACH = "Fn::ForEach::";
/** Resources one loop (nested loops included) may make. */
const MAX_EXPANDED = 10_000;

export interface Expanded {
  root: AstNode;
  problem?: { message: string; pos: Pos };
}

export function expandLanguageExtensions(root: AstNode, options: EvalOptions): Expanded {
  const resources = child(root, "Resources");
  if (root.t !== "map" || resources?.t !== "map") return { root };
  if (!resources.entries.some((e) => e.key.startsWith(FOR_EACH))) return { root };
  const ctx = new TemplateContext(root, options);
  const out: MapEntry[] = [];
  const problem = expandEntries(resources.entries, ctx, out, 0);
  if (problem) return { root, problem };
  const seen = new Set<string>();
  for (const e of out) {
    if (seen.has(e.key)) {
      return { root, problem: { message: `invalid template: Fn::ForEach makes a second ${e.key}`, pos: e.keyPos } };
    }
    seen.add(e.key);
  }
  const expandedResources: MapNode = { t: "map", entries: out, pos: resources.pos };
  return {
    root: {
      ...root,
      entries: root.entries.map((e) => (e.key === "Resources" ? { ...e, value: expandedResources } : e)),
    },
  };
}

function expandEntries(
  entries: MapEntry[],
  ctx: TemplateContext,
  out: MapEntry[],
  depth: number,
): { message: string; pos: Pos } | undefined {
  for (const e of entries) {
    if (!e.key.startsWith(FOR_EACH)) {
      out.push(e);
      continue;
    }
    const loop = e.key.slice(FOR_EACH.length);
    const arg = e.value;
    if (arg.t !== "seq" || arg.items.length !== 3 || depth > 5) {
      return {
        message: `invalid template: ${e.key} takes [Identifier, Collection, {OutputKey: OutputValue}]`,
        pos: e.keyPos,
      };
    }
    const [idNode, collectionNode, outputNode] = arg.items as [AstNode, AstNode, AstNode];
    const id = idNode.t === "scalar" && typeof idNode.value === "string" ? idNode.value : undefined;
    if (id === undefined || outputNode.t !== "map") {
      return {
        message: `invalid template: ${e.key} takes [Identifier, Collection, {OutputKey: OutputValue}]`,
        pos: e.keyPos,
      };
    }
    const items = collection(ctx.evaluate(collectionNode));
    if (items === undefined) {
      if (!makesDatabaseResource(outputNode)) continue;
      return {
        message: `Fn::ForEach::${loop}: its collection is known only at deployment, so the database resources it makes cannot be checked (give the parameter a value with --parameters)`,
        pos: e.keyPos,
      };
    }
    for (const item of items) {
      const made: MapEntry[] = outputNode.entries.map((o) => ({
        key: substitute(o.key, id, item),
        keyPos: o.keyPos,
        value: replace(o.value, id, item, false),
      }));
      const problem = expandEntries(made, ctx, out, depth + 1);
      if (problem) return problem;
      if (out.length > MAX_EXPANDED) {
        return { message: `Fn::ForEach::${loop} makes more than ${MAX_EXPANDED} resources`, pos: e.keyPos };
      }
    }
  }
  return undefined;
}

function collection(ev: ReturnType<TemplateContext["evaluate"]>): string[] | undefined {
  if (ev.k !== "val" || !Array.isArray(ev.v)) return undefined;
  const items = ev.v as unknown[];
  return items.every((i) => typeof i === "string" || typeof i === "number") ? items.map(String) : undefined;
}

function makesDatabaseResource(output: MapNode): boolean {
  return output.entries.some((o) => {
    if (o.key.startsWith(FOR_EACH)) {
      const inner = o.value.t === "seq" ? o.value.items[2] : undefined;
      return inner?.t === "map" && makesDatabaseResource(inner);
    }
    const type = child(o.value, "Type");
    return type?.t === "scalar" && /^AWS::(RDS|KMS)::/.test(String(type.value));
  });
}

function substitute(text: string, id: string, value: string): string {
  return text
    .split(`\${${id}}`)
    .join(value)
    .split(`&{${id}}`)
    .join(value.replace(/[^A-Za-z0-9]/g, ""));
}

function replace(node: AstNode, id: string, value: string, inSub: boolean): AstNode {
  switch (node.t) {
    case "scalar":
      return inSub && typeof node.value === "string" ? { ...node, value: substitute(node.value, id, value) } : node;
    case "seq":
      return { ...node, items: node.items.map((i) => replace(i, id, value, inSub)) };
    case "map": {
      const only = node.entries.length === 1 ? node.entries[0] : undefined;
      if (only?.key === "Ref" && only.value.t === "scalar" && only.value.value === id) {
        return { t: "scalar", value, pos: node.pos };
      }
      return {
        ...node,
        entries: node.entries.map((e) => ({
          key: substitute(e.key, id, value),
          keyPos: e.keyPos,
          value: replace(e.value, id, value, inSub || e.key === "Fn::Sub"),
        })),
      };
    }
  }
}
