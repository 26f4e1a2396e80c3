/**
 * Parses CloudFormation YAML or JSON into the positioned AST (ast.ts). YAML goes through the fast positioned reader
 * (yaml-fast.ts, js-yaml underneath, where CloudFormation's YAML dialect is described) and, for anything unusual or
 * wrong, through the `yaml` package (exact ranges, duplicate-key detection, precise errors); JSON through the fast
 * reader (json.ts) and jsonc-parser for its errors. Either way, errors come back as file positions, never as
 * exceptions.
 */
import type { Node as JsonNode, ParseError } from "jsonc-parser";
import type { Document, Node as YamlNode } from "yaml";
import { jsoncLibrary, yamlLibrary } from "../../util/lazy.js";
import { type AstNode, LineIndex, type MapEntry, type Pos } from "./ast.js";
import { MAX_ALIAS_NODES, MAX_NESTING, MAX_NODES } from "./budgets.js";
import { parseJsonFast } from "./json.js";
import { parseYamlFast } from "./yaml-fast.js";

export interface ParseFailure {
  message: string;
  line: number;
  column: number;
}

export type ParseResult = { ok: true; root: AstNode } | { ok: false; error: ParseFailure };

const MAX_DEPTH = MAX_NESTING;

/** Short-form tags CloudFormation accepts, and the long form each becomes. */
export const SHORT_FORM: Record<string, string> = {
  "!Ref": "Ref",
  "!Condition": "Condition",
  "!GetAtt": "Fn::GetAtt",
  "!Sub": "Fn::Sub",
  "!If": "Fn::If",
  "!Join": "Fn::Join",
  "!Select": "Fn::Select",
  "!Split": "Fn::Split",
  "!FindInMap": "Fn::FindInMap",
  "!Equals": "Fn::Equals",
  "!Not": "Fn::Not",
  "!And": "Fn::And",
  "!Or": "Fn::Or",
  "!ImportValue": "Fn::ImportValue",
  "!Base64": "Fn::Base64",
  "!Cidr": "Fn::Cidr",
  "!GetAZs": "Fn::GetAZs",
  "!Transform": "Fn::Transform",
  "!Length": "Fn::Length",
  "!ToJsonString": "Fn::ToJsonString",
  "!ForEach": "Fn::ForEach",
  // Rule-section functions (Rules: ... Assertions).
  "!ValueOf": "Fn::ValueOf",
  "!ValueOfAll": "Fn::ValueOfAll",
  "!RefAll": "Fn::RefAll",
  "!Contains": "Fn::Contains",
  "!EachMemberEquals": "Fn::EachMemberEquals",
  "!EachMemberIn": "Fn::EachMemberIn",
};

/** The YAML core tags CloudFormation reads (`!!str 123`, `!!int "5"`...); every other `!!` tag is rejected. */
const CORE_TAGS = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));

/** Pre-processor directives (AWS Rain's !Rain::Embed, !Rain::Module, ...): kept, evaluated as unknown. */
export const NAMESPACED_TAG = /^![A-Za-z][A-Za-z0-9]*::[A-Za-z][A-Za-z0-9]*$/;

class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
  ) {
    super(message);
  }
}

/** A body whose first token inside the opening bracket is a JSON one ("key", a number...) or a comment: meant as JSON. */
const JSON_START = /^\s*(\{\s*["}/]|\[\s*(["{[\]\d-]|true|false|null))/;

export function parseTemplateText(text: string): ParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstChar = body.trimStart()[0];
  if (firstChar !== "{" && firstChar !== "[") return parseYaml(body);
  const json = parseJson(body);
  // `{Resources: {...}}` is YAML in flow style, not broken JSON: a body that is not JSON is tried as YAML.
  return json.ok || JSON_START.test(body) ? json : parseYaml(body);
}

function parseJson(text: string): ParseResult {
  const fast = parseJsonFast(text);
  if (fast?.ok) return fast;
  if (fast) return { ok: false, error: { message: `invalid JSON: ${fast.budget}`, ...fast.pos } };
  return parseJsonExact(text);
}

/** jsonc-parser: slower, but the error messages and positions users see for broken JSON. Exported for the test. */
export function parseJsonExact(text: string): ParseResult {
  // Loaded on the first broken or unusual file: the fast readers take every other one.
  const { parseTree, printParseErrorCode } = jsoncLibrary();
  const errors: ParseError[] = [];
  let tree: JsonNode | undefined;
  try {
    tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return {
      ok: false,
      error: { message: `invalid JSON: nesting deeper than ${MAX_DEPTH} levels`, line: 1, column: 1 },
    };
  }
  const lines = new LineIndex(text);
  const first = errors[0];
  if (first) {
    const pos = lines.pos(first.offset);
    return {
      ok: false,
      error: { message: `invalid JSON: ${describeJsonError(printParseErrorCode(first.error))}`, ...pos },
    };
  }
  if (!tree) return { ok: false, error: { message: "empty JSON document", line: 1, column: 1 } };
  try {
    return { ok: true, root: fromJson(tree, lines, 0) };
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return { ok: false, error: { message: err.message, ...err.pos } };
    throw err;
  }
}

