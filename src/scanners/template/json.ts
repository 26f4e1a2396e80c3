/**
 * A positioned JSON reader: one pass over the text that counts lines while it skips whitespace and builds the AST
 * directly, several times faster than a general tokenizer plus a conversion. It accepts strict ECMA-404 JSON only
 * and gives up (undefined) on anything else (an error, a duplicate key, unusual whitespace), so that the exact
 * path (jsonc-parser) decides what to say about it. Nesting and size are budgeted with a located error.
 *
 * Issue 17, measured (bench/json-parse.mjs): the pass is one loop with every cursor in a local variable (no
 * recursion, no closures), so that the hot loops stay in registers; the indentation after a line break, about half
 * the bytes of a pretty-printed template, is skipped by a sticky regular expression rather than one character at a
 * time.
 */
import type { AstNode, MapEntry, MapNode, Pos, SeqNode } from "./ast.js";
import { MAX_NESTING, MAX_NODES } from "./budgets.js";

export type FastJson = { ok: true; root: AstNode } | { ok: false; budget: string; pos: Pos } | undefined;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** The indentation after a line break. */
const SPACES = / */y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be found (JSON forbids them raw)
const NEEDS_DECODING = /[\\\u0000-\u001f]/;

export function parseJsonFast(text: string): FastJson {
  const n = text.length;
  let i = 0;
  let c = 0;
  let line = 1;
  let lineStart = 0;
  let nodes = 0;
  let depth = 0;
  /** The containers open around `top`, outermost first, and the key sets of the large maps among them. */
  const stack: (MapNode | SeqNode)[] = [];
  const seenStack: (Set<string> | undefined)[] = [];
  let top: MapNode | SeqNode | undefined;
  let seen: Set<string> | undefined;
  /** The entry of `top` (a map) whose value comes next. */
  let entry: MapEntry | undefined;
  let root: AstNode | undefined;

  // Whitespace is skipped inline (the same six lines at each place), so that `i` and `line` never leave the frame.
  for (; ; i++) {
    c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
    if (c === 0x0a) {
      line++;
      lineStart = i + 1;
      SPACES.lastIndex = lineStart;
      SPACES.test(text);
      i = SPACES.lastIndex - 1;
      continue;
    }
    break;
  }
  if (i >= n) return undefined;

  for (;;) {
    // A value starts at i; c is its first character.
    const pos: Pos = { line, column: i - lineStart + 1 };
    if (++nodes > MAX_NODES) {
      return { ok: false, budget: `more than ${MAX_NODES} values in one file (memory budget)`, pos };
    }
    let node: AstNode;
    let opened = false;
    if (c === 0x22 /* " */) {
      const start = i + 1;
      for (i = start; ; i++) {
        c = text.charCodeAt(i);
        if (c === 0x22) break;
        if (c === 0x5c || c < 0x20 || i >= n) break;
      }
      let value: string;
      if (c === 0x22) value = text.slice(start, i++);
      else {
        const end = stringEnd(text, start);
        const decoded = end < 0 ? undefined : decode(text, start, end);
        if (decoded === undefined) return undefined;
        value = decoded;
        i = end + 1;
      }
      node = { t: "scalar", value, pos };
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth >= MAX_NESTING) return { ok: false, budget: `nesting deeper than ${MAX_NESTING} levels`, pos };
      node = c === 0x7b ? { t: "map", entries: [], pos } : { t: "seq", items: [], pos };
      opened = true;
      i++;
    } else if (c === 0x74 && text.startsWith("true", i)) {
      i += 4;
      node = { t: "scalar", value: true, pos };
    } else if (c === 0x66 && text.startsWith("false", i)) {
      i += 5;
      node = { t: "scalar", value: false, pos };
    } else if (c === 0x6e && text.startsWith("null", i)) {
      i += 4;
      node = { t: "scalar", value: null, pos };
    } else {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) return undefined;
      i += m[0].length;
      node = { t: "scalar", value: Number(m[0]), pos };
    }
    if (top === undefined) root = node;
    else if (entry !== undefined) {
      entry.value = node;
      entry = undefined;
    } else (top as SeqNode).items.push(node);
    if (opened) {
      if (top !== undefined) {
        stack.push(top);
        seenStack.push(seen);
      }
      top = node as MapNode | SeqNode;
      seen = undefined;
      depth++;
    }

    // After a value (or an opening bracket): a comma, a closing bracket, or the first item or key.
    for (;;) {
      for (; ; i++) {
        c = text.charCodeAt(i);
        if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
        if (c === 0x0a) {
          line++;
          lineStart = i + 1;
          SPACES.lastIndex = lineStart;
          SPACES.test(text);
          i = SPACES.lastIndex - 1;
          continue;
        }
        break;
      }
      if (top === undefined) return i >= n && root !== undefined ? { ok: true, root } : undefined;
      const isMap = top.t === "map";
      const close = isMap ? 0x7d : 0x5d;
      if (opened) {
        opened = false;
        if (c !== close && !isMap) break; // the first item
      } else if (c === 0x2c /* , */) {
        for (i++; ; i++) {
          c = text.charCodeAt(i);
          if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
          if (c === 0x0a) {
            line++;
            lineStart = i + 1;
            SPACES.lastIndex = lineStart;
            SPACES.test(text);
            i = SPACES.lastIndex - 1;
            continue;
          }
          break;
        }
        if (!isMap) break; // the next item
        c = c === close ? -1 : c; // a trailing comma: not JSON
      } else if (c !== close) return undefined;
      if (c === close) {
        i++;
        depth--;
        top = stack.pop();
        seen = seenStack.pop();
        continue;
      }

      // A key of the map `top`.
      if (c !== 0x22) return undefined;
      const keyPos: Pos = { line, column: i - lineStart + 1 };
      const start = i + 1;
      for (i = start; ; i++) {
        c = text.charCodeAt(i);
        if (c === 0x22) break;
        if (c === 0x5c || c < 0x20 || i >= n) break;
      }
      let key: string;
      if (c === 0x22) key = text.slice(start, i++);
      else {
        const end = stringEnd(text, start);
        const decoded = end < 0 ? undefined : decode(text, start, end);
        if (decoded === undefined) return undefined;
        key = decoded;
        i = end + 1;
      }
      const entries = (top as MapNode).entries;
      if (seen === undefined) {
        for (let k = 0; k < entries.length; k++) if ((entries[k] as MapEntry).key === key) return undefined;
        if (entries.length >= 16) seen = new Set(entries.map((e) => e.key)).add(key);
      } else {
        if (seen.has(key)) return undefined;
        seen.add(key);
      }
      for (; ; i++) {
        c = text.charCodeAt(i);
        if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
        if (c === 0x0a) {
          line++;
          lineStart = i + 1;
          SPACES.lastIndex = lineStart;
          SPACES.test(text);
          i = SPACES.lastIndex - 1;
          continue;
        }
        break;
      }
      if (c !== 0x3a /* : */) return undefined;
      for (i++; ; i++) {
        c = text.charCodeAt(i);
        if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
        if (c === 0x0a) {
          line++;
          lineStart = i + 1;
          SPACES.lastIndex = lineStart;
          SPACES.test(text);
          i = SPACES.lastIndex - 1;
          continue;
        }
        break;
      }
      entry = { key, keyPos, value: undefined as unknown as AstNode };
      entries.push(entry);
      break; // its value
    }
  }
}

/** The closing quote of the string whose content starts at `start` (escapes skipped), or -1. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start);
  while (end > 0) {
    let backslashes = 0;
    for (let j = end - 1; j >= start && text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** The value of a string with escapes, or undefined when it is not strict JSON (a raw control character...). */
function decode(text: string, start: number, end: number): string | undefined {
  const raw = text.slice(start, end);
  if (!NEEDS_DECODING.test(raw)) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
