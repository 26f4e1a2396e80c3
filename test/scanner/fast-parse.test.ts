/**
 * Issue 17: the fast positioned JSON reader gives the same AST, positions included, as the exact path
 * (jsonc-parser) on every JSON file of the corpus, the examples and the fixtures, and gives up (to the exact path)
 * on anything it does not accept.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverFiles } from "../../src/scanners/template/index.js";
import { parseJsonFast } from "../../src/scanners/template/json.js";
import { parseJsonExact, parseTemplateText } from "../../src/scanners/template/parse.js";

const repo = path.resolve(__dirname, "../..");
const corpus = [path.resolve(repo, "../shared/corpus"), path.resolve(repo, "../../shared/corpus")].find((d) =>
  existsSync(d),
);

async function jsonFiles(): Promise<string[]> {
  const roots = ["examples", "test/fixtures"].map((d) => path.join(repo, d));
  if (corpus) roots.push(corpus);
  const { files } = await discoverFiles(roots, repo);
  return files.filter((f) => {
    const text = readFileSync(f, "utf8").replace(/^\uFEFF/, "");
    return /^\s*[{[]/.test(text);
  });
}

describe("fast JSON reader against the exact path", () => {
  it("gives an identical AST and positions on every JSON file, or gives up", async () => {
    const files = await jsonFiles();
    expect(files.length).toBeGreaterThan(corpus ? 40 : 5);
    let same = 0;
    const differ: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
      const fast = parseJsonFast(text);
      const exact = parseJsonExact(text);
      if (fast === undefined) continue; // gave up: the exact path decides
      if (fast.ok && exact.ok && JSON.stringify(fast.root) === JSON.stringify(exact.root)) same++;
      else differ.push(path.relative(repo, file));
    }
    expect(differ).toEqual([]);
    expect(same).toBeGreaterThan(files.length * 0.9);
  });

  it("gives up on what strict JSON does not allow, so the exact path reports it", () => {
    for (const text of [
      '{"a": 1,}',
      '{"a": 1, "a": 2}',
      '{"a": "\u0001"}',
      '{"a": 01}',
      "{'a': 1}",
      '{"a": 1} x',
      '{"a": tru}',
      '{"a":\u00a01}',
      '{"a": "\\x"}',
    ]) {
      expect({ text, fast: parseJsonFast(text) }).toEqual({ text, fast: undefined });
      // Single quotes make it flow-style YAML.
      const exactAccepts = text.startsWith("{'");
      expect(parseTemplateText(text).ok).toBe(exactAccepts);
    }
  });

  it("keeps lines and columns in UTF-16 code units, as editors and SARIF count", () => {
    const text = '{\r\n  "é😀": [1, -2.5e3, "x\\"y", true, null],\r\n  "b": {}\r\n}';
    const fast = parseJsonFast(text);
    expect(fast?.ok && JSON.stringify(fast.root)).toBe(
      JSON.stringify((parseJsonExact(text) as { root: unknown }).root),
    );
  });

  /** Values and positions as text, telling -0 from 0 and Infinity from null (JSON.stringify does not). */
  const shown = (r: ReturnType<typeof parseJsonExact> | ReturnType<typeof parseJsonFast>) =>
    JSON.stringify(r, (_k, v) => (typeof v === "number" ? `${Object.is(v, -0) ? "-0" : v}` : v));
  const sameAsExact = (text: string) => {
    const fast = parseJsonFast(text);
    expect(fast?.ok).toBe(true);
    expect(shown(fast)).toBe(shown(parseJsonExact(text)));
  };

  it("agrees with the exact path on hostile but valid JSON: numbers, escapes, surrogates, huge strings, deep nesting", () => {
    sameAsExact("[-0, 0, -0.0, 1e400, -1e400, 1E2, 0.5e-3, 123456789012345678901234567890, 5e-324]");
    sameAsExact('{"a": "\\u00e9\\n\\t\\"\\\\\\/", "b": "\\ud83d\\ude00 \\ud800 lone", "c": "😀 raw é", "\\u0041": 1}');
    sameAsExact(`{"big": "${"x".repeat(2_000_000)}", "after": [true, false, null]}`);
    sameAsExact(`{"esc": "${"\\\\".repeat(10_000)}", "q": "${'\\"'.repeat(10_000)}"}`);
    sameAsExact(`${"[".repeat(255)}${"]".repeat(255)}`);
    sameAsExact(`${'{"a":'.repeat(200)}1${"}".repeat(200)}`);
    sameAsExact('{"__proto__": {"x": 1}, "constructor": [], "toString": "s", "123": 1, "1": 2}');
    sameAsExact(' \t\r\n {\r\n\t"a" :\t[ 1 ,\n\n 2 ] \r\n } \n\n');
    sameAsExact(`{\n${Array.from({ length: 500 }, (_, k) => `  "K${k}": ${k}`).join(",\n")}\n}`);
  });

  it("gives up on a duplicate key in a large map, a BOM, and raw control characters, so the exact path reports them", () => {
    const keys = Array.from({ length: 100 }, (_, k) => `"K${k}": ${k}`).join(", ");
    for (const text of [`{${keys}, "K7": 0}`, "\uFEFF{}", '{"a": "x\ny"}', '{"a": "tab\there"}', '{"a"\u000b: 1}']) {
      expect({ text, fast: parseJsonFast(text) }).toEqual({ text, fast: undefined });
    }
    const text = `{${keys}, "K7": 0}`;
    expect(parseTemplateText(text)).toMatchObject({
      ok: false,
      error: { message: 'duplicate key "K7"', line: 1, column: text.lastIndexOf('"K7"') + 1 },
    });
  });

  it("stops at the same place as the exact path past the nesting budget", () => {
    const text = `{"Resources": ${"[".repeat(300)}${"]".repeat(300)}}`;
    expect(parseJsonFast(text)).toEqual({
      ok: false,
      budget: "nesting deeper than 256 levels",
      pos: { line: 1, column: 270 },
    });
    expect(parseJsonExact(text)).toMatchObject({ ok: false, error: { line: 1, column: 270 } });
  });

  it("agrees with the exact path on a CDK-sized template (0.7 MB+, one-space indentation like cdk synth)", () => {
    const source = JSON.parse(readFileSync(path.join(repo, "examples/templates/aurora-serverless-v2.json"), "utf8"));
    const resources: Record<string, unknown> = {};
    for (let k = 0; resources && JSON.stringify(resources).length < 800_000; k++) {
      for (const [id, r] of Object.entries(source.Resources as Record<string, object>)) {
        resources[`${id}${k}C0FFEE${k % 10}`] = { ...r, Metadata: { "aws:cdk:path": `App/Stack/${id}${k}/Resource` } };
      }
    }
    const text = JSON.stringify({ ...source, Resources: resources }, undefined, 1);
    expect(text.length).toBeGreaterThan(700_000);
    sameAsExact(text);
  });
});