function describeJsonError(code: string): string {
  // "PropertyNameExpected" -> "property name expected"
  return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function fromJson(node: JsonNode, lines: LineIndex, depth: number): AstNode {
  const pos = lines.pos(node.offset);
  if (depth >= MAX_DEPTH && (node.type === "object" || node.type === "array")) {
    throw new TemplateSyntaxError(`nesting deeper than ${MAX_DEPTH} levels`, pos);
  }
  switch (node.type) {
    case "object": {
      const entries: MapEntry[] = [];
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode) continue;
        const key = String(keyNode.value);
        const keyPos = lines.pos(keyNode.offset);
        if (seen.has(key)) throw new TemplateSyntaxError(`duplicate key "${key}"`, keyPos);
        seen.add(key);
        entries.push({ key, keyPos, value: fromJson(valueNode, lines, depth + 1) });
      }
      return { t: "map", entries, pos };
    }
    case "array":
      return { t: "seq", items: (node.children ?? []).map((c) => fromJson(c, lines, depth + 1)), pos };
    default:
      return { t: "scalar", value: node.value as string | number | boolean | null, pos };
  }
}

function parseYaml(text: string): ParseResult {
  const root = parseYamlFast(text, SHORT_FORM, NAMESPACED_TAG);
  return root ? { ok: true, root } : parseYamlExact(text);
}

/**
 * `yaml`'s parseDocument: several times slower than the fast reader (yaml-fast.ts), but the exact error messages
 * and positions users see, and the reference the fast reader is tested against. Exported for that test.
 */
export function parseYamlExact(text: string): ParseResult {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  // Keys are checked unique while converting (a Set per mapping): the library's own check is quadratic in the keys.
  // The library builds a warning (an Error, with a stack trace) for every short-form tag it does not know (!Ref,
  // !Sub...); the warnings are not used, so their stack traces are not captured.
  const savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false, strict: true });
  } finally {
    Error.stackTraceLimit = savedLimit;
  }
  const firstError = doc.errors[0];
  if (firstError) {
    const at = firstError.linePos?.[0] ?? { line: 1, col: 1 };
    const said = firstError.message.split(" at line ")[0] ?? firstError.message;
    const message = said.includes("Maximum call stack size exceeded") ? "nesting too deep for the parser" : said;
    return { ok: false, error: { message: `invalid YAML: ${message}`, line: at.line, column: at.col } };
  }
  if (doc.contents === null) return { ok: false, error: { message: "empty YAML document", line: 1, column: 1 } };
  const state: ConvertState = {
    aliasNodes: 0,
    inAlias: 0,
    nodes: 0,
    anchors: text.includes("&") ? collectAnchors(doc) : new Map(),
  };
  const lines: YamlLines = { pos: (offset) => lineCounter.linePos(offset) };
  try {
    return { ok: true, root: fromYaml(doc.contents, text, lines, state, 0) };
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return { ok: false, error: { message: err.message, ...err.pos } };
    throw err;
  }
}

interface ConvertState {
  /** Nodes produced by expanding aliases; bounded to stop alias bombs. */
  aliasNodes: number;
  inAlias: number;
  /** Nodes converted: the per-file memory budget. */
  nodes: number;
  /** Anchor name -> nodes carrying it, in document order (an anchor may be redefined). */
  anchors: Map<string, YamlNode[]>;
}

function collectAnchors(doc: Document): Map<string, YamlNode[]> {
  const { visit } = yamlLibrary();
  const anchors = new Map<string, YamlNode[]>();
  visit(doc, (_key, node) => {
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchors.set(anchor, [...(anchors.get(anchor) ?? []), node as YamlNode]);
  });
  return anchors;
}

interface YamlLines {
  pos(offset: number): { line: number; col: number };
}

function yamlPos(lines: YamlLines, offset: number): Pos {
  const p = lines.pos(offset);
  return { line: p.line, column: p.col };
}

