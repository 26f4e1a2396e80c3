/**
 * Issue 17: the fast positioned YAML reader (yaml-fast.ts, js-yaml's listener) gives the same AST, positions
 * included, as the exact path (`yaml`'s parseDocument) on every YAML file of the corpus, the examples and the
 * fixtures, or leaves the file to the exact path, which then says what it has always said.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type AstNode, child } from "../../src/scanners/template/ast.js";
import { discoverFiles, scanTemplateText } from "../../src/scanners/template/index.js";
import { NAMESPACED_TAG, parseTemplateText, parseYamlExact, SHORT_FORM } from "../../src/scanners/template/parse.js";
import { readYamlFast } from "../../src/scanners/template/yaml-fast.js";
import { CORPUS_ROOT, HAS_CORPUS } from "../support/optional-suites.js";

const repo = path.resolve(__dirname, "../..");

const SHORT = SHORT_FORM;
const NAMESPACED = NAMESPACED_TAG;

type Verdict = { same: true } | { same: false; fellBack: string } | { same: false; differs: string };

/** Fast against exact on one text: identical, fell back (and why), or differs (a bug). */
function compare(text: string): Verdict {
  const fast = readYamlFast(text, SHORT, NAMESPACED);
  if (typeof fast === "string") return { same: false, fellBack: fast };
  const exact = parseYamlExact(text);
  if (!exact.ok) return { same: false, differs: `exact path says ${exact.error.message}` };
  try {
    expect(fast).toStrictEqual(exact.root);
    return { same: true };
  } catch (err) {
    return { same: false, differs: String(err).slice(0, 400) };
  }
}

