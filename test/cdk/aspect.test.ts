/**
 * rdsguard/cdk: the Aspect runs the rules inside `cdk synth` and reports CDK annotations. It must agree with
 * `rdsguard scan cdk.out` on the same synthesis, honour the policy file and waivers, and map severities to levels.
 */
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { App, type CfnElement, CfnParameter, Stack } from "aws-cdk-lib";
import { Annotations, Match } from "aws-cdk-lib/assertions";
import * as rds from "aws-cdk-lib/aws-rds";
import type { SynthesisMessage } from "aws-cdk-lib/cx-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../examples/cdk/lib/app.js";
import { addRdsGuardWaiver, DEFAULT_ANNOTATION_LEVELS, RdsGuardAspect } from "../../src/cdk/index.js";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import { repo, type Synthesized, scanJson, synthExample, tempDir } from "./synth.js";

const INSTANCE_PATH = "Prod/Database/Reporting/ReportingDb/Resource";
const WAIVER_REASON = "Reporting replica, rebuilt nightly from the warehouse (ADR-7)";

let s: Synthesized;
let aspect: RdsGuardAspect;
let messages: SynthesisMessage[];
let report: ScanReport;
const cleanup: string[] = [];

beforeAll(() => {
  aspect = new RdsGuardAspect({ cwd: repo });
  s = synthExample({ aspect });
  cleanup.push(s.dir);
  const stack = s.app.synth().getNestedAssembly("assembly-Prod").getStackArtifact(s.database.artifactId);
  messages = stack.messages.filter((m) => String(m.entry.data).startsWith("[rdsguard]"));
  report = scanJson([s.out]).report;
});
afterAll(() => {
  for (const dir of cleanup) rmSync(path.join(repo, dir), { recursive: true, force: true });
});

const ruleOf = (message: string) => /^\[rdsguard\] ([a-z-]+) /.exec(message)?.[1];
/** rule, status and construct path of each failing or undetermined finding: what both paths must agree on. */
const outcome = (f: Finding) =>
  `${f.resource.origin.cdkPath}:${f.ruleId}:${f.property ?? ""}:${f.verdict}:${f.suppression ? "waived" : "active"}`;

