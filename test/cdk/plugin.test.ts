/**
 * RdsGuardValidationPlugin in-process: aws-cdk-lib hands it the stacks' template paths after synthesis; its report
 * follows failOn, strict, waivers and policy errors as `rdsguard scan` does. (test/cdk/cli.test.ts runs it
 * through the real CDK CLI.)
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { App, CfnParameter, Stack } from "aws-cdk-lib";
import * as rds from "aws-cdk-lib/aws-rds";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RdsGuardValidationPlugin } from "../../src/cdk/index.js";
import { repo, scanJson, tempDir } from "./synth.js";

let dir: string;
let template: string;

beforeAll(() => {
  dir = tempDir("cdk-plugin");
  const app = new App({ outdir: path.join(repo, dir, "cdk.out") });
  const stack = new Stack(app, "Plain");
  new rds.CfnDBInstance(stack, "Db", {
    engine: "postgres",
    dbInstanceClass: "db.m6g.large",
    allocatedStorage: "100",
    storageEncrypted: false,
  });
  new rds.CfnDBInstance(stack, "Undecided", {
    engine: "postgres",
    dbInstanceClass: "db.m6g.large",
    allocatedStorage: "100",
    storageEncrypted: new CfnParameter(stack, "Encrypt", { type: "String" }).value,
    deletionProtection: true,
    multiAz: true,
    enableIamDatabaseAuthentication: true,
    backupRetentionPeriod: 7,
  });
  const assembly = app.synth();
  template = assembly.getStackArtifact(stack.artifactId).templateFullPath;
});
afterAll(() => {
  if (dir) rmSync(path.join(repo, dir), { recursive: true, force: true });
});

const summary = (plugin: RdsGuardValidationPlugin) => {
  const report = plugin.validate({ templatePaths: [template] });
  return {
    success: report.success,
    violations: report.violations
      .map((v) => `${v.violatingResources[0]?.resourceLogicalId} ${v.ruleName} ${v.severity}`)
      .sort(),
    report,
  };
};

describe("RdsGuardValidationPlugin", () => {
  it("reports each failing finding with rule, fix, logical id, template and property; fails at or above high", () => {
    const { success, violations, report } = summary(new RdsGuardValidationPlugin({ cwd: repo }));
    expect(success).toBe(false);
    expect(violations).toContain("Db storage-encrypted error");
    expect(violations).toContain("Undecided storage-encrypted warning");
    const encrypted = report.violations.find(
      (v) => v.ruleName === "storage-encrypted" && v.violatingResources[0]?.resourceLogicalId === "Db",
    );
    expect(encrypted).toMatchObject({
      description: expect.stringMatching(/^\(high\) Storage is encrypted at rest: StorageEncrypted is false/),
      fix: expect.stringMatching(/^Set StorageEncrypted: true .* https:\/\/\S+\/docs\/rules\.md#storage-encrypted$/),
      violatingResources: [
        { resourceLogicalId: "Db", templatePath: template, locations: ["Properties/StorageEncrypted"] },
      ],
      ruleMetadata: { severity: "high", verdict: "fail", cdkPath: "Plain/Db" },
    });
    // A resource attribute is located as it is, not under Properties.
    const replace = report.violations.filter(
      (v) => v.ruleName === "backup-retention" && v.violatingResources[0]?.resourceLogicalId === "Db",
    );
    expect(replace.map((v) => v.violatingResources[0]?.locations)).toContainEqual(["UpdateReplacePolicy"]);
    expect(report.metadata).toEqual({ failOn: "high", strict: "false" });
    // The verdicts and the gate are those of rdsguard scan with the same --fail-on.
    const scan = scanJson([path.relative(repo, template), "--fail-on", "high"]);
    expect(scan.code).toBe(1);
    const failing = scan.report.findings.filter((f) => f.verdict === "fail" || f.verdict === "unknown");
    expect(report.violations).toHaveLength(failing.length);
  });

  it("failOn and strict decide success as --fail-on and --strict decide the exit code", () => {
    expect(summary(new RdsGuardValidationPlugin({ cwd: repo, failOn: "none" })).success).toBe(true);
    const none = summary(new RdsGuardValidationPlugin({ cwd: repo, failOn: "none" })).violations;
    expect(none.filter((v) => v.endsWith(" error"))).toEqual([]);
    // Only the undecided instance: its StorageEncrypted is unknown, a warning unless strict.
    const undecided = (strict: boolean) => {
      const plugin = new RdsGuardValidationPlugin({ cwd: repo, strict });
      const report = plugin.validate({ templatePaths: [template] });
      return report.violations.find(
        (v) => v.ruleName === "storage-encrypted" && v.violatingResources[0]?.resourceLogicalId === "Undecided",
      );
    };
    expect(undecided(false)).toMatchObject({ severity: "warning", ruleMetadata: { verdict: "unknown" } });
    expect(undecided(true)).toMatchObject({ severity: "error", ruleMetadata: { verdict: "fail" } });
  });

  it("honours waivers (info, with the reason) and reports policy errors as fatal", () => {
    const policy = path.join(repo, dir, "rdsguard.yaml");
    writeFileSync(
      policy,
      [
        "version: 1",
        "waivers:",
        "  - rule: storage-encrypted",
        '    resource: "Plain/Db"',
        "    reason: Holds only public data (ADR-3)",
        "",
      ].join("\n"),
    );
    const waived = summary(new RdsGuardValidationPlugin({ cwd: repo, configPath: policy }));
    const encrypted = waived.report.violations.find(
      (v) => v.ruleName === "storage-encrypted" && v.violatingResources[0]?.resourceLogicalId === "Db",
    );
    expect(encrypted?.severity).toBe("info");
    expect(encrypted?.description).toContain("[suppressed: policy waiver: Holds only public data (ADR-3)]");

    const broken = new RdsGuardValidationPlugin({ cwd: repo, configPath: "test/fixtures/policy/unknown-rule.yaml" });
    const report = broken.validate({ templatePaths: [template] });
    expect(report.success).toBe(false);
    const fatal = report.violations.filter((v) => v.severity === "fatal");
    expect(fatal.length).toBeGreaterThan(0);
    expect(fatal[0]).toMatchObject({
      ruleName: "error",
      description: expect.stringMatching(/\(test\/fixtures\/policy\/unknown-rule\.yaml:\d+:\d+\)\.$/),
      violatingResources: [{ templatePath: path.join(repo, "test/fixtures/policy/unknown-rule.yaml") }],
    });
    expect(broken.errors.length).toBe(fatal.length);
  });

  it("judges a template outside an assembly as a plain one, and reports an assembly manifest it cannot read", () => {
    const plain = new RdsGuardValidationPlugin({ cwd: repo });
    const fixture = path.join(repo, "test/fixtures/cdk/database-stack.yaml");
    const report = plain.validate({ templatePaths: [fixture] });
    expect(plain.errors).toEqual([]);
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.violations.every((v) => v.violatingResources[0]?.templatePath === fixture)).toBe(true);

    const broken = path.join(repo, dir, "broken");
    mkdirSync(broken);
    copyFileSync(template, path.join(broken, "Plain.template.json"));
    writeFileSync(path.join(broken, "manifest.json"), '{ "version": "55.0.0", "artifacts": ');
    const checker = new RdsGuardValidationPlugin({ cwd: repo });
    const result = checker.validate({ templatePaths: [path.join(broken, "Plain.template.json")] });
    expect(result.success).toBe(false);
    expect(checker.errors.map((e) => `${e.kind} ${e.file}`)).toEqual([`parse ${dir}/broken/manifest.json`]);
    // The template is judged all the same.
    expect(result.violations.some((v) => v.ruleName === "storage-encrypted")).toBe(true);
  });
});
