/**
 * Mutation fuzzing over the real-world corpus (../shared/corpus, beside the repository as in
 * test/scanner/corpus.test.ts): byte flips, inserted bytes, deleted/duplicated/swapped lines, truncations,
 * duplicated blocks, each input judged in-process against the invariants of harness.ts, with a fixed seed and a
 * time bound (FUZZ_SECONDS, 45 s by default; npm run fuzz runs it longer). A sample also goes through the built CLI
 * (exit 0/1/2 and a report in every file format).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRuleSet, type RuleSet } from "../../src/engine/report.js";
import type { ScanReport } from "../../src/engine/types.js";
import { discoverFiles } from "../../src/scanners/template/index.js";
import { describeStats, fuzzSettings, judgeText, newStats, SENTINEL } from "./harness.js";

const corpusRoot = path.resolve(__dirname, "../../../shared/corpus");
const hasCorpus = existsSync(path.join(corpusRoot, "aws-cloudformation-templates"));
const { seed, seconds } = fuzzSettings(45);

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its seed. */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  "\u0000",
  "\u001b[2J",
  "\n",
  "\r\n",
  "{",
  "}",
  "[",
  "]",
  ":",
  "- ",
  "&a ",
  "*a",
  "!Ref ",
  "!If [",
  '"',
  "'",
  "\t",
  "\ufeff",
  "<<: ",
  "%",
  "\u202e",
  "\n::error::x\n",
];

type Mutation = (text: string, random: () => number) => string;
const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T;

const MUTATIONS: Record<string, Mutation> = {
  "flip byte": (t, r) => {
    const i = Math.floor(r() * t.length);
    return t.slice(0, i) + String.fromCharCode(Math.floor(r() * 256)) + t.slice(i + 1);
  },
  "insert token": (t, r) => {
    const i = Math.floor(r() * t.length);
    return t.slice(0, i) + pick(NASTY, r) + t.slice(i);
  },
  "delete line": (t, r) => {
    const lines = t.split("\n");
    lines.splice(Math.floor(r() * lines.length), 1);
    return lines.join("\n");
  },
  "duplicate line": (t, r) => {
    const lines = t.split("\n");
    const i = Math.floor(r() * lines.length);
    lines.splice(i, 0, lines[i] ?? "");
    return lines.join("\n");
  },
  "swap lines": (t, r) => {
    const lines = t.split("\n");
    const i = Math.floor(r() * lines.length);
    const j = Math.floor(r() * lines.length);
    [lines[i], lines[j]] = [lines[j] ?? "", lines[i] ?? ""];
    return lines.join("\n");
  },
  truncate: (t, r) => t.slice(0, Math.floor(r() * t.length)),
  "duplicate block": (t, r) => {
    const i = Math.floor(r() * t.length);
    const n = Math.floor(r() * 400);
    return t.slice(0, i + n) + t.slice(i, i + n) + t.slice(i + n);
  },
  "indent shift": (t, r) => {
    const lines = t.split("\n");
    const i = Math.floor(r() * lines.length);
    lines[i] = r() < 0.5 ? ` ${lines[i]}` : (lines[i] ?? "").replace(/^ /, "");
    return lines.join("\n");
  },
  "plant password": (t) => t.replace(/Properties:\n(\s+)/, `Properties:\n$1MasterUserPassword: ${SENTINEL}\n$1`),
};

let ruleSet: RuleSet;
let corpus: { file: string; text: string }[] = [];
const stats = newStats();
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-fuzz-corpus-"));

beforeAll(async () => {
  if (!hasCorpus) return;
  ruleSet = await loadRuleSet({ cwd: process.cwd() });
  const { files } = await discoverFiles(["aws-cloudformation-templates"], corpusRoot);
  corpus = files
    .map((file) => ({ file: path.relative(corpusRoot, file), text: readFileSync(file, "utf8") }))
    .filter((f) => f.text.length < 400_000);
});
afterAll(() => {
  if (hasCorpus) console.log(`${describeStats("corpus mutation", stats)}; seed ${seed}, ${seconds} s`);
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasCorpus)("mutated corpus templates", () => {
  it(
    `keep every invariant (seed ${seed}, ${seconds} s)`,
    () => {
      const random = prng(seed);
      const names = Object.keys(MUTATIONS);
      const deadline = performance.now() + seconds * 1000;
      const failures: string[] = [];
      // Database templates are mutated more often: they reach the rules, not only the parser.
      const rds = corpus.filter((f) => f.text.includes("AWS::RDS::"));
      while (performance.now() < deadline && failures.length < 5) {
        const source = random() < 0.6 && rds.length > 0 ? pick(rds, random) : pick(corpus, random);
        let text = source.text;
        const applied: string[] = [];
        const count = 1 + Math.floor(random() * 3);
        for (let i = 0; i < count; i++) {
          const name = pick(names, random);
          text = (MUTATIONS[name] as Mutation)(text, random);
          applied.push(name);
        }
        const { problems } = judgeText(text, source.file, ruleSet, stats);
        if (problems.length > 0) failures.push(`${source.file} after ${applied.join(", ")}: ${problems.join("; ")}`);
      }
      expect(failures).toEqual([]);
      expect(stats.inputs).toBeGreaterThan(50);
    },
    (seconds + 60) * 1000,
  );
});

describe.skipIf(!hasCorpus)("a sample through the built CLI", () => {
  it("exits 0, 1 or 2 and writes a report in every file format", () => {
    const repo = path.resolve(__dirname, "../..");
    const random = prng(seed + 1);
    const rds = corpus.filter((f) => f.text.includes("AWS::RDS::"));
    for (let n = 0; n < 4; n++) {
      const source = pick(rds, random);
      const name = pick(Object.keys(MUTATIONS), random);
      const file = path.join(tmp, `m${n}${path.extname(source.file)}`);
      writeFileSync(file, (MUTATIONS[name] as Mutation)(source.text, random));
      const out = (ext: string) => path.join(tmp, `m${n}.${ext}`);
      const r = spawnSync(
        process.execPath,
        [
          path.join(repo, "dist/cli.js"),
          "scan",
          file,
          "--format",
          `json=${out("json")}`,
          "--format",
          `sarif=${out("sarif")}`,
          "--format",
          `junit=${out("xml")}`,
          "--format",
          `markdown=${out("md")}`,
          "--format",
          "text",
        ],
        { cwd: tmp, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
      );
      expect([0, 1, 2], `${source.file} after ${name}: ${r.stderr}`).toContain(r.status);
      expect(r.stderr).not.toContain("internal error");
      const report = JSON.parse(readFileSync(out("json"), "utf8")) as ScanReport;
      expect(report.schemaVersion).toBe(1);
      for (const ext of ["sarif", "xml", "md"]) expect(readFileSync(out(ext), "utf8").length).toBeGreaterThan(0);
      stats.inputs++;
    }
  }, 240_000);
});