async function yamlFiles(roots: string[]): Promise<string[]> {
  const { files } = await discoverFiles(roots, repo);
  return files.filter((f) => !/^\s*[{[]/.test(readFileSync(f, "utf8").replace(/^\uFEFF/, "")));
}

function survey(files: string[]) {
  const same: string[] = [];
  const differs: string[] = [];
  const fellBack: string[] = [];
  /** Fell back although the exact path reads the file. */
  const readable: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    // The real tables, through the production entry point, must agree with the exact path too.
    const whole = parseTemplateText(text);
    const exact = parseYamlExact(text);
    if (JSON.stringify(whole) !== JSON.stringify(exact)) differs.push(`${file}: parseTemplateText differs`);
    const v = compare(text);
    if (v.same) same.push(file);
    else if ("differs" in v) differs.push(`${file}: ${v.differs}`);
    else {
      fellBack.push(`${path.basename(file)}: ${v.fellBack}`);
      if (exact.ok) readable.push(`${path.basename(file)}: ${v.fellBack}`);
    }
  }
  return { same, differs, fellBack, readable };
}

describe("fast YAML reader against the exact path on real files", () => {
  it("is identical on every YAML file of the examples and fixtures, or falls back for a stated reason", async () => {
    const files = await yamlFiles(["examples", "test/fixtures"].map((d) => path.join(repo, d)));
    expect(files.length).toBeGreaterThan(40);
    const { same, differs, fellBack, readable } = survey(files);
    expect(differs).toEqual([]);
    // What falls back: files the exact path rejects too (golden text reports, broken or empty fixtures), and the
    // alias bomb, which only the exact path expands within its budget. Every example takes the fast path.
    expect(readable).toEqual(["alias-bomb.yaml: anchor, alias or second tag"]);
    expect(fellBack.length).toBeLessThanOrEqual(25);
    expect(same.length).toBe(files.length - fellBack.length);
    const examples = files.filter((f) => f.startsWith(path.join(repo, "examples")));
    expect(examples.length).toBeGreaterThan(5);
    expect(examples.filter((f) => !same.includes(f))).toEqual([]);
  });

  it.skipIf(!HAS_CORPUS)(`is identical on every YAML file of the corpus (${CORPUS_ROOT}) but three`, async () => {
    const files = await yamlFiles([CORPUS_ROOT]);
    expect(files.length).toBeGreaterThan(150);
    const { same, differs, fellBack, readable } = survey(files);
    expect(differs).toEqual([]);
    // Two are errors on the exact path too (a licence text, a multi-document k8s manifest); one has an empty list
    // item (`-` and nothing), which js-yaml reads without a node event.
    expect(fellBack.sort()).toEqual([
      "LICENSE.txt: js-yaml: end of the stream or a document separator is expected",
      "manifest.yml: mapping key without a value",
      "vpc.yml: empty list item",
    ]);
    expect(readable).toEqual(["vpc.yml: empty list item"]);
    expect(same.length).toBe(files.length - 3);
  });
});

const at = (line: number, column: number) => ({ line, column });
const fast = (text: string): AstNode => {
  const r = readYamlFast(text, SHORT, NAMESPACED);
  if (typeof r === "string") throw new Error(`fell back: ${r}`);
  return r;
};

describe("fast YAML reader: targeted cases", () => {
  const identical: [string, string][] = [
    ["short-form tags", "A: !Ref X\nB: !Sub '${A}-x'\nC: !GetAtt Db.Endpoint.Address\nD: !If [C, !Ref A, !Ref B]\n"],
    ["tags on their own line", "A: !Join\n  - ','\n  - - a\n    - !Ref B\nC: !Equals\n  [a, b]\n"],
    ["tagged empty values", "A: !GetAZs\nB: !GetAZs   \nC: !GetAZs  # all\nD: [!GetAZs , b]\nE: {x: !GetAZs }\n"],
    ["tagged block scalar", "A: !Sub |\n  echo ${X}\n  done\n"],
    ["namespaced tag", "A: !Rain::Embed file.txt\nB: !Rain::Module\n  Source: m.yaml\n"],
    ["quoted keys", "'A b': 1\n\"C\\td\": 2\n'': 3\n\"1\": x\n"],
    ["block scalars", "A: |\n  x\n   y\n\n  z\nB: >-\n  folded\n  line\n\nC: |+\n  keep\n\nD: |2\n   indented\n"],
    ["flow collections", "A: {b: 1, c: [2, 3, {d: e}], f: }\nB: [ ]\nC: {}\nD:\n  [x,\n   y]\n"],
    ["list of flow maps", "- {a: 1}\n- [1, 2]\n-\n  {b: 2}\n"],
    ["comments everywhere", "# head\nA: 1 # one\n# between\nB:   # empty\nC:\n  # inside\n  - a # item\n"],
    ["empty values", "A:\nB:   \nC: # c\nD:\n\n  # c\nE: 1\n"],
    ["CRLF line breaks", "A: 1\r\nB:\r\n  - x\r\n  - !Ref Y\r\nC: |\r\n  l1\r\n  l2\r\n"],
    ["unicode", "Ключ: значение\nemoji: 😀 ok\n'é': \"\\u00e9\\U0001F600\"\nA: [😀, b]\n"],
    ["numbers", "a: 0\nb: -12\nc: +3\nd: 1.5\ne: .5\nf: 1.\ng: 1e3\nh: -2.5E-3\ni: 0o17\nj: 0x1F\nk: 017\nl: 1_000\n"],
    ["floats special", "a: .inf\nb: -.Inf\nc: +.INF\nd: .nan\ne: .NaN\nf: 12345678901234567890\n"],
    [
      "booleans (YAML 1.2: yes/no/on/off are strings)",
      "a: true\nb: False\nc: TRUE\nd: yes\ne: no\nf: on\ng: off\nh: y\ni: n\n",
    ],
    ["nulls", "a: null\nb: Null\nc: NULL\nd: ~\ne: nil\nf: 'null'\n"],
    ["keys that resolve to non-strings", "1: a\ntrue: b\nnull: c\n0x10: d\n1.50: e\n"],
    ["multi-line plain and quoted scalars", "A: one\n  two\n\n  three\nB: \"x\n  y \\\n  z\"\nC: 'a\n  ''b'''\n"],
    ["a document start marker", "---\nA: 1\n"],
    ["a plain scalar document", "just text\n"],
    [
      "deep but within budget",
      `a:\n${Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n")} v\n`,
    ],
    ["long GetAtt", "A: !GetAtt Res.Attr.Sub.More\nB: !GetAtt [Res, Attr]\nC: !GetAtt NoDot\n"],
  ];
  for (const [name, text] of identical) {
    it(`gives the exact path's AST: ${name}`, () => {
      expect(compare(text)).toEqual({ same: true });
    });
  }

  const fallsBack: [string, string, string][] = [
    ["anchors and aliases", "A: &a 1\nB: *a\n", "anchor, alias or second tag"],
    ["merge keys", "A: {x: 1}\nB:\n  <<: {x: 2}\n", "merge key"],
    ["quoted merge key too", "'<<': 1\n", "merge key"],
    ["duplicate keys", "A: 1\nA: 2\n", "js-yaml: duplicated mapping key"],
    ["complex keys", "? [a, b]\n: c\n", "complex, explicit or tagged key"],
    ["explicit keys", "? a\n: b\n", "complex, explicit or tagged key"],
    ["tagged keys", "!Ref a: b\n", "complex, explicit or tagged key"],
    ["several documents", "A: 1\n---\nB: 2\n", "mapping key without a value"],
    ["a document end marker", "A: 1\n...\n", "mapping key without a value"],
    ["core tags", "A: !!str 1\n", "tag !!str"],
    ["other !! tags", "A: !!binary aGk=\n", "tag !!binary"],
    ["verbatim tags", "A: !<tag:yaml.org,2002:str> x\n", "tag !<tag:yaml.org,2002:str>"],
    ["two tags", "A: !Ref !Sub x\n", "anchor, alias or second tag"],
    ["unknown local tags", "A: !Bogus x\n", "unknown tag !Bogus"],
    ["directives", "%YAML 1.1\n---\nA: yes\n", "directive"],
    ["a lone CR", "A: 1\rB: 2\n", "lone CR line break"],
    ["empty list items", "- \n- a\n", "empty list item"],
    ["flow keys without values", "A: {a, b: 1}\n", "mapping key without a value"],
    ["flow keys without values, even count", "A: {a, ~}\n", "mapping pairs out of step"],
    ["keys over 1024 characters", `${"k".repeat(1100)}: v\n`, "key over 1024 characters"],
    ["deficient indentation", 'A:\n  B: "x\ny"\n', "js-yaml warning: deficient indentation"],
    ["syntax errors", "A: b: c\n", "js-yaml: bad indentation of a mapping entry"],
    ["an unclosed flow collection", "A: [1, 2\n", "js-yaml warning: deficient indentation"],
    ["an empty document", "# nothing\n", "empty document"],
  ];
  for (const [name, text, why] of fallsBack) {
    it(`falls back: ${name}`, () => {
      expect(compare(text)).toEqual({ same: false, fellBack: why });
    });
  }

  it("keeps the exact path's messages and positions for what falls back", () => {
    expect(parseTemplateText("A: 1\nA: 2\n")).toEqual({
      ok: false,
      error: { message: "invalid YAML: Map keys must be unique", line: 2, column: 1 },
    });
    expect(parseTemplateText("A:\n  <<: {x: 2}\n")).toEqual({
      ok: false,
      error: { message: "YAML merge keys (<<) are not supported by CloudFormation", line: 2, column: 3 },
    });
    expect(parseTemplateText("A: !!binary aGk=\n")).toEqual({
      ok: false,
      error: { message: "tag !!binary is not supported by CloudFormation", line: 1, column: 4 },
    });
    expect(parseTemplateText("A: !Bogus x\n")).toEqual({
      ok: false,
      error: { message: "unknown tag !Bogus", line: 1, column: 4 },
    });
    expect(parseTemplateText("A: !!str 1\n")).toMatchObject({ ok: true });
  });

  it("places known nodes at their line and column (UTF-16 columns, after a BOM, over CRLF)", () => {
    const root = fast(
      "AWSTemplateFormatVersion: '2010-09-09'\r\nResources:\r\n  Db:\r\n    Type: AWS::RDS::DBInstance\r\n    Properties:\r\n      😀Tag: !Ref Env\r\n      List:\r\n        - !GetAtt A.B\r\n",
    );
    expect(root).toMatchObject({ t: "map", pos: at(1, 1) });
    const resources = root.t === "map" ? root.entries[1] : undefined;
    expect(resources).toMatchObject({ key: "Resources", keyPos: at(2, 1), value: { t: "map", pos: at(3, 3) } });
    const props = child(child(resources?.value, "Db"), "Properties");
    if (props?.t !== "map") throw new Error("no Properties map");
    expect(props.entries[0]).toEqual({
      key: "😀Tag",
      keyPos: at(6, 7),
      // 😀 is two UTF-16 code units: the value starts at column 7 + 2 + "Tag: ".length.
      value: {
        t: "map",
        pos: at(6, 14),
        entries: [{ key: "Ref", keyPos: at(6, 14), value: { t: "scalar", value: "Env", pos: at(6, 19) } }],
      },
    });
    expect(props.entries[1]?.value).toEqual({
      t: "seq",
      pos: at(8, 9),
      items: [
        {
          t: "map",
          pos: at(8, 11),
          entries: [
            {
              key: "Fn::GetAtt",
              keyPos: at(8, 11),
              value: {
                t: "seq",
                pos: at(8, 19),
                items: [
                  { t: "scalar", value: "A", pos: at(8, 19) },
                  { t: "scalar", value: "B", pos: at(8, 19) },
                ],
              },
            },
          ],
        },
      ],
    });
    // parseTemplateText strips a BOM first; positions do not count it.
    const withBom = parseTemplateText("\uFEFFA: 1\n");
    expect(withBom).toEqual({
      ok: true,
      root: {
        t: "map",
        pos: at(1, 1),
        entries: [{ key: "A", keyPos: at(1, 1), value: { t: "scalar", value: 1, pos: at(1, 4) } }],
      },
    });
  });

  it("leaves budgets to the exact path, which reports them as today", () => {
    const deep = `${Array.from({ length: 300 }, () => "[").join("")}${Array.from({ length: 300 }, () => "]").join("")}`;
    expect(readYamlFast(`A: ${deep}\n`, SHORT, NAMESPACED)).toMatch(/^js-yaml: nesting exceeded maxDepth/);
    const result = parseTemplateText(`A: ${deep}\n`);
    expect(result.ok).toBe(false);
  });
});

describe("CloudFormation's YAML dialect (YAML 1.2 core, README Known limits)", () => {
  it("reads yes/no as strings, so a boolean property written `yes` is unknown, never a wrong verdict", () => {
    const text =
      "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      StorageEncrypted: yes\n      MultiAZ: true\n";
    const db = scanTemplateText(text, "t.yaml").model?.resources.get("Db");
    expect(db).toMatchObject({ storageEncrypted: { state: "unknown" }, multiAZ: { state: "known", value: true } });
  });

  it("reads a %YAML 1.1 document as YAML 1.1, on the exact path", () => {
    expect(readYamlFast("%YAML 1.1\n---\nA: yes\n", SHORT, NAMESPACED)).toBe("directive");
    expect(parseTemplateText("%YAML 1.1\n---\nA: yes\nB: 017\n")).toMatchObject({
      ok: true,
      root: { entries: [{ value: { value: true } }, { value: { value: 15 } }] },
    });
  });
});
