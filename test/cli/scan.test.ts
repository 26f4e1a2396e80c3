import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/engine/types.js";
import { assertGithubAcceptsSarif } from "../support/github-sarif.js";

// These run the built CLI (npm test builds first), as a user would.
const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rdsguard(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: "utf8", env: { ...base, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scanJson(args: string[], env: Record<string, string> = {}) {
  const out = path.join(tmp, `r${Math.random().toString(36).slice(2)}.json`);
  const r = rdsguard(["scan", ...args, "--format", `json=${out}`, "--format", "text"], env);
  return { ...r, report: JSON.parse(readFileSync(out, "utf8")) as ScanReport };
}

const failing = (report: ScanReport, file?: string) =>
  report.findings
    .filter((f) => f.verdict === "fail" && !f.suppression && (!file || f.location?.file === file))
    .map((f) => `${f.ruleId}:${f.resource.name}:${f.property ?? ""}`)
    .sort();

describe("rdsguard scan", () => {
  it("scans the shipped examples: the production Aurora template passes, the legacy one fails", () => {
    const { code, report, stdout } = scanJson(["examples/templates/"]);
    expect(code).toBe(1);
    expect(report.errors).toEqual([]);
    expect(report.stats).toMatchObject({ filesScanned: 4, templatesWithDatabases: 4 });
    expect(failing(report, "examples/templates/aurora-postgresql-production.yaml")).toEqual([]);
    expect(failing(report, "examples/templates/mysql-legacy-standalone.yaml")).toEqual(
      expect.arrayContaining([
        "storage-encrypted:LegacyDb:StorageEncrypted",
        "ca-certificate:LegacyDb:CACertificateIdentifier",
        "multi-az:LegacyDb:MultiAZ",
        "deletion-protection:LegacyDb:DeletionProtection",
        "backup-retention:LegacyDb:BackupRetentionPeriod",
        "iam-auth:LegacyDb:EnableIAMDatabaseAuthentication",
      ]),
    );
    // Aurora members are never failed on cluster-owned properties.
    const memberFails = report.findings.filter(
      (f) =>
        f.resource.name.startsWith("Orders") &&
        f.resource.kind === "db-instance" &&
        ["storage-encrypted", "backup-retention", "iam-auth", "deletion-protection"].includes(f.ruleId) &&
        f.verdict !== "not-applicable",
    );
    expect(memberFails).toEqual([]);
    expect(stdout).toContain("examples/templates/mysql-legacy-standalone.yaml");
    expect(stdout).not.toContain("\u001b["); // not a TTY: no colour
  });

  it.skipIf(!existsSync("/usr/bin/script"))("colours the console view on a terminal, unless NO_COLOR is set", () => {
    // util-linux `script` gives the CLI a pseudo-terminal.
    const base = { ...process.env };
    delete base.FORCE_COLOR;
    delete base.NO_COLOR;
    const onTty = (env: Record<string, string>) =>
      spawnSync(
        "/usr/bin/script",
        ["-qec", `${process.execPath} ${cli} scan examples/templates/mysql-legacy-standalone.yaml`, "/dev/null"],
        {
          cwd: repo,
          encoding: "utf8",
          env: { ...base, ...env },
        },
      ).stdout;
    expect(onTty({})).toContain("\u001b[31mhigh");
    expect(onTty({ NO_COLOR: "1" })).not.toContain("\u001b[");
  });

  it("reports a template that does not parse with file:line:col, scans the rest, writes the report, exits 2", () => {
    const { code, report, stdout } = scanJson(["test/fixtures/cli/broken.yaml", "test/fixtures/cli/secret.yaml"]);
    expect(code).toBe(2);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({
      kind: "parse",
      file: "test/fixtures/cli/broken.yaml",
      line: 8,
      column: 1,
    });
    expect(stdout).toContain("test/fixtures/cli/broken.yaml:8:1");
    expect(failing(report, "test/fixtures/cli/secret.yaml")).toContain("storage-encrypted:LeakyDb:StorageEncrypted");
  });

  it("names the value's origin and points at it exactly", () => {
    const { report } = scanJson(["test/fixtures/cli/secret.yaml"]);
    const f = report.findings.find((x) => x.ruleId === "storage-encrypted" && x.resource.name === "LeakyDb");
    expect(f).toMatchObject({
      verdict: "fail",
      property: "StorageEncrypted",
      location: { file: "test/fixtures/cli/secret.yaml", line: 16, column: 25 },
    });
    expect(f?.message).toContain("default of parameter Encrypt");
  });

  it.each([
    ["the CloudFormation CLI list form", ["--parameters", "test/fixtures/cli/params-list.json"]],
    ["the {Parameters: {...}} form", ["--parameters", "test/fixtures/cli/params-object.json"]],
    ["--parameter KEY=VALUE", ["--parameter", "Encrypt=true"]],
  ])("takes parameter values from %s", (_label, args) => {
    const { report } = scanJson(["test/fixtures/cli/secret.yaml", ...args]);
    const f = report.findings.find((x) => x.ruleId === "storage-encrypted" && x.resource.name === "LeakyDb");
    expect(f?.verdict).toBe("pass");
    expect(f?.message).toContain("parameter Encrypt");
  });

  it("reports a bad parameters file with its position and exits 2", () => {
    const { code, report } = scanJson([
      "test/fixtures/cli/secret.yaml",
      "--parameters",
      "test/fixtures/cli/params-bad.json",
    ]);
    expect(code).toBe(2);
    expect(report.errors[0]).toMatchObject({
      kind: "parameters",
      file: "test/fixtures/cli/params-bad.json",
      line: 3,
      column: 3,
      message: "each entry needs a string ParameterKey",
    });
  });

  it("never prints a password from a template, in any format", () => {
    for (const format of ["text", "json", "sarif", "junit", "markdown", "github"]) {
      const r = rdsguard(["scan", "test/fixtures/cli/secret.yaml", "--format", format]);
      expect(r.code).toBe(1);
      expect(r.stdout.length).toBeGreaterThan(100);
      expect(r.stdout + r.stderr).not.toContain("S3cr3t-Hunter2!");
    }
  });

  it("exits 2 with usage for a missing path, an unknown option or an unknown command", () => {
    expect(rdsguard(["scan"]).code).toBe(2);
    const unknown = rdsguard(["scan", "examples/templates/", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("rdsguard scan: unknown option --bogus\nRun 'rdsguard scan --help' for its options.\n");
    expect(rdsguard(["frobnicate"]).code).toBe(2);
    const badDate = rdsguard(["scan", "examples/templates/", "--now", "2027-02-30"]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain("--now must be a date YYYY-MM-DD, got 2027-02-30");
    const missing = scanJson(["does-not-exist.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.report.errors[0]?.message).toBe("no such file or directory: does-not-exist.yaml");
  });

  it("scans CDK output when it is named, and carries the construct path", () => {
    const named = scanJson(["test/fixtures/cdk.out"]);
    const cluster = named.report.findings.find(
      (f) => f.ruleId === "backup-retention" && f.property === "BackupRetentionPeriod",
    );
    expect(cluster).toMatchObject({
      verdict: "fail",
      resource: {
        name: "OrdersDbClusterE5F6A7B8",
        origin: { cdkPath: "OrdersStack/OrdersDb/Resource", stackName: "OrdersStack" },
      },
      location: { file: "test/fixtures/cdk.out/OrdersStack.template.json", line: 19, column: 3 },
    });
    // The writer is an Aurora member: never failed on what the cluster owns, whatever CDK's DeletionPolicy says.
    const writer = named.report.findings.filter(
      (f) => f.resource.name === "OrdersDbWriter11223344" && f.verdict === "fail",
    );
    expect(writer).toEqual([]);
    const sarif = rdsguard(["scan", "test/fixtures/cdk.out", "--format", "sarif"]);
    assertGithubAcceptsSarif(sarif.stdout, { repoRoot: repo });
    const result = JSON.parse(sarif.stdout).runs[0].results[0];
    expect(result.locations[0].logicalLocations[0]).toMatchObject({
      fullyQualifiedName: "OrdersStack/OrdersDb/Resource",
    });
    // Naming the directory that holds cdk.out reads the assembly too; a walk further up skips cdk.out (synthesized
    // output is scanned when asked for).
    const parent = scanJson(["test/fixtures"]);
    expect(
      parent.report.findings.some((f) => f.location?.file === "test/fixtures/cdk.out/OrdersStack.template.json"),
    ).toBe(true);
    const walked = scanJson(["test"]);
    expect(walked.report.findings.some((f) => f.location?.file?.includes("cdk.out"))).toBe(false);
  });

  it("stops quietly when the reader of standard output goes away (| head)", async () => {
    const child = spawn(
      process.execPath,
      [cli, "scan", "examples/templates/", "test/fixtures/rules", "--format", "json"],
      {
        cwd: repo,
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolveExit) => child.on("close", resolveExit));
    expect(stderr).toBe("");
    expect(code).toBe(1);
  });

  it("exits 0 when nothing fails at or above --fail-on", () => {
    expect(rdsguard(["scan", "examples/templates/aurora-postgresql-production.yaml"]).code).toBe(0);
    expect(rdsguard(["scan", "examples/templates/mysql-legacy-standalone.yaml", "--fail-on", "critical"]).code).toBe(0);
    expect(rdsguard(["scan", "examples/templates/mysql-legacy-standalone.yaml", "--fail-on", "high"]).code).toBe(1);
  });
});
