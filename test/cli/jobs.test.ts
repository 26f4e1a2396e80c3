import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the benchmarks, without types
import { generateCorpus } from "../../bench/generate.mjs";
import { autoJobs, type FileOutcome, parseJobs, runScanPool } from "../../src/commands/scan-pool.js";
import { loadRuleSet } from "../../src/engine/report.js";
import { REPORT_FORMATS } from "../../src/reporters/index.js";
import { CORPUS_ROOT, HAS_CORPUS } from "../support/optional-suites.js";

// These run the built CLI (npm test builds first), as a user would, once with --jobs 1 and once with --jobs 2.
const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-jobs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What differs from one run to the next whatever the jobs: times and durations. */
function normalize(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "TIME")
    .replace(/"durationMs": ?\d+/g, '"durationMs": 0')
    .replace(/\btime="[\d.]+"/g, 'time="0"')
    .replace(/\b\d+\.\d ?s\b/g, "0.0s");
}

interface Run {
  code: number | null;
  stderr: string;
  reports: Record<string, string>;
}

let runNo = 0;
/** `rdsguard scan ARGS --jobs JOBS` with every format written to a file; each report normalized. */
function scan(args: string[], jobs: string, cwd = repo): Run {
  const dir = path.join(tmp, `run${runNo++}`);
  mkdirSync(dir);
  const formats = REPORT_FORMATS.flatMap((f) => ["--format", `${f}=${path.join(dir, f)}`]);
  const r = spawnSync(process.execPath, [cli, "scan", ...args, "--jobs", jobs, "--now", "2026-06-01", ...formats], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
    maxBuffer: 64 * 1024 * 1024,
  });
  // The markdown report names the other outputs: their directory is the one thing that differs by design.
  const reports = Object.fromEntries(
    REPORT_FORMATS.map((f) => [f, normalize(readFileSync(path.join(dir, f), "utf8")).replaceAll(dir, "OUT")]),
  );
  return { code: r.status, stderr: normalize(r.stderr), reports };
}

/** Where two texts first differ (a diff of two large reports would take the test runner minutes). */
function expectSame(actual: string | undefined, expected: string | undefined, what: string): void {
  if (actual === expected) return;
  const a = actual ?? "";
  const b = expected ?? "";
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  expect.fail(
    `${what} differs at offset ${i}: ${JSON.stringify(a.slice(i, i + 200))} vs ${JSON.stringify(b.slice(i, i + 200))}`,
  );
}

/** Both runs, and that every report (and stderr: warnings, errors) is byte-identical. */
function sameWithJobs(args: string[], cwd = repo): Run {
  const one = scan(args, "1", cwd);
  const two = scan(args, "2", cwd);
  for (const format of REPORT_FORMATS) expectSame(two.reports[format], one.reports[format], format);
  expectSame(two.stderr, one.stderr, "stderr");
  expect(two.code).toBe(one.code);
  return one;
}

const findingsOf = (run: Run) => (JSON.parse(run.reports.json as string) as { findings: unknown[] }).findings;
const errorsOf = (run: Run) =>
  (JSON.parse(run.reports.json as string) as { errors: { kind: string; file?: string; line?: number }[] }).errors;

