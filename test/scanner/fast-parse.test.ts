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
});
