/**
 * One root for every report: a scan of a git repository gives the same reports, with repository paths, and the
 * same fingerprints, from the repository root, from a subdirectory, with `../` paths and with absolute paths
 * (from outside the repository). A baseline made in one place matches in every other. Fingerprints of a scan at
 * the repository root are those rdsguard 0.1.0 wrote, so existing baselines keep matching.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/engine/types.js";
import { assertGithubAcceptsSarif } from "../support/github-sarif.js";

const repo = path.resolve(import.meta.dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const FORMATS = ["json", "sarif", "junit", "markdown", "github", "text"] as const;
const EXTENSION: Record<(typeof FORMATS)[number], string> = {
  json: "json",
  sarif: "sarif",
  junit: "xml",
  markdown: "md",
  github: "txt",
  text: "log",
};

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

function rdsguard(cwd: string, args: string[]) {
  const env = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env, timeout: 60_000 });
}

/** Timestamps and durations aside, a report's text. */
function normalize(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/"durationMs": \d+/g, '"durationMs": 0')
    .replace(/ time="[\d.]+"/g, ' time="0"')
    .replace(/; \d+(\.\d+)? ?m?s\b/g, "; <duration>")
    .replace(/\b\d+(\.\d+)? ?(ms|s) (total|elapsed)/g, "<duration>");
}

let work: string;
let top: string;
let outDir: string;

