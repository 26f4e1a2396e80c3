/**
 * A CloudFormation template as a tree that keeps the 1-based line and column of every key and value as the
 * user wrote it. YAML short-form tags are rewritten to their long form (`!Ref X` -> `{ Ref: X }`), keeping the
 * tag's position, so the evaluator sees one shape for YAML and JSON.
 */
export interface Pos {
  line: number;
  column: number;
}

export type Scalar = string | number | boolean | null;

export interface MapNode {
  t: "map";
  entries: MapEntry[];
  pos: Pos;
}

export interface MapEntry {
  key: string;
  keyPos: Pos;
  value: AstNode;
}

export interface SeqNode {
  t: "seq";
  items: AstNode[];
  pos: Pos;
}

export interface ScalarNode {
  t: "scalar";
  value: Scalar;
  pos: Pos;
}

export type AstNode = MapNode | SeqNode | ScalarNode;

export function entry(map: MapNode, key: string): MapEntry | undefined {
  for (const e of map.entries) if (e.key === key) return e;
  return undefined;
}

export function child(node: AstNode | undefined, key: string): AstNode | undefined {
  return node?.t === "map" ? entry(node, key)?.value : undefined;
}

const PREPROCESSOR_KEY = /^[A-Za-z][A-Za-z0-9]*::[A-Za-z][A-Za-z0-9]*$/;

/** The intrinsic function name when the node is `{ "Fn::X": ... }` or `{ Ref: ... }`, else undefined. */
export function intrinsicName(node: AstNode): string | undefined {
  if (node.t !== "map" || node.entries.length !== 1) return undefined;
  const key = (node.entries[0] as MapEntry).key;
  if (key === "Ref" || key === "Condition" || key.startsWith("Fn::")) return key;
  // A pre-processor directive written as a tag (!Rain::Embed): opaque, so evaluated as unknown.
  return PREPROCESSOR_KEY.test(key) && !key.startsWith("AWS::") ? key : undefined;
}

/** Plain JS value of a node, intrinsics left as their long-form objects. */
export function toPlain(node: AstNode): unknown {
  switch (node.t) {
    case "scalar":
      return node.value;
    case "seq":
      return node.items.map(toPlain);
    case "map": {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) out[e.key] = toPlain(e.value);
      return out;
    }
  }
}

/** Maps byte offsets to 1-based line/column. Columns count UTF-16 code units, like editors and SARIF do. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }
  pos(offset: number): Pos {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] as number) + 1 };
  }
}
