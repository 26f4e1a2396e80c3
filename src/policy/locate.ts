/**
 * Maps a JSON path (as ajv reports it) back to the YAML node the user wrote, so every policy error names
 * file:line:col. Walks the document by hand because map keys may be non-string scalars (e.g. `123: x`).
 */
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import type { ScanError, ScanErrorKind } from "../model/errors.js";

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
  const offset = rangeStart(best);
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function childOf(node: unknown, segment: string): { key?: unknown; value: unknown } | undefined {
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

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** A YAML file parsed with positions: its syntax errors at file:line:col, and where any path in it is written. */
export interface LocatedYaml {
  doc: Document;
  lineCounter: LineCounter;
  errors: ScanError[];
  /** The document as plain data (undefined when there are errors). */
  value: unknown;
  /** file:line:col of the node at `path` (with `key`: of that key), falling back to 1:1. */
  at(path: readonly string[], key?: string): Pick<ScanError, "file" | "line" | "column">;
}

/** Parses YAML written by people (policy files, test cases); `kind` is what its syntax errors are reported as. */
export function parseLocatedYaml(text: string, file: string, kind: ScanErrorKind): LocatedYaml {
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
  return {
    doc,
    lineCounter,
    errors,
    value,
    at: (path, key) => ({ file, ...(locate(doc, lineCounter, path, key) ?? { line: 1, column: 1 }) }),
  };
}

/** How many alias expansions a people-written YAML file may make (the yaml library's own default). */
export const MAX_ALIAS_COUNT = 100;

function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}