/** Runs a scan from `cwd` writing every format into outDir/NAME.*; returns the reports' texts. */
function scanFrom(name: string, cwd: string, paths: string[], extra: string[] = []) {
  const formats = FORMATS.flatMap((f) => ["--format", `${f}=${path.join(outDir, `${name}.${EXTENSION[f]}`)}`]);
  const r = rdsguard(cwd, ["scan", ...paths, ...formats, "--now", "2026-12-01", ...extra]);
  const texts = Object.fromEntries(
    FORMATS.map((f) => [f, normalize(readFileSync(path.join(outDir, `${name}.${EXTENSION[f]}`), "utf8"))]),
  ) as Record<(typeof FORMATS)[number], string>;
  return { status: r.status, stderr: r.stderr, texts, json: JSON.parse(texts.json) as ScanReport };
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "rdsguard-root-"));
  top = path.join(work, "repo");
  outDir = path.join(work, "out");
  mkdirSync(outDir);
  mkdirSync(path.join(top, "infra/db/nested"), { recursive: true });
  mkdirSync(path.join(top, "infra/cdk"), { recursive: true });
  cpSync(path.join(repo, "examples/templates/mysql-legacy-standalone.yaml"), path.join(top, "infra/db/orders.yaml"));
  cpSync(
    path.join(repo, "examples/templates/aurora-serverless-v2.json"),
    path.join(top, "infra/db/nested/inventory.json"),
  );
  cpSync(path.join(repo, "test/fixtures/cdk.out"), path.join(top, "infra/cdk/cdk.out"), { recursive: true });
  git(top, "init", "-q");
  git(top, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".");
  git(top, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "infra");
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("every report is relative to the repository root, wherever the scan runs from", () => {
  it("gives identical reports from the root, a subdirectory, ../ paths and absolute paths", () => {
    const fromRoot = scanFrom("root", top, ["infra/", "infra/cdk/cdk.out"]);
    const fromSub = scanFrom("sub", path.join(top, "infra"), ["db", "cdk/cdk.out"]);
    const fromDeeper = scanFrom("up", path.join(top, "infra/cdk"), ["../", "cdk.out"]);
    const fromOutside = scanFrom("abs", work, [path.join(top, "infra"), path.join(top, "infra/cdk/cdk.out")]);
    expect(fromRoot.status).toBe(1);
    expect(fromRoot.json.root).toBe(top);
    const files = new Set(fromRoot.json.findings.map((f) => f.location?.file));
    expect([...files].sort()).toEqual([
      "infra/cdk/cdk.out/OrdersStack.template.json",
      "infra/db/nested/inventory.json",
      "infra/db/orders.yaml",
    ]);
    for (const other of [fromSub, fromDeeper, fromOutside]) {
      expect(other.status).toBe(1);
      for (const format of FORMATS) expect(other.texts[format], format).toBe(fromRoot.texts[format]);
    }
    // SARIF: %SRCROOT% is the repository, and every uri is a file of it.
    const sarif = JSON.parse(readFileSync(path.join(outDir, "sub.sarif"), "utf8"));
    expect(sarif.runs[0].originalUriBaseIds["%SRCROOT%"].uri).toBe(`file://${top}/`);
    expect(sarif.runs[0].results.length).toBeGreaterThan(10);
    assertGithubAcceptsSarif(sarif, { repoRoot: top });
    expect(fromSub.texts.text).toContain("infra/db/orders.yaml:16:3 ");
    expect(fromSub.texts.github).toContain("::error file=infra/db/orders.yaml,line=16,col=3,");
    expect(fromSub.texts.junit).toContain('file="infra/db/orders.yaml" line="16"');
  });

  it("a baseline made in one place gives 0 new findings in every other", () => {
    const baselineAtRoot = path.join(outDir, "root.json");
    const baselineInSub = path.join(outDir, "sub.json");
    const places: Array<[string, string, string[]]> = [
      ["root", top, ["infra/", "infra/cdk/cdk.out"]],
      ["sub", path.join(top, "infra"), ["db", "cdk/cdk.out"]],
      ["up", path.join(top, "infra/cdk"), ["../", "cdk.out"]],
      ["abs", work, [path.join(top, "infra"), path.join(top, "infra/cdk/cdk.out")]],
    ];
    for (const [name, cwd, paths] of places) scanFrom(name, cwd, paths);
    for (const baseline of [baselineAtRoot, baselineInSub]) {
      for (const [name, cwd, paths] of places) {
        const r = scanFrom(`${name}-gated`, cwd, paths, ["--baseline", baseline]);
        const failing = r.json.findings.filter((f) => f.verdict === "fail");
        expect(failing.length, name).toBe(25);
        expect(
          failing.filter((f) => f.baselineState !== "unchanged"),
          `${name} vs ${baseline}`,
        ).toEqual([]);
        expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      }
    }
  });

  it("--root DIR makes paths relative to DIR", () => {
    const r = scanFrom("rooted", top, ["infra/db"], ["--root", "infra"]);
    expect(r.json.root).toBe(path.join(top, "infra"));
    expect(new Set(r.json.findings.map((f) => f.location?.file))).toEqual(
      new Set(["db/orders.yaml", "db/nested/inventory.json"]),
    );
    const bad = rdsguard(top, ["scan", "infra", "--root", "no-such-dir"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--root: no-such-dir is not a directory");
  });

  it("finds the top-level of a worktree (.git is a file) and, outside any repository, uses the working directory", () => {
    const tree = path.join(work, "tree");
    git(top, "worktree", "add", "-q", tree);
    const r = scanFrom("worktree", path.join(tree, "infra/db"), ["."]);
    expect(r.json.root).toBe(tree);
    expect(new Set(r.json.findings.map((f) => f.location?.file))).toEqual(
      new Set(["infra/db/orders.yaml", "infra/db/nested/inventory.json"]),
    );
    const plain = path.join(work, "plain");
    cpSync(path.join(top, "infra"), plain, { recursive: true });
    const outside = scanFrom("plain", path.join(plain, "db"), ["."]);
    expect(outside.json.root).toBe(path.join(plain, "db"));
    expect(new Set(outside.json.findings.map((f) => f.location?.file))).toEqual(
      new Set(["orders.yaml", "nested/inventory.json"]),
    );
  });

  it("audit: --stack-template paths (typed at the shell) are shown relative to the repository root", () => {
    // No AWS here: the audit fails on credentials (exit 2), and the mapping is still read and checked.
    const sub = path.join(top, "infra");
    const r = spawnSync(
      process.execPath,
      [
        cli,
        "audit",
        "--regions",
        "eu-west-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--max-attempts",
        "1",
        "--timeout",
        "1",
        "--stack-template",
        "orders=db/missing.yaml",
        "--format",
        `json=${path.join(outDir, "audit.json")}`,
      ],
      {
        cwd: sub,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y", AWS_EC2_METADATA_DISABLED: "true" },
      },
    );
    const report = JSON.parse(readFileSync(path.join(outDir, "audit.json"), "utf8")) as ScanReport;
    expect(r.status).toBe(2);
    expect(report.root).toBe(top);
  });
});

describe("fingerprints of a scan at the repository root are unchanged since 0.1.0", () => {
  const legacy = JSON.parse(
    readFileSync(path.join(repo, "test/fixtures/pipeline/fingerprints-0.1.0.json"), "utf8"),
  ) as {
    findings: Array<[string, string, string, string, string, string]>;
  };

  function identities(report: ScanReport): Map<string, string> {
    return new Map(
      report.findings.map((f) => [
        JSON.stringify([
          f.ruleId,
          f.location?.file ?? f.resource.origin.file,
          f.resource.id,
          f.property ?? "",
          f.when ?? "",
        ]),
        f.fingerprint,
      ]),
    );
  }

  it("matches every fingerprint rdsguard 0.1.0 wrote, from the root and from a subdirectory", () => {
    const out = mkdtempSync(path.join(tmpdir(), "rdsguard-fp-"));
    try {
      const atRoot = path.join(out, "root.json");
      const inSub = path.join(out, "sub.json");
      rdsguard(repo, ["scan", "examples/templates", "test/fixtures/cdk.out", "--format", `json=${atRoot}`]);
      rdsguard(path.join(repo, "examples"), [
        "scan",
        "templates",
        "../test/fixtures/cdk.out",
        "--format",
        `json=${inSub}`,
      ]);
      for (const file of [atRoot, inSub]) {
        const now = identities(JSON.parse(readFileSync(file, "utf8")) as ScanReport);
        expect(legacy.findings.length).toBeGreaterThan(50);
        for (const [rule, place, id, property, when, fingerprint] of legacy.findings) {
          expect(now.get(JSON.stringify([rule, place, id, property, when])), `${rule} ${place} ${id} ${property}`).toBe(
            fingerprint,
          );
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
