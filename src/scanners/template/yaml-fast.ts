/**
 * The positioned fast YAML reader (issue 17): js-yaml's loader with its `listener` hook, which is called when every
 * node opens (at its offset, before separation space) and closes (with its kind, tag and constructed value). The
 * AST (ast.ts) is built from those events in one pass, positions included, with the same shape and the same
 * line/column as the exact path (`yaml`'s parseDocument in parse.ts) gives. It gives up (undefined) on anything
 * unusual, so that the exact path decides and reports it with today's messages and positions: any error, duplicate
 * keys, anchors and aliases, merge keys (<<), complex or explicit (?) keys, tagged keys, several documents,
 * directives (%YAML, %TAG), `!!` and verbatim tags, unknown local tags, empty list items, flow-mapping keys without
 * a value, a tagged empty value, a lone CR line break, and any budget reached (nesting, values per file).
 *
 * CloudFormation's YAML dialect, decided once for both paths (README "Known limits"): YAML 1.2 core scalars, as the
 * exact path has always read them. `true`/`false` (and `True`, `TRUE`...) are booleans; `yes`, `no`, `on`, `off`,
 * `y`, `n` stay strings (CloudFormation's own YAML 1.1 reader would make some of them booleans; a string "yes"
 * where a boolean is expected reads as an unknown value, never as a wrong verdict). `null`, `Null`, `NULL`, `~` and
 * an empty value are null. Integers are decimal, `0o17` octal and `0x1F` hex; `017` is decimal 17 (not YAML 1.1's
 * octal 15) and `1_000` is a string. Floats: `1.5`, `.5`, `1.`, `1e3`, `.inf`, `-.inf`, `.nan`. Merge keys are
 * rejected, `!!` tags limited to the core ones (the exact path), the short-form intrinsic tags (!Ref, !Sub...)
 * become their long form and namespaced pre-processor tags (!Rain::Embed) are kept. A document that declares
 * `%YAML 1.1` goes to the exact path, which reads it as YAML 1.1 (yes/no booleans, 017 octal).
 */
import { type EventType, FAILSAFE_SCHEMA, type LoadOptions, load, type State, Type } from "js-yaml";
import type { AstNode, MapEntry, Pos } from "./ast.js";
import { MAX_NESTING, MAX_NODES } from "./budgets.js";

/** Short-form tag -> long form (the same table as the exact path's). */
export type ShortForms = Readonly<Record<string, string>>;

const NUMBER =
  /^(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const DECIMAL = /^[-+]?[0-9]+$/;

/** YAML 1.2 core schema scalars, resolved exactly as the `yaml` package's core schema does. */
const coreNull = new Type("tag:yaml.org,2002:null", {
  kind: "scalar",
  resolve: (s: string) => s === "~" || s === "null" || s === "Null" || s === "NULL",
  construct: () => null,
});
const coreBool = new Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (s: string) =>
    s === "true" || s === "false" || s === "True" || s === "False" || s === "TRUE" || s === "FALSE",
  construct: (s: string) => s.charCodeAt(0) === 0x74 || s.charCodeAt(0) === 0x54,
});
const coreNumber = new Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (s: string) => {
    const c = s.charCodeAt(0);
    // digits, +, -, .
    return ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) && NUMBER.test(s);
  },
  construct: (s: string) => {
    if (DECIMAL.test(s)) return Number.parseInt(s, 10);
    if (s.startsWith("0o")) return Number.parseInt(s.slice(2), 8);
    if (s.startsWith("0x")) return Number.parseInt(s.slice(2), 16);
    const tail = s.slice(-3).toLowerCase();
    if (tail === "nan") return Number.NaN;
    if (tail === "inf") return s.charCodeAt(0) === 0x2d ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number.parseFloat(s);
  },
});
/** Every local tag (`!Ref`, `!Rain::Embed`...) is read as its plain value; the listener checks and rewrites it. */
const localTags = (["scalar", "sequence", "mapping"] as const).map(
  (kind) => new Type("!", { kind, multi: true, construct: (data: unknown) => data }),
);
const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [coreNull, coreBool, coreNumber], explicit: localTags });

/** Why the fast reader left a file to the exact path (the equality test lists them). */
class Fallback extends Error {}
const fallback = (why: string) => new Fallback(why);

