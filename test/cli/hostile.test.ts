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

describe("plugins that would end or corrupt the run", () => {
  const HOSTILE = "test/fixtures/plugins/hostile";
  const TEMPLATE = "test/fixtures/custom-rules/graviton.yaml";

  it("console.log in a plugin goes to stderr: --format json on stdout stays one JSON report", () => {
    const r = rdsguard(["scan", "--plugin", `${HOSTILE}/writes-stdout.mjs`, TEMPLATE, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.errors).toEqual([]);
    expect(report.findings.filter((f) => f.ruleId === "chatty").map((f) => f.verdict)).toEqual([
      "pass",
      "pass",
      "pass",
      "pass",
    ]);
    expect(r.stderr).toContain("plugin says hello");
  });

  it("process.exit(0) in a rule: exit 2 with a report, not exit 0 and nothing", () => {
    const r = rdsguard(["scan", "--plugin", `${HOSTILE}/exits.mjs`, TEMPLATE, "--format", "json"]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.errors.map((e) => `${e.kind} ${e.file}:${e.line}:${e.column}`)).toEqual([
      `rule ${TEMPLATE}:13:3`,
      `rule ${TEMPLATE}:19:3`,
      `rule ${TEMPLATE}:25:3`,
      `rule ${TEMPLATE}:31:3`,
    ]);
  });

  it("process.exit(0) at import: exit 2 with a report naming the plugin", () => {
    const r = rdsguard(["scan", "--plugin", `${HOSTILE}/exits-at-import.mjs`, TEMPLATE, "--format", "json"]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.errors.map((e) => e.message)).toEqual([
      `plugin ${HOSTILE}/exits-at-import.mjs: cannot be loaded: called process.exit(0) while being imported`,
    ]);
  });

  it("an infinite loop in a rule: exit 2 with a report, after the rule's time budget", () => {
    const started = Date.now();
    const r = rdsguard(["scan", "--plugin", `${HOSTILE}/loops-forever.mjs`, TEMPLATE, "--format", "json"]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.errors[0]?.message).toBe(
      `rule loops-forever (plugin ${HOSTILE}/loops-forever.mjs) did not return within 2000 ms, the time budget of a plugin rule (the plugin was stopped) on ArmDb`,
    );
  });
});
