/**
 * The one-way flow, kept by test: scanners -> model -> engine + rules (+ policy) -> reporters. Every import in src/
 * (static, re-export, dynamic with a literal path) is read with TypeScript's own pre-processor and checked against
 * the folders each folder may use. docs/architecture.md describes the same table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

/** What each part of src/ may import, besides itself. Entry points are the only ones that may import anything. */
const ALLOWED: Record<string, readonly string[]> = {
  // Leaf helpers with no knowledge of RDS (glob matching, path normal form) and the package version.
  util: [],
  // The version, read from package.json, which util/package-root.ts finds.
  version: ["util"],
  // Resources, their attributes and relationships, AWS defaults and engine facts; located input errors.
  model: ["util"],
  // Templates, CDK output and live AWS in; the model (and located errors) out.
  scanners: ["model", "util"],
  // Judge the model: the verdict types and algebra, the built-in rules, the declarative rule compiler.
  rules: ["model", "util"],
  // Which rules apply where, with what severity and parameters; waivers; policy-defined rule specs.
  policy: ["model", "rules", "util"],
  // Runs the rules under the policy into findings; suppressions, fingerprints, plugins, the report.
  engine: ["model", "rules", "policy", "util", "version"],
  // Format a report; nothing upstream is recomputed here. version: the project URL (package.json `repository`).
  reporters: ["model", "rules", "engine", "util", "version"],
};
const ENTRY_POINTS = new Set(["commands", "cdk", "cli", "index"]);

/** "rules" for src/rules/x.ts, "cli" for src/cli.ts. */
function partOf(file: string): string {
  const rel = relative(SRC, file).split(sep);
  return rel.length === 1 ? (rel[0] as string).replace(/\.ts$/, "") : (rel[0] as string);
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

interface Edge {
  from: string;
  to: string;
  specifier: string;
}

/** Relative imports of one file, resolved to the src/ files they name (".js" specifiers name ".ts" sources). */
function importsOf(file: string, text: string): Edge[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => ({ from: file, to: resolve(dirname(file), spec).replace(/\.js$/, ".ts"), specifier: spec }));
}

function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = partOf(e.from);
    const to = partOf(e.to);
    if (from === to || ENTRY_POINTS.has(from)) continue;
    const allowed = ALLOWED[from];
    if (allowed === undefined) out.push(`${relative(SRC, e.from)}: folder ${from} has no place in the flow`);
    else if (!allowed.includes(to)) out.push(`${relative(SRC, e.from)} imports ${e.specifier} (${from} -> ${to})`);
  }
  return out;
}

const files = sourceFiles(SRC);
const edges = files.flatMap((f) => importsOf(f, readFileSync(f, "utf8")));

describe("import graph", () => {
  it("reads the imports of every source file, including re-exports and dynamic imports", () => {
    const sample = importsOf(
      join(SRC, "x/a.ts"),
      'import a from "../b.js";\nexport * from "./c.js";\nawait import("../d/e.js");\nimport "node:fs";',
    );
    expect(sample.map((e) => relative(SRC, e.to))).toEqual(["b.ts", join("x", "c.ts"), join("d", "e.ts")]);
    expect(files.length).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(100);
    // Every import names a file that exists, so a wrong resolution cannot hide an edge.
    const missing = edges.filter((e) => !files.includes(e.to)).map((e) => `${relative(SRC, e.from)}: ${e.specifier}`);
    expect(missing).toEqual([]);
  });

  it("places every folder of src/ in the flow or among the entry points", () => {
    const parts = new Set(files.map(partOf));
    const unplaced = [...parts].filter((p) => !(p in ALLOWED) && !ENTRY_POINTS.has(p));
    expect(unplaced).toEqual([]);
  });

  it("has no import that runs against the flow", () => {
    expect(violations(edges)).toEqual([]);
  });

  it("would report an import back up the flow", () => {
    const back = [
      { from: join(SRC, "rules/x.ts"), to: join(SRC, "policy/y.ts"), specifier: "../policy/y.js" },
      { from: join(SRC, "scanners/t/x.ts"), to: join(SRC, "engine/types.ts"), specifier: "../../engine/types.js" },
      { from: join(SRC, "model/x.ts"), to: join(SRC, "rules/y.ts"), specifier: "../rules/y.js" },
      { from: join(SRC, "commands/x.ts"), to: join(SRC, "reporters/y.ts"), specifier: "../reporters/y.js" },
    ];
    expect(violations(back)).toEqual([
      "rules/x.ts imports ../policy/y.js (rules -> policy)",
      `${join("scanners", "t", "x.ts")} imports ../../engine/types.js (scanners -> engine)`,
      "model/x.ts imports ../rules/y.js (model -> rules)",
    ]);
  });

  it("allows no cycle between folders", () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycle = (part: string): boolean => {
      if (done.has(part)) return false;
      if (visiting.has(part)) return true;
      visiting.add(part);
      const found = (ALLOWED[part] ?? []).some(cycle);
      visiting.delete(part);
      done.add(part);
      return found;
    };
    expect(Object.keys(ALLOWED).filter(cycle)).toEqual([]);
  });
});

describe("input files", () => {
  // Files that read only rdsguard's own package files (package.json, the policy schema), never a user's input.
  const PACKAGE_READERS = ["version.ts", join("policy", "schema.ts")];
  const WHOLE_FILE_READ = /import\s*\{[^}]*\breadFile(Sync)?\b[^}]*\}\s*from\s*"node:fs(\/promises)?"/;

  it("are read only through util/read-file.ts (regular files, within a size limit): a FIFO in a change cannot hang", () => {
    expect(WHOLE_FILE_READ.test('import { readFileSync, statSync } from "node:fs";')).toBe(true);
    const readers = files
      .filter((f) => WHOLE_FILE_READ.test(readFileSync(f, "utf8")))
      .map((f) => relative(SRC, f))
      .filter((f) => !PACKAGE_READERS.includes(f));
    expect(readers).toEqual([]);
  });
});