/** YAML text (no BOM) -> AST, or undefined when the exact path must decide. */
export function parseYamlFast(text: string, shortForms: ShortForms, namespacedTag: RegExp): AstNode | undefined {
  const read = readYamlFast(text, shortForms, namespacedTag);
  return typeof read === "string" ? undefined : read;
}

/** The AST, or why the exact path must decide. */
export function readYamlFast(text: string, shortForms: ShortForms, namespacedTag: RegExp): AstNode | string {
  // Directives switch the YAML version or tag handles; a lone CR is a line break to js-yaml but not to `yaml`.
  if (text.charCodeAt(0) === 0x25 || text.includes("\n%")) return "directive";
  if (text.includes("\r") && /\r(?!\n)/.test(text)) return "lone CR line break";
  // Per open node, indexed by depth: where its content starts (after separation space and a tag) and its tag.
  const start: number[] = [];
  const startPos: Pos[] = [];
  const openAt: number[] = [];
  const openLine: number[] = [];
  const openLineStart: number[] = [];
  const tags: (string | null)[] = [];
  const tagPos: (Pos | null)[] = [];
  /** Column after a tag and its blanks (where a tagged empty value is). */
  const afterTag: number[] = [];
  const kidBase: number[] = [];
  // Nodes closed and not yet taken by their parent: the AST node, js-yaml's value, whether it may be a plain key.
  const kids: AstNode[] = [];
  const values: unknown[] = [];
  const plainKey: boolean[] = [];
  let top = 0;
  let depth = 0;
  let nodes = 0;

  const open = (s: State) => {
    const input = s.input;
    let i = s.position;
    let line = s.line;
    let lineStart = s.lineStart;
    openAt[depth] = i;
    openLine[depth] = line;
    openLineStart[depth] = lineStart;
    let c = input.charCodeAt(i);
    let tag: string | null = null;
    let tagAt: Pos | null = null;
    for (let round = 0; ; round++) {
      // Separation space: blanks, comments, line breaks (the node may start on a later line).
      for (;;) {
        if (c === 0x20 || c === 0x09) c = input.charCodeAt(++i);
        else if (c === 0x0a) {
          lineStart = ++i;
          line++;
          c = input.charCodeAt(i);
        } else if (c === 0x0d) c = input.charCodeAt(++i);
        else if (c === 0x23 /* # */) {
          do c = input.charCodeAt(++i);
          while (c !== 0x0a && c !== 0x0d && c !== 0);
        } else break;
      }
      if (c === 0x21 /* ! */ && round === 0) {
        const from = i;
        do c = input.charCodeAt(++i);
        while (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0);
        tag = input.slice(from, i);
        // `!!str`, `!<tag:...>`: the exact path knows which core tags CloudFormation reads.
        if (tag.charCodeAt(1) === 0x21 || tag.charCodeAt(1) === 0x3c) throw fallback(`tag ${tag}`);
        tagAt = { line: line + 1, column: from - lineStart + 1 };
        // A tagged empty value is "" right after the tag and its blanks, as `yaml` reads it.
        let j = i;
        while (input.charCodeAt(j) === 0x20 || input.charCodeAt(j) === 0x09) j++;
        afterTag[depth] = j - lineStart + 1;
        continue;
      }
      break;
    }
    if (c === 0x26 /* & */ || c === 0x2a /* * */ || c === 0x21) throw fallback("anchor, alias or second tag");
    start[depth] = i;
    startPos[depth] = { line: line + 1, column: i - lineStart + 1 };
    tags[depth] = tag;
    tagPos[depth] = tagAt;
    kidBase[depth] = top;
    depth++;
  };

  const close = (s: State) => {
    const d = --depth;
    if (++nodes > MAX_NODES) throw fallback("values per file budget");
    const base = kidBase[d] as number;
    const result = s.result as unknown;
    const pos = startPos[d] as Pos;
    const tag = tags[d] as string | null;
    let node: AstNode;
    if (top - base === 1 && values[base] === result && typeof result === "object" && result !== null) {
      // A collection read as the would-be key of a block mapping that has none (`- {a: 1}`, a value on the next
      // line): js-yaml's node for it wraps the one that read it.
      node = kids[base] as AstNode;
    } else
      switch (s.kind) {
        case "scalar": {
          if (tag !== null && typeof result !== "string") throw fallback("tagged scalar read as a non-string");
          node = { t: "scalar", value: result as string | number | boolean | null, pos };
          break;
        }
        case "sequence": {
          const n = top - base;
          if ((result as unknown[]).length !== n) throw fallback("empty list item"); // it has no events
          node = { t: "seq", items: kids.slice(base, top), pos };
          break;
        }
        case "mapping": {
          const n = top - base;
          if (n % 2 !== 0) throw fallback("mapping key without a value");
          // A flow mapping may hold a key without a value, which has no event: the pairs must then be js-yaml's.
          const object = s.input.charCodeAt(start[d] as number) === 0x7b ? (result as Record<string, unknown>) : null;
          const entries: MapEntry[] = new Array(n / 2);
          for (let k = base, e = 0; k < top; k += 2, e++) {
            const keyNode = kids[k] as AstNode;
            if (!plainKey[k] || keyNode.t !== "scalar") throw fallback("complex, explicit or tagged key");
            const key = String(keyNode.value);
            if (key === "<<") throw fallback("merge key");
            if (key.length > 1024) throw fallback("key over 1024 characters");
            if (object !== null && object[key] !== values[k + 1]) throw fallback("mapping pairs out of step");
            entries[e] = { key, keyPos: keyNode.pos, value: kids[k + 1] as AstNode };
          }
          if (object !== null) {
            let count = 0;
            for (const _ in object) count++;
            if (count !== n / 2) throw fallback("mapping pairs out of step");
          }
          node = { t: "map", entries, pos };
          break;
        }
        default: {
          // Nothing read: an empty value, null, placed where `yaml` places it (after the blanks that follow ':').
          if (result !== null) throw fallback("empty value read as a value");
          if (tag !== null) {
            const line = (tagPos[d] as Pos).line;
            node = { t: "scalar", value: "", pos: { line, column: afterTag[d] as number } };
            break;
          }
          const input = s.input;
          let i = openAt[d] as number;
          while (input.charCodeAt(i) === 0x20 || input.charCodeAt(i) === 0x09) i++;
          node = {
            t: "scalar",
            value: null,
            pos: { line: (openLine[d] as number) + 1, column: i - (openLineStart[d] as number) + 1 },
          };
        }
      }
    if (tag !== null) node = longForm(node, tag, tagPos[d] as Pos, shortForms, namespacedTag);
    kids[base] = node;
    values[base] = result;
    plainKey[base] = tag === null && start[d] === openAt[d];
    top = base + 1;
  };

  try {
    const value = load(text, {
      schema: SCHEMA,
      // js-yaml counts keys as levels too and may wrap a value in one more node: never deeper than the exact path.
      maxDepth: MAX_NESTING + 1,
      // A warning (deficient indentation of a quoted scalar's next line...) is an error to `yaml`.
      onWarning: (warning: Error) => {
        throw fallback(`js-yaml warning: ${(warning as { reason?: string }).reason ?? warning.message}`);
      },
      listener(event: EventType, state: State) {
        if (event === "open") open(state);
        else close(state);
      },
    } as LoadOptions);
    if (value === undefined || value === null) return "empty document";
    if (top !== 1 || depth !== 0) return "document out of step";
    return kids[0] as AstNode;
  } catch (err) {
    if (err instanceof Fallback) return err.message;
    return `js-yaml: ${(err as { reason?: string }).reason ?? String(err)}`;
  }
}

/** `!Ref X` -> `{ Ref: X }` at the tag's position, as the exact path rewrites it. */
function longForm(node: AstNode, tag: string, at: Pos, shortForms: ShortForms, namespaced: RegExp): AstNode {
  const name = shortForms[tag] ?? (namespaced.test(tag) ? tag.slice(1) : undefined);
  if (name === undefined) throw fallback(`unknown tag ${tag}`);
  let argument = node;
  if (name === "Fn::GetAtt" && node.t === "scalar" && typeof node.value === "string") {
    // !GetAtt Resource.Attribute.Sub -> [Resource, Attribute.Sub]
    const value = node.value;
    const dot = value.indexOf(".");
    const parts = dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
    argument = { t: "seq", items: parts.map((p) => ({ t: "scalar", value: p, pos: node.pos })), pos: node.pos };
  }
  return { t: "map", entries: [{ key: name, keyPos: at, value: argument }], pos: at };
}