describe("RdsGuardAspect", () => {
  it("annotates the L1 construct: high and critical are errors, medium warnings, waived findings info", () => {
    const annotations = messages.map((m) => `${m.level} ${m.id} ${ruleOf(String(m.entry.data))}`).sort();
    expect(annotations).toEqual(
      [
        // The example's cluster keeps the default cluster parameter group, which does not force TLS.
        "error /Prod/Database/Cluster/Resource encryption-in-transit",
        `error /${INSTANCE_PATH} backup-retention`,
        `error /${INSTANCE_PATH} deletion-protection`,
        `error /${INSTANCE_PATH} encryption-in-transit`,
        `error /${INSTANCE_PATH} engine-version`,
        `error /${INSTANCE_PATH} instance-class`,
        `error /${INSTANCE_PATH} storage-encrypted`,
        `info /${INSTANCE_PATH} multi-az`,
        `warning /${INSTANCE_PATH} iam-auth`,
      ].sort(),
    );
    const encrypted = messages.find((m) => ruleOf(String(m.entry.data)) === "storage-encrypted");
    // Rule, severity, title, then the finding's message; never a final parenthesis the CDK CLI would read as an id.
    expect(encrypted?.entry.data).toMatch(
      /^\[rdsguard\] storage-encrypted \(critical\) Storage is encrypted at rest: StorageEncrypted is not set.*[^)]$/,
    );
    // A warning carries its rule's acknowledgeable id; an error none (the CDK cannot acknowledge errors).
    const iamAuth = messages.find((m) => ruleOf(String(m.entry.data)) === "iam-auth");
    expect(String(iamAuth?.entry.data)).toMatch(/ \[ack: rdsguard:iam-auth\]$/);
    expect(String(encrypted?.entry.data)).not.toContain("[ack:");
    const waived = messages.find((m) => ruleOf(String(m.entry.data)) === "multi-az");
    expect(waived?.entry.data).toContain(`[suppressed: inline waiver: ${WAIVER_REASON}]`);
    // What a CDK user's own test sees through aws-cdk-lib/assertions.
    const assertions = Annotations.fromStack(s.database);
    expect(
      assertions.findError(`/${INSTANCE_PATH}`, Match.stringLikeRegexp("^\\[rdsguard\\] storage-encrypted")),
    ).toHaveLength(1);
    expect(assertions.findWarning("*", Match.stringLikeRegexp("^\\[rdsguard\\]"))).toHaveLength(1);
    // The cluster gets no annotation but the one on TLS.
    expect(messages.filter((m) => m.id.includes("/Cluster/")).map((m) => ruleOf(String(m.entry.data)))).toEqual([
      "encryption-in-transit",
    ]);
    expect(aspect.errors).toEqual([]);
  });

  it("agrees with rdsguard scan of the same cdk.out, rule by rule and finding by finding", () => {
    const reported = (findings: Finding[]) =>
      findings
        .filter((f) => f.verdict === "fail" || f.verdict === "unknown")
        .map(outcome)
        .sort();
    expect(reported(aspect.findings)).toEqual(reported(report.findings));
    expect(reported(aspect.findings)).toHaveLength(9);
    // Every verdict, pass and not-applicable included, with the same identity, profile and construct source.
    const all = (findings: Finding[]) =>
      findings
        .map((f) => [outcome(f), f.fingerprint, f.profile, JSON.stringify(f.resource.origin.constructSource)].join(" "))
        .sort();
    expect(all(aspect.findings)).toEqual(all(report.findings));
    // And each annotation is a finding the scan reports.
    expect(aspect.annotations.map((a) => `${a.constructPath}:${a.finding.ruleId}`).sort()).toEqual(
      report.findings
        .filter((f) => f.verdict === "fail")
        .map((f) => `${f.resource.origin.cdkPath}:${f.ruleId}`)
        .sort(),
    );
  });

  it("honours the policy file: rule settings, severities and waivers on construct paths", async () => {
    const dir = tempDir("cdk-policy");
    cleanup.push(dir);
    const policy = path.join(repo, dir, "rdsguard.yaml");
    writeFileSync(
      policy,
      [
        "version: 1",
        "rules:",
        "  instance-class: { enabled: false }",
        "profiles:",
        "  - name: production",
        "    rules:",
        "      backup-retention: { severity: low }",
        "waivers:",
        "  - rule: deletion-protection",
        '    resource: "Prod/Database/Reporting/*/Resource"',
        "    reason: Reporting data can be rebuilt (ADR-7)",
        "",
      ].join("\n"),
    );
    // Default policy file: ./rdsguard.yaml in cwd.
    const byDefault = new RdsGuardAspect({ cwd: path.join(repo, dir) });
    const loaded = await RdsGuardAspect.load({ cwd: repo, configPath: policy });
    for (const checker of [byDefault, loaded]) {
      checker.check(s.database.reporting);
      expect(checker.errors).toEqual([]);
      const levels = checker.annotations.map((a) => `${a.finding.ruleId}:${a.level}`).sort();
      expect(levels).toEqual([
        "backup-retention:warning",
        "deletion-protection:info",
        "encryption-in-transit:error",
        "engine-version:error",
        "iam-auth:warning",
        "multi-az:info",
        "storage-encrypted:error",
      ]);
      expect(checker.findings.some((f) => f.ruleId === "instance-class")).toBe(false);
    }
  });

  it("maps severities to levels as configured; undetermined findings warn, or fail with strict", () => {
    const quiet = new RdsGuardAspect({
      cwd: repo,
      levels: { critical: "warning", high: "none" },
      suppressedLevel: "none",
    });
    quiet.check(s.database.reporting);
    expect(quiet.annotations.map((a) => `${a.finding.ruleId}:${a.level}`).sort()).toEqual([
      "backup-retention:none",
      "deletion-protection:none",
      "encryption-in-transit:warning",
      "engine-version:warning",
      "iam-auth:warning",
      "instance-class:none",
      "multi-az:none",
      "storage-encrypted:warning",
    ]);
    // failOn moves the line between errors and warnings, as --fail-on moves the CLI's exit code.
    const levelsWith = (failOn: "medium" | "none") => {
      const checker = new RdsGuardAspect({ cwd: repo, failOn });
      checker.check(s.database.reporting);
      return checker.annotations.map((a) => `${a.finding.ruleId}:${a.level}`).sort();
    };
    expect(levelsWith("medium")).toEqual([
      "backup-retention:error",
      "deletion-protection:error",
      "encryption-in-transit:error",
      "engine-version:error",
      "iam-auth:error",
      "instance-class:error",
      "multi-az:info",
      "storage-encrypted:error",
    ]);
    expect(levelsWith("none")).toEqual([
      "backup-retention:warning",
      "deletion-protection:warning",
      "encryption-in-transit:warning",
      "engine-version:warning",
      "iam-auth:warning",
      "instance-class:warning",
      "multi-az:info",
      "storage-encrypted:warning",
    ]);
    expect(DEFAULT_ANNOTATION_LEVELS).toEqual({
      critical: "error",
      high: "error",
      medium: "warning",
      low: "warning",
      info: "warning",
    });

    // StorageEncrypted from a parameter without a default cannot be known before deployment.
    const app = new App();
    const stack = new Stack(app, "Undecided");
    new rds.CfnDBInstance(stack, "Db", {
      engine: "postgres",
      dbInstanceClass: "db.m6g.large",
      storageEncrypted: new CfnParameter(stack, "Encrypt", { type: "String" }).value,
    });
    const level = (strict: boolean) => {
      const checker = new RdsGuardAspect({ cwd: repo, strict });
      checker.check(stack);
      return checker.annotations.find((a) => a.finding.ruleId === "storage-encrypted");
    };
    expect(level(false)).toMatchObject({ level: "warning", constructPath: "Undecided/Db" });
    expect(level(false)?.message).toContain("could not be determined: ");
    expect(level(true)).toMatchObject({ level: "error", finding: { verdict: "fail" } });
  });

  it("reports a policy file with errors as an error on the stack", () => {
    const checker = new RdsGuardAspect({ cwd: repo, configPath: "test/fixtures/policy/unknown-rule.yaml" });
    expect(checker.errors.length).toBeGreaterThan(0);
    const app = new App();
    const stack = new Stack(app, "Checked");
    checker.check(stack);
    const errors = stack.node.metadata.filter((m) => m.type === "aws:cdk:error").map((m) => String(m.data));
    expect(errors.length).toBe(checker.errors.length);
    expect(errors[0]).toMatch(/^\[rdsguard\] .*multi-a.* \(test\/fixtures\/policy\/unknown-rule\.yaml:\d+:\d+\)\.$/);
  });

  it("addRdsGuardWaiver writes the inline waiver both the Aspect and rdsguard scan honour", () => {
    const example = buildApp({ outdir: path.join(repo, tempDir("cdk-waiver"), "cdk.out") });
    cleanup.push(path.relative(repo, path.dirname(example.app.outdir)));
    addRdsGuardWaiver(example.database.reporting.instance, {
      rule: "storage-encrypted",
      reason: "Holds only public data",
      expires: "2099-12-31",
    });
    addRdsGuardWaiver(example.database.cluster, { rule: "iam-auth", reason: " " });
    const resource = example.database.reporting.instance.node.defaultChild as CfnElement & {
      getMetadata(key: string): unknown;
    };
    expect(resource.getMetadata("rdsguard")).toEqual({
      suppress: [
        { rule: "multi-az", reason: WAIVER_REASON },
        { rule: "storage-encrypted", reason: "Holds only public data", expires: "2099-12-31" },
      ],
    });
    expect(() => addRdsGuardWaiver(example.prod, { rule: "iam-auth", reason: "x" })).toThrow(/not a CloudFormation/);

    const checker = new RdsGuardAspect({ cwd: repo });
    checker.check(example.database.reporting);
    checker.check(example.database);
    expect(checker.annotations.find((a) => a.finding.ruleId === "storage-encrypted")).toMatchObject({
      level: "info",
      finding: { suppression: { kind: "inline", reason: "Holds only public data", expires: "2099-12-31" } },
    });
    // A waiver without a reason is not honoured and is reported.
    expect(checker.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^inline suppression of iam-auth on ClusterEB0386A7 ignored: it gives no reason/),
    ]);

    example.app.synth();
    const scanned = scanJson([path.relative(repo, example.app.outdir)]);
    expect(scanned.code).toBe(2);
    expect(
      scanned.report.findings.find((f) => f.ruleId === "storage-encrypted" && f.resource.name.startsWith("Reporting")),
    ).toMatchObject({ verdict: "fail", suppression: { kind: "inline", reason: "Holds only public data" } });
    expect(scanned.report.errors.map((e) => e.message)).toEqual(checker.errors.map((e) => e.message));
  });
});
