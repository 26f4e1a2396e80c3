/**
 * Hostile input through the built CLI, as a gate runs it: each run ends in a verdict or a located error (exit 2)
 * with a report, never a crash.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/engine/types.js";

const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-hostile-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rdsguard(args: string[], timeout = 60_000) {
  const env = { ...process.env, NO_COLOR: "1" };
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: repo,
    encoding: "utf8",
    env,
    timeout,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("a policy file whose aliases expand past the limit", () => {
  it("is a located policy error (exit 2) with a report, not an internal error", () => {
    const r = rdsguard([
      "scan",
      "--config",
      "test/fixtures/policy/hostile/alias-bomb.yaml",
      "examples/templates/",
      "--format",
      "json",
    ]);
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.errors).toEqual([
      {
        kind: "policy",
        file: "test/fixtures/policy/hostile/alias-bomb.yaml",
        line: 5,
        column: 7,
        message: "invalid YAML: its aliases expand past the limit of 100 (write the values out, or use fewer aliases)",
      },
    ]);
  });
});

describe("a template with 14,000 DB instances", () => {
  it("is judged in full (exit 1) without overflowing the stack", () => {
    const resources = Object.fromEntries(
      Array.from({ length: 14_000 }, (_, i) => [
        `Db${i}`,
        { Type: "AWS::RDS::DBInstance", Properties: { Engine: "postgres", DBInstanceClass: "db.t3.micro" } },
      ]),
    );
    const file = path.join(tmp, "many.json");
    writeFileSync(file, JSON.stringify({ Resources: resources }, null, 1));
    const out = path.join(tmp, "many.report.json");
    const r = rdsguard(["scan", file, "--format", `json=${out}`, "--format", "text"], 120_000);
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(out, "utf8")) as ScanReport;
    expect(report.errors).toEqual([]);
    expect(report.stats.resources).toBe(14_000);
    expect(new Set(report.findings.map((f) => f.resource.name)).size).toBe(14_000);
  }, 120_000);
});
