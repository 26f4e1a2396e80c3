/**
 * Start-up loads only what the run needs (issue 17, bench/cold-start.mjs measures the time): `--version` and
 * `--help` no dependency at all; a scan of plain paths with the shipped policy neither the policy schema validator
 * (ajv), nor the glob walker, nor the "did you mean" distance, nor the AWS SDK. Each of those is loaded when a run
 * does need it, which is checked too.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-cold-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** Runs the built CLI; the exit code and the packages (node_modules names) and files it loaded. */
function loads(
  args: string[],
  cwd = repo,
): { code: number | null; stderr: string; packages: Set<string>; files: string[] } {
  const log = path.join(tmp, `loaded-${n++}.txt`);
  writeFileSync(log, "");
  const r = spawnSync(
    process.execPath,
    ["--import", path.join(repo, "test/support/loaded-modules.mjs"), cli, ...args],
    { cwd, encoding: "utf8", env: { ...process.env, RDSGUARD_LOADED_MODULES: log } },
  );
  const files = readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.includes("/test/support/loaded-modules"));
  const packages = new Set(
    files.flatMap((f) => {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
      return m?.[1] ? [m[1]] : [];
    }),
  );
  return { code: r.status, stderr: r.stderr, packages, files };
}

// yaml and jsonc-parser are the exact parsers for broken or unusual files; the fast readers take a well-formed one.
const HEAVY = ["ajv", "tinyglobby", "fastest-levenshtein", "yaml", "jsonc-parser"];

describe("cold start", () => {
  it("--version and --help load no dependency and none of the commands", () => {
    for (const args of [["--version"], ["--help"]]) {
      const r = loads(args);
      expect(r.code, args[0]).toBe(0);
      expect([...r.packages], args[0]).toEqual([]);
      // Commands are dist/commands/*.js from tsc, dist/chunks/<command>-HASH.js in the bundled CLI.
      const commands = /\/dist\/(commands\/|chunks\/(scan|audit|merge|rules|explain|test|init)-)/;
      expect(
        r.files.filter((f) => commands.test(f)),
        args[0],
      ).toEqual([]);
      // The CLI, and the bundle's small shared chunks for "did you mean" (src/util/suggest.ts, lazy.ts).
      expect(r.files.filter((f) => f.includes("/dist/")).length, args[0]).toBeLessThanOrEqual(3);
    }
  });

  it("a scan of one YAML and of one JSON template with the shipped policy loads no validator, exact parser, glob walker or AWS SDK", () => {
    const yamlScan = loads(["scan", "examples/templates/mysql-legacy-standalone.yaml", "--fail-on", "none"]);
    expect(yamlScan.code).toBe(0);
    for (const pkg of yamlScan.packages) expect(HEAVY.includes(pkg) || pkg.startsWith("@aws-sdk/"), pkg).toBe(false);
    const r = loads(["scan", "examples/templates/aurora-serverless-v2.json", "--fail-on", "none"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const pkg of r.packages) expect(HEAVY.includes(pkg) || pkg.startsWith("@aws-sdk/"), pkg).toBe(false);
    expect(r.files.some((f) => f.endsWith("/dist/cli.js"))).toBe(true);
    expect(
      r.files.some((f) => /\/dist\/chunks\/scan-\w+\.js$/.test(f)),
      "the bundled scan command",
    ).toBe(true);
  });

  it("audit --help and an audit usage error load no AWS SDK package", () => {
    for (const args of [
      ["audit", "--help"],
      ["audit", "--source", "config"],
    ]) {
      const r = loads(args);
      expect(r.code, args.join(" ")).toBe(args[1] === "--help" ? 0 : 2);
      expect([...r.packages].filter((p) => p.startsWith("@aws-sdk/") || p.startsWith("@smithy/"))).toEqual([]);
    }
  });

  it("loads ajv for a user's policy file, tinyglobby for a glob, the distance for a typo", () => {
    const dir = mkdtempSync(path.join(tmp, "policy-"));
    writeFileSync(path.join(dir, "rdsguard.yaml"), "version: 1\nrules:\n  iam-auth:\n    severity: low\n");
    const template = path.join(repo, "examples/templates/aurora-serverless-v2.json");
    expect(loads(["scan", template, "--fail-on", "none"], dir).packages.has("ajv")).toBe(true);
    expect(
      loads(["scan", "examples/templates/aurora-serverless-v2.*", "--fail-on", "none"]).packages.has("tinyglobby"),
    ).toBe(true);
    const typo = loads(["scna"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("did you mean 'scan'?");
    expect(typo.packages.has("fastest-levenshtein")).toBe(true);
  });
});