describe("scan --jobs: reports equal one job's", () => {
  it("on the shipped examples (findings, exit 1)", () => {
    const run = sameWithJobs(["examples/templates"]);
    expect(run.code).toBe(1);
    expect(findingsOf(run).length).toBeGreaterThan(50);
    expect(errorsOf(run)).toEqual([]);
  });

  it("on a generated directory of 300 templates", () => {
    const dir = path.join(tmp, "generated");
    generateCorpus(dir, 300);
    const run = sameWithJobs([dir, "--root", dir]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.reports.json as string).stats).toMatchObject({
      filesScanned: 300,
      templatesWithDatabases: 100,
    });
  });

  it.skipIf(!HAS_CORPUS)("on the real-world corpus (../shared/corpus)", () => {
    const run = sameWithJobs([CORPUS_ROOT, "--root", CORPUS_ROOT]);
    expect(JSON.parse(run.reports.json as string).stats.filesScanned).toBeGreaterThan(250);
  });

  it("with a file that does not parse, inline waivers (one without a reason), a cdk.out assembly: exit 2", () => {
    const run = sameWithJobs(["test/fixtures/cli", "test/fixtures/templates", "test/fixtures/cdk.out"]);
    expect(run.code).toBe(2);
    expect(errorsOf(run)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "parse", file: "test/fixtures/cli/broken.yaml", line: 8 }),
        expect.objectContaining({ kind: "policy", file: "test/fixtures/cli/suppressions.yaml", line: 35 }),
      ]),
    );
    expect(run.reports.json).toContain('"kind": "inline"');
  });

  it("with parameter values: rejected values are errors, a value no template declares is a warning", () => {
    const run = sameWithJobs([
      "test/fixtures/cli",
      "examples/templates",
      "--parameters",
      "test/fixtures/cli/params-object.json",
      "--parameter",
      "BackupDays=90",
      "--parameter",
      "Enviroment=prod",
    ]);
    expect(errorsOf(run)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "parameters", file: "test/fixtures/cli/params-checked.yaml" }),
      ]),
    );
    expect(run.stderr).toContain("warning: parameter Enviroment is given a value but no scanned template declares it");
  });

  it("with a baseline: unchanged findings do not fail the gate (exit 0)", () => {
    const baseline = path.join(tmp, "baseline.json");
    const first = scan(["examples/templates"], "1");
    writeFileSync(baseline, readFileSync(path.join(tmp, `run${runNo - 1}`, "json")));
    expect(first.code).toBe(1);
    const run = sameWithJobs(["examples/templates", "--baseline", baseline]);
    expect(run.code).toBe(0);
    expect(run.reports.json).toContain('"baselineState": "unchanged"');
  });

  it("with a policy of its own rules (customRules), and with a plugin (then one job, with a warning)", () => {
    const dir = path.join(tmp, "policy");
    mkdirSync(dir);
    const policy = readFileSync(path.join(repo, "examples/policies/rdsguard.yaml"), "utf8");
    const withoutPlugins = policy.replace(/^plugins:[\s\S]*?(?=^\S|$(?![\s\S]))/m, "");
    expect(withoutPlugins).not.toContain("plugins/backup-window.mjs");
    writeFileSync(path.join(dir, "custom.yaml"), withoutPlugins);
    const custom = sameWithJobs(["examples/templates", "--config", path.join(dir, "custom.yaml")]);
    expect(custom.reports.json).toContain('"ruleId": "acme-graviton-in-production"');

    // In place: its plugin imports the rdsguard package, which resolves from the repository.
    const config = ["examples/templates", "--config", "examples/policies/rdsguard.yaml"];
    const one = scan(config, "1");
    const two = scan(config, "2");
    for (const format of REPORT_FORMATS) expectSame(two.reports[format], one.reports[format], format);
    expect(one.stderr).not.toContain("--jobs");
    expect(two.stderr).toContain("warning: --jobs 2 is not used with plugins: the scan runs in one job");
  });

  it("rejects a --jobs that is not a whole number from 1 to 64 or auto (usage error, exit 2)", () => {
    for (const bad of ["0", "-1", "1.5", "two", "65", "", " 2", "0x2", "\u001b[31m"]) {
      const r = spawnSync(process.execPath, [cli, "scan", "examples/templates", `--jobs=${bad}`], {
        cwd: repo,
        encoding: "utf8",
      });
      expect(r.status, bad).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("rdsguard scan: --jobs takes a whole number from 1 to 64 or 'auto'");
      expect(r.stderr).toContain("Run 'rdsguard scan --help' for its options.");
      expect(r.stderr).not.toContain("\u001b");
    }
    const help = spawnSync(process.execPath, [cli, "scan", "--help"], { encoding: "utf8" });
    expect(help.stdout).toContain("--jobs N|auto");
    expect(scan(["examples/templates"], "auto").code).toBe(1);
  });

  it("parses --jobs; auto is one job", () => {
    expect(parseJobs("auto")).toBe("auto");
    expect(parseJobs("1")).toBe(1);
    expect(parseJobs("64")).toBe(64);
    expect(parseJobs("65")).toBeUndefined();
    expect(parseJobs("02")).toBeUndefined();
    // One job by measurement (bench/jobs.mjs): see autoJobs.
    for (const files of [10, 1000, 10_000, 100_000]) expect(autoJobs(files, 2)).toBe(1);
  });
});

describe("scan --jobs: a worker that crashes or hangs", () => {
  const template = (name: string) =>
    `Resources:\n  ${name}:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n`;

  async function pool(names: string[], workerFile: string, fileBudgetMs = 60_000) {
    const dir = path.join(tmp, `pool${runNo++}`);
    mkdirSync(dir);
    const files = names.map((n) => {
      const file = path.join(dir, n);
      writeFileSync(file, template(n.replace(/\W/g, "")));
      return file;
    });
    const { policy } = await loadRuleSet({ cwd: dir });
    const seen: { index: number; outcome: FileOutcome }[] = [];
    const started = Date.now();
    const result = await runScanPool({
      jobs: 2,
      files,
      named: new Set(),
      root: dir,
      scan: {},
      policy,
      strict: false,
      now: new Date("2026-06-01"),
      declared: false,
      onFile: (outcome, index) => seen.push({ index, outcome }),
      fileBudgetMs,
      workerFile,
    });
    return { result, seen, ms: Date.now() - started };
  }

  it("gives the file it was on a located error, scans the others, and ends within the budget", async () => {
    const names = ["a.yaml", "crash.yaml", "b.yaml", "throws.yaml", "c.yaml", "hang.yaml", "d.yaml", "e.yaml"];
    const { result, seen, ms } = await pool(names, path.join(repo, "test/fixtures/jobs/misbehaving-worker.mjs"), 1500);
    expect(result).toEqual({ next: names.length });
    expect(seen.map((s) => s.index)).toEqual(names.map((_, i) => i));
    const errors = seen.map((s) => s.outcome.error?.message ?? "");
    expect(seen[1]?.outcome.error).toMatchObject({ kind: "internal", file: "crash.yaml" });
    expect(errors[1]).toBe("scanning this file ended its worker thread (exit code 3)");
    expect(seen[3]?.outcome.error).toMatchObject({ kind: "internal", file: "throws.yaml" });
    expect(errors[3]).toContain("scanning this file crashed its worker thread (Error: thrown on purpose");
    expect(seen[5]?.outcome.error).toMatchObject({ kind: "internal", file: "hang.yaml" });
    expect(errors[5]).toBe(
      "scanning this file did not finish within 1.5 s, the time budget of one file in a worker (--jobs)",
    );
    for (const i of [0, 2, 4, 6, 7]) {
      expect(seen[i]?.outcome.error).toBeUndefined();
      expect(seen[i]?.outcome.resources).toBe(1);
      expect(seen[i]?.outcome.findings?.length).toBeGreaterThan(5);
    }
    expect(ms).toBeLessThan(30_000);
  }, 60_000);

  it("ends the pool when a worker cannot start, so the caller scans the files itself", async () => {
    const { result, seen } = await pool(["a.yaml", "b.yaml"], path.join(repo, "test/fixtures/jobs/dead-worker.mjs"));
    expect(result).toEqual({ next: 0, unavailable: "ended its worker thread (exit code 1)" });
    expect(seen).toEqual([]);
  });
});