function fromYaml(node: unknown, text: string, lines: YamlLines, state: ConvertState, depth: number): AstNode {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yamlLibrary();
  const yamlNode = node as YamlNode;
  const start = yamlNode.range?.[0] ?? 0;
  if (state.inAlias > 0 && ++state.aliasNodes > MAX_ALIAS_NODES) {
    throw new TemplateSyntaxError(
      `aliases expand to more than ${MAX_ALIAS_NODES} nodes (YAML alias bomb?)`,
      yamlPos(lines, start),
    );
  }
  if (depth > MAX_DEPTH)
    throw new TemplateSyntaxError(`nesting deeper than ${MAX_DEPTH} levels`, yamlPos(lines, start));
  if (++state.nodes > MAX_NODES) {
    throw new TemplateSyntaxError(`more than ${MAX_NODES} values in one file (memory budget)`, yamlPos(lines, start));
  }
  if (isAlias(node)) {
    // The anchor in force is the last one defined before the alias.
    const candidates = state.anchors.get(node.source) ?? [];
    const target = candidates.filter((n) => (n.range?.[0] ?? 0) < start).pop();
    if (!target) throw new TemplateSyntaxError(`unknown alias *${node.source}`, yamlPos(lines, start));
    state.inAlias++;
    try {
      return fromYaml(target, text, lines, state, depth + 1);
    } finally {
      state.inAlias--;
    }
  }
  const tag = (yamlNode as { tag?: string }).tag;
  let tagPos: Pos | undefined;
  if (tag?.startsWith("!") && !tag.startsWith("!!")) {
    const at = text.lastIndexOf(tag, start);
    tagPos = yamlPos(lines, at >= 0 ? at : start);
  }
  const pos = yamlPos(lines, start);
  let converted: AstNode;
  if (isMap(node)) {
    const entries: MapEntry[] = [];
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key;
      if (!isScalar(keyNode)) {
        const at = (keyNode as YamlNode | null)?.range?.[0] ?? start;
        throw new TemplateSyntaxError(
          "mapping keys must be plain scalars in a CloudFormation template",
          yamlPos(lines, at),
        );
      }
      const keyPos = yamlPos(lines, keyNode.range?.[0] ?? start);
      const key = String(keyNode.value);
      if (key === "<<" && keyNode.type === "PLAIN") {
        throw new TemplateSyntaxError("YAML merge keys (<<) are not supported by CloudFormation", keyPos);
      }
      if (seen.has(key)) throw new TemplateSyntaxError("invalid YAML: Map keys must be unique", keyPos);
      seen.add(key);
      const value =
        pair.value === null || pair.value === undefined
          ? ({ t: "scalar", value: null, pos: keyPos } as AstNode)
          : fromYaml(pair.value, text, lines, state, depth + 1);
      entries.push({ key, keyPos, value });
    }
    converted = { t: "map", entries, pos: tagPos ?? pos };
  } else if (isSeq(node)) {
    converted = {
      t: "seq",
      items: node.items.map((item) => fromYaml(item, text, lines, state, depth + 1)),
      pos: tagPos ?? pos,
    };
  } else if (isScalar(node)) {
    const v = node.value;
    const value = typeof v === "bigint" ? Number(v) : (v as string | number | boolean | null);
    converted = { t: "scalar", value, pos };
  } else {
    converted = { t: "scalar", value: null, pos };
  }
  if (!tag || CORE_TAGS.has(tag)) return converted;
  if (!tag.startsWith("!") || tag.startsWith("!!")) {
    // CloudFormation reads YAML 1.1 without the binary, omap, pairs, set and timestamp tags; language tags such as
    // !!python/object are not YAML at all to it.
    const shown = tag.startsWith("tag:yaml.org,2002:") ? `!!${tag.slice("tag:yaml.org,2002:".length)}` : tag;
    const at = text.lastIndexOf("!!", start);
    throw new TemplateSyntaxError(
      `tag ${shown} is not supported by CloudFormation`,
      yamlPos(lines, at >= 0 ? at : start),
    );
  }
  const longForm = SHORT_FORM[tag] ?? (NAMESPACED_TAG.test(tag) ? tag.slice(1) : undefined);
  if (!longForm) throw new TemplateSyntaxError(`unknown tag ${tag}`, tagPos ?? pos);
  let argument: AstNode = converted;
  if (longForm === "Fn::GetAtt" && converted.t === "scalar" && typeof converted.value === "string") {
    // !GetAtt Resource.Attribute.Sub -> [Resource, Attribute.Sub]
    const dot = converted.value.indexOf(".");
    const parts = dot < 0 ? [converted.value] : [converted.value.slice(0, dot), converted.value.slice(dot + 1)];
    argument = {
      t: "seq",
      items: parts.map((p) => ({ t: "scalar", value: p, pos: converted.pos })),
      pos: converted.pos,
    };
  } else if (converted.t !== "scalar") {
    converted.pos = pos;
  }
  const at = tagPos ?? pos;
  return { t: "map", entries: [{ key: longForm, keyPos: at, value: argument }], pos: at };
}
