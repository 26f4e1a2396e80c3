/**
 * A positioned JSON reader: one pass over the text that counts lines while it skips whitespace and builds the AST
 * directly, several times faster than a general tokenizer plus a conversion. It accepts strict ECMA-404 JSON only
 * and gives up (undefined) on anything else (an error, a duplicate key, unusual whitespace), so that the exact
 * path (jsonc-parser) decides what to say about it. Nesting and size are budgeted with a located error.
 */
import type { AstNode, MapEntry, Pos } from "./ast.js";
import { MAX_NESTING, MAX_NODES } from "./budgets.js";

export type FastJson = { ok: true; root: AstNode } | { ok: false; budget: string; pos: Pos } | undefined;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be found (JSON forbids them raw)
const NEEDS_DECODING = /[\\\u0000-\u001f]/;

class GiveUp extends Error {}
const GIVE_UP = new GiveUp();

export function parseJsonFast(text: string): FastJson {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let nodes = 0;
  const n = text.length;
  let budget: { message: string; pos: Pos } | undefined;

  const pos = (at: number): Pos => ({ line, column: at - lineStart + 1 });
  const skip = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
      if (c === 0x0a) {
        line++;
        lineStart = i + 1;
        continue;
      }
      return;
    }
  };
  const string = (): string => {
    // i is at the opening quote.
    const start = i + 1;
    let end = text.indexOf('"', start);
    while (end > 0) {
      let backslashes = 0;
      for (let j = end - 1; j >= start && text.charCodeAt(j) === 0x5c; j--) backslashes++;
      if (backslashes % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    if (end < 0) throw GIVE_UP;
    i = end + 1;
    const raw = text.slice(start, end);
    if (!NEEDS_DECODING.test(raw)) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      throw GIVE_UP;
    }
  };
  const value = (depth: number): AstNode => {
    if (++nodes > MAX_NODES) {
      budget ??= { message: `more than ${MAX_NODES} values in one file (memory budget)`, pos: pos(i) };
      throw GIVE_UP;
    }
    const c = text.charCodeAt(i);
    const at = pos(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth >= MAX_NESTING) {
        budget ??= { message: `nesting deeper than ${MAX_NESTING} levels`, pos: at };
        throw GIVE_UP;
      }
      i++;
      skip();
      if (c === 0x5b) {
        const items: AstNode[] = [];
        if (text.charCodeAt(i) === 0x5d) {
          i++;
          return { t: "seq", items, pos: at };
        }
        for (;;) {
          items.push(value(depth + 1));
          skip();
          const d = text.charCodeAt(i++);
          if (d === 0x5d) return { t: "seq", items, pos: at };
          if (d !== 0x2c) throw GIVE_UP;
          skip();
        }
      }
      const entries: MapEntry[] = [];
      let seen: Set<string> | undefined;
      if (text.charCodeAt(i) === 0x7d) {
        i++;
        return { t: "map", entries, pos: at };
      }
      for (;;) {
        if (text.charCodeAt(i) !== 0x22) throw GIVE_UP;
        const keyPos = pos(i);
        const key = string();
        if (entries.length < 16) {
          for (const e of entries) if (e.key === key) throw GIVE_UP;
        } else {
          if (!seen) seen = new Set(entries.map((e) => e.key));
          if (seen.has(key)) throw GIVE_UP;
        }
        seen?.add(key);
        skip();
        if (text.charCodeAt(i++) !== 0x3a) throw GIVE_UP;
        skip();
        entries.push({ key, keyPos, value: value(depth + 1) });
        skip();
        const d = text.charCodeAt(i++);
        if (d === 0x7d) return { t: "map", entries, pos: at };
        if (d !== 0x2c) throw GIVE_UP;
        skip();
      }
    }
    if (c === 0x22) return { t: "scalar", value: string(), pos: at };
    if (c === 0x74 && text.startsWith("true", i)) {
      i += 4;
      return { t: "scalar", value: true, pos: at };
    }
    if (c === 0x66 && text.startsWith("false", i)) {
      i += 5;
      return { t: "scalar", value: false, pos: at };
    }
    if (c === 0x6e && text.startsWith("null", i)) {
      i += 4;
      return { t: "scalar", value: null, pos: at };
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) throw GIVE_UP;
    i += m[0].length;
    return { t: "scalar", value: Number(m[0]), pos: at };
  };

  try {
    skip();
    if (i >= n) return undefined;
    const root = value(0);
    skip();
    if (i < n) return undefined;
    return { ok: true, root };
  } catch (err) {
    if (err !== GIVE_UP) {
      if (err instanceof RangeError) return undefined;
      throw err;
    }
    return budget ? { ok: false, budget: budget.message, pos: budget.pos } : undefined;
  }
}
