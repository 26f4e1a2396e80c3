/**
 * Maps a JSON path (as ajv reports it) back to the YAML node the user wrote, so every policy error names
 * file:line:col. Walks the document by hand because map keys may be non-string scalars (e.g. `123: x`).
 */
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";

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
