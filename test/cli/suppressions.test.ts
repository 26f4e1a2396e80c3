import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/engine/types.js";

const repo = path.resolve(__dirname, "../..");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-supp-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function scan(args: string[]) {
  const out = path.join(tmp, `${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(
    process.execPath,
    [path.join(repo, "dist/cli.js"), "scan", ...args, "--format", `json=${out}`, "--format", "text"],
    {
      cwd: repo,
      encoding: "utf8",
    },
  );
  return { code: r.status, stdout: r.stdout, report: JSON.parse(readFileSync(out, "utf8")) as ScanReport };
}

describe("inline suppressions through the real scanner", () => {
  const { code, report, stdout } = scan(["test/fixtures/cli/suppressions.yaml", "--now", "2026-11-30"]);
  const multiAz = (name: string) => report.findings.find((f) => f.ruleId === "multi-az" && f.resource.name === name);

  it("a valid waiver suppresses the finding and keeps its verdict and reason", () => {
    expect(multiAz("WaivedDb")).toMatchObject({
      verdict: "fail",
      suppression: {
        kind: "inline",
        reason: "Batch database, a restore from snapshot is acceptable (ADR-12)",
        expires: "2027-03-31",
      },
    });
  });

  it("an expired waiver brings the finding back and says so", () => {
    const f = multiAz("ExpiredWaiverDb");
    expect(f?.suppression).toBeUndefined();
    expect(f?.expiredSuppression).toMatchObject({ expires: "2026-01-31" });
    expect(f?.message).toContain("2026-01-31");
  });

  it("a waiver without a reason is not honoured and is reported as a configuration error (exit 2)", () => {
    expect(multiAz("NoReasonDb")?.suppression).toBeUndefined();
    expect(code).toBe(2);
    expect(report.errors).toEqual([
      expect.objectContaining({ kind: "policy", file: "test/fixtures/cli/suppressions.yaml", line: 35, column: 13 }),
    ]);
    expect(stdout).toContain("test/fixtures/cli/suppressions.yaml:35:13");
  });

  it("the same waiver is honoured again before its expiry date (--now)", () => {
    const early = scan(["test/fixtures/cli/suppressions.yaml", "--now", "2026-01-15"]);
    const f = early.report.findings.find((x) => x.ruleId === "multi-az" && x.resource.name === "ExpiredWaiverDb");
    expect(f?.suppression).toMatchObject({ reason: "Temporary during migration" });
  });
});

describe("a bad policy file", () => {
  it("names each problem with file:line:col, still scans, and exits 2", () => {
    const { code, report } = scan([
      "examples/templates/aurora-postgresql-production.yaml",
      "--config",
      "test/fixtures/cli/bad-policy.yaml",
    ]);
    expect(code).toBe(2);
    const at = report.errors.map((e) => `${e.file}:${e.line}:${e.column}`);
    expect(at).toEqual(
      expect.arrayContaining([
        "test/fixtures/cli/bad-policy.yaml:5:20",
        "test/fixtures/cli/bad-policy.yaml:6:3",
        "test/fixtures/cli/bad-policy.yaml:12:14",
      ]),
    );
    expect(report.errors.find((e) => e.line === 5)?.message).toContain('must be integer, got "seven"');
    expect(report.errors.find((e) => e.line === 6)?.message).toContain("multi-az-everywhere");
    expect(report.findings.length).toBeGreaterThan(0);
  });
});
