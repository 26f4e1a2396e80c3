/**
 * Maps a JSON path (as ajv reports it) back to the YAML node the user wrote, so every policy error names
 * file:line:col. Walks the document by hand because map keys may be non-string scalars (e.g. `123: x`).
 * The same walk, done once at build time, gives the shipped rules.yaml its positions without parsing it at run
 * time (positionTree; scripts/compile-policy.mjs).
 */
import type { Document, LineCounter, Node } from "yaml";
import type { ScanError, ScanErrorKind } from "../model/errors.js";
import { yamlLibrary } from "../util/lazy.js";

export interface NodePosition {
  line: number;
  column: number;
}

/**
 * Position of the node at `path`; with `key` set, of that key inside the map at `path` (for unknown keys).
 * Falls back to the nearest ancestor that exists.
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly string[],
  key?: string,
): NodePosition | undefined {
  let node: unknown = doc.contents;
  let complete = true;
  for (const segment of path) {
    const child = childOf(node, segment);
    if (child === undefined) {
      complete = false;
      break;
    }
    node = child.value ?? child.key;
  }
  let best = node;
  if (key !== undefined && complete) {
    const entry = childOf(node, key);
    if (entry?.key) best = entry.key;
  }
  return positionOf(best, lineCounter);
}

function childOf(node: unknown, segment: string): { key?: unknown; value: unknown } | undefined {
  const { isMap, isPair, isScalar, isSeq } = yamlLibrary();
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === segment) return { key: pair.key, value: pair.value ?? undefined };
    }
    return undefined;
  }
  if (isSeq(node)) {
    const item = node.items[Number(segment)];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function positionOf(node: unknown, lineCounter: LineCounter): NodePosition | undefined {
  const range = (node as Node | null | undefined)?.range;
  if (!range) return undefined;
  const { line, col } = lineCounter.linePos(range[0]);
  return { line, column: col };
}

/**
 * Every position `locate` can give in a document, as plain data: `p` the node's [line, column], `k` its key's (in
 * a map), `m` a map's entries by key (the first of a repeated key, as `locate` finds it), `s` a sequence's items.
 */
export interface PositionTree {
  p?: [number, number];
  k?: [number, number];
  m?: Record<string, PositionTree>;
  s?: PositionTree[];
}

export function positionTree(doc: Document, lineCounter: LineCounter): PositionTree {
  const { isMap, isPair, isScalar, isSeq } = yamlLibrary();
  const at = (node: unknown): [number, number] | undefined => {
    const pos = positionOf(node, lineCounter);
    return pos ? [pos.line, pos.column] : undefined;
  };
  const walk = (node: unknown): PositionTree => {
    const tree: PositionTree = {};
    const p = at(node);
    if (p) tree.p = p;
    if (isMap(node)) {
      const m: Record<string, PositionTree> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const segment = String(isScalar(pair.key) ? pair.key.value : pair.key);
        if (Object.hasOwn(m, segment)) continue;
        const entry = walk(pair.value ?? pair.key);
        const k = pair.key ? at(pair.key) : undefined;
        m[segment] = k ? { k, ...entry } : entry;
      }
      tree.m = m;
    } else if (isSeq(node)) {
      tree.s = node.items.map(walk);
    }
    return tree;
  };
  return walk(doc.contents);
}

/** `locate` over a PositionTree: the same answers without the document. */
export function locateInTree(tree: PositionTree, path: readonly string[], key?: string): NodePosition | undefined {
  let node = tree;
  let complete = true;
  for (const segment of path) {
    const child = treeChild(node, segment);
    if (child === undefined) {
      complete = false;
      break;
    }
    node = child;
  }
  let best = node.p;
  if (key !== undefined && complete) best = treeChild(node, key)?.k ?? best;
  return best ? { line: best[0], column: best[1] } : undefined;
}

function treeChild(node: PositionTree, segment: string): PositionTree | undefined {
  if (node.m) return Object.hasOwn(node.m, segment) ? node.m[segment] : undefined;
  if (node.s) return node.s[Number(segment)];
  return undefined;
}

/** A YAML file parsed with positions: its syntax errors at file:line:col, and where any path in it is written. */
export interface LocatedYaml {
  errors: ScanError[];
  /** The document as plain data (undefined when there are errors). */
  value: unknown;
  /** Where the node at `path` (with `key`: that key) is written, else its nearest ancestor; see `locate`. */
  position(path: readonly string[], key?: string): NodePosition | undefined;
  /** file:line:col of the node at `path` (with `key`: of that key), falling back to 1:1. */
  at(path: readonly string[], key?: string): Pick<ScanError, "file" | "line" | "column">;
}

/** A file whose value and positions were taken at build time (the shipped rules.yaml). */
export function locatedFromTree(value: unknown, tree: PositionTree, file: string): LocatedYaml {
  const position = (path: readonly string[], key?: string) => locateInTree(tree, path, key);
  return {
    errors: [],
    value,
    position,
    at: (path, key) => ({ file, ...(position(path, key) ?? { line: 1, column: 1 }) }),
  };
}

/** Parses YAML written by people (policy files, test cases); `kind` is what its syntax errors are reported as. */
export function parseLocatedYaml(text: string, file: string, kind: ScanErrorKind): LocatedYaml {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const errors = doc.errors.map((e): ScanError => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return { kind, file, line, column: col, message: `invalid YAML: ${e.message}` };
  });
  let value: unknown;
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // The yaml library refuses to expand aliases past the cap (an "alias bomb"); say where the first alias is.
      const { line, col } = lineCounter.linePos(firstAliasOffset(doc) ?? 0);
      errors.push({
        kind,
        file,
        line,
        column: col,
        message: `invalid YAML: ${
          err instanceof ReferenceError
            ? `its aliases expand past the limit of ${MAX_ALIAS_COUNT} (write the values out, or use fewer aliases)`
            : String(err)
        }`,
      });
    }
  }
  const position = (path: readonly string[], key?: string) => locate(doc, lineCounter, path, key);
  return {
    errors,
    value,
    position,
    at: (path, key) => ({ file, ...(position(path, key) ?? { line: 1, column: 1 }) }),
  };
}

/** How many alias expansions a people-written YAML file may make (the yaml library's own default). */
export const MAX_ALIAS_COUNT = 100;

function firstAliasOffset(doc: Document): number | undefined {
  const { visit } = yamlLibrary();
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}
