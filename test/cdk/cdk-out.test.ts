/**
 * `rdsguard scan cdk.out` on the synthesized example app (examples/cdk): a stage sub-assembly holding a stack with
 * a compliant Aurora cluster and a nested stack with a non-compliant DB instance.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import { assertGithubAcceptsSarif } from "../support/github-sarif.js";
import { positionOf, rdsguard, repo, type Synthesized, scanJson, synthExample, tempDir, withoutHash } from "./synth.js";

const SOURCE = "examples/cdk/lib/database-stack.ts";
const INSTANCE_PATH = "Prod/Database/Reporting/ReportingDb/Resource";
const CLUSTER_PATH = "Prod/Database/Cluster/Resource";

let s: Synthesized;
let stage: string;
let stackTemplate: string;
let nestedTemplate: string;
let report: ScanReport;
let code: number | null;
const cleanup: string[] = [];

beforeAll(() => {
  s = synthExample();
  cleanup.push(s.dir);
  stage = `${s.out}/assembly-Prod`;
  stackTemplate = `${stage}/${s.database.templateFile}`;
  nestedTemplate = `${stage}/${s.database.reporting.templateFile}`;
  ({ code, report } = scanJson([s.out]));
});
afterAll(() => {
  for (const dir of cleanup) rmSync(path.join(repo, dir), { recursive: true, force: true });
});

const key = (f: Finding) => `${f.resource.origin.cdkPath}:${f.ruleId}`;
const active = (r: ScanReport) =>
  r.findings
    .filter((f) => f.verdict === "fail" && !f.suppression)
    .map(key)
    .sort();
const find = (r: ScanReport, cdkPath: string, ruleId: string, property?: string) =>
  r.findings.find(
    (f) =>
      f.resource.origin.cdkPath === cdkPath &&
      f.ruleId === ruleId &&
      (property === undefined || f.property === property),
  );

describe("rdsguard scan cdk.out", () => {
  it("reads the stage sub-assembly, its stack and nested stack, and judges them with construct paths", () => {
    expect(code).toBe(1);
    expect(report.errors).toEqual([]);
    // The stack template and the nested stack template; asset manifests, tree.json and metadata are not templates.
    expect(report.stats).toMatchObject({ filesScanned: 2, templatesWithDatabases: 2, resources: 5 });
    expect(active(report)).toEqual(
      [
        // The example's cluster keeps the default cluster parameter group: Aurora PostgreSQL leaves rds.force_ssl 0.
        `${CLUSTER_PATH}:encryption-in-transit`,
        ...[
          "backup-retention",
          "deletion-protection",
          "encryption-in-transit",
          // MySQL 8.0: past the end of standard support on 2026-07-31.
          "engine-version",
          "iam-auth",
          "instance-class",
          "storage-encrypted",
        ].map((rule) => `${INSTANCE_PATH}:${rule}`),
      ].sort(),
    );
    // The inline waiver the example writes with addMetadata is honoured.
    expect(find(report, INSTANCE_PATH, "multi-az")).toMatchObject({
      verdict: "fail",
      suppression: { kind: "inline", reason: "Reporting replica, rebuilt nightly from the warehouse (ADR-7)" },
    });
    // The cluster passes the seven rules and engine-version and public-access (judged on the cluster or on its
    // instances); encryption-in-transit fails above.
    const clusterPasses = new Set(
      report.findings
        .filter((f) => f.resource.origin.cdkPath?.startsWith("Prod/Database/Cluster/") && f.verdict === "pass")
        .map((f) => f.ruleId),
    );
    expect([...clusterPasses].sort()).toEqual([
      "backup-retention",
      "ca-certificate",
      "deletion-protection",
      "engine-version",
      "iam-auth",
      "instance-class",
      "multi-az",
      "public-access",
      "storage-encrypted",
    ]);
    // Every resource carries the stack's name (nested stack resources: the stack that deploys them) and its path.
    for (const f of report.findings) {
      expect(f.resource.origin.stackName).toBe("Prod-Database");
      expect(f.resource.origin.cdkPath).toMatch(/^Prod\/Database\//);
    }
    // The production profile is chosen by the tag the app sets on the stage.
    expect(find(report, INSTANCE_PATH, "instance-class")?.profile).toBe("production");
  });

  it("points at the synthesized template's line and at the app's source line that created the construct", () => {
    const encrypted = find(report, INSTANCE_PATH, "storage-encrypted");
    expect(encrypted?.location).toEqual({
      file: nestedTemplate,
      ...positionOf(nestedTemplate, '"ReportingDbB9466633": {'),
    });
    const instanceClass = find(report, INSTANCE_PATH, "instance-class");
    expect(instanceClass?.location).toEqual({
      file: nestedTemplate,
      ...positionOf(nestedTemplate, '"db.t3.micro"', '"ReportingDbB9466633": {'),
    });
    const instanceSource = { file: SOURCE, ...positionOf(SOURCE, "new rds.DatabaseInstance(") };
    expect(encrypted?.resource.origin.constructSource).toEqual(instanceSource);
    expect(instanceSource.line).toBeGreaterThan(50); // the instance, not the stack or the cluster
    const cluster = find(report, CLUSTER_PATH, "storage-encrypted");
    expect(cluster?.location?.file).toBe(stackTemplate);
    expect(cluster?.resource.origin.constructSource).toEqual({
      file: SOURCE,
      ...positionOf(SOURCE, "new rds.DatabaseCluster("),
    });
  });

  it("carries the construct path, stack name and source into SARIF, text, JUnit and Markdown", () => {
    const sarif = JSON.parse(rdsguard(["scan", s.out, "--format", "sarif"]).stdout);
    assertGithubAcceptsSarif(sarif, { repoRoot: repo });
    const result = sarif.runs[0].results.find(
      (r: { ruleId: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) =>
        r.ruleId === "storage-encrypted" && r.locations[0]?.logicalLocations[0]?.fullyQualifiedName === INSTANCE_PATH,
    );
    const line = positionOf(nestedTemplate, '"ReportingDbB9466633": {').line;
    const source = positionOf(SOURCE, "new rds.DatabaseInstance(");
    expect(result.locations[0]).toMatchObject({
      physicalLocation: {
        artifactLocation: { uri: nestedTemplate, uriBaseId: "%SRCROOT%" },
        region: { startLine: line },
      },
      logicalLocations: [
        {
          name: "ReportingDbB9466633",
          fullyQualifiedName: INSTANCE_PATH,
          properties: { cdkPath: INSTANCE_PATH, stackName: "Prod-Database", cfnType: "AWS::RDS::DBInstance" },
        },
      ],
    });
    expect(result.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: SOURCE, uriBaseId: "%SRCROOT%" },
          region: { startLine: source.line, startColumn: source.column },
        },
        message: { text: `construct ${INSTANCE_PATH} is created here` },
      },
    ]);

    const place = `${SOURCE}:${source.line}:${source.column}`;
    const text = rdsguard(["scan", s.out, "--format", "text", "--no-color"]).stdout;
    expect(text).toContain(`DB instance ReportingDbB9466633 (${INSTANCE_PATH}): StorageEncrypted is not set`);
    expect(text).toContain(`created at ${place} (stack Prod-Database)`);
    const junit = rdsguard(["scan", s.out, "--format", "junit"]).stdout;
    expect(junit).toContain(`CDK path: ${INSTANCE_PATH}`);
    expect(junit).toContain(`Source:   ${place} (stack Prod-Database)`);
    const markdown = rdsguard(["scan", s.out, "--format", "markdown"]).stdout;
    expect(markdown).toContain(`<br>created at ${SOURCE}:${source.line}`);
  });

  it("is not confused by CDK's own resources, parameters and intrinsics", () => {
    const template = JSON.parse(readFileSync(path.join(repo, stackTemplate), "utf8"));
    const nested = JSON.parse(readFileSync(path.join(repo, nestedTemplate), "utf8"));
    // What CDK adds: the CDKMetadata resource (with its region condition), the bootstrap version parameter and
    // rule, the nested stack's reference parameters (no default), Fn::GetAtt on the key construct.
    expect(template.Resources.CDKMetadata).toMatchObject({ Type: "AWS::CDK::Metadata" });
    expect(Object.keys(template.Parameters)).toContain("BootstrapVersion");
    expect(Object.keys(template.Rules)).toContain("CheckBootstrapVersion");
    expect(Object.keys(nested.Parameters).some((p) => p.startsWith("referenceto"))).toBe(true);
    expect(template.Resources.ClusterEB0386A7.Properties.KmsKeyId).toEqual({
      "Fn::GetAtt": ["DatabaseKey7576F140", "Arn"],
    });
    expect(report.errors).toEqual([]);
    expect(report.findings.filter((f) => f.verdict === "unknown")).toEqual([]);
    // aws-cdk-lib's defaults: the cluster's DeletionPolicy Snapshot passes; its instances' Delete is not judged
    // (they are Aurora members); the DatabaseInstance's default removal policy (Snapshot) passes.
    expect(find(report, CLUSTER_PATH, "backup-retention", "DeletionPolicy")?.verdict).toBe("pass");
    expect(
      report.findings.filter((f) => f.resource.origin.cdkPath?.includes("/Cluster/Writer/") && f.verdict === "fail"),
    ).toEqual([]);
    expect(find(report, INSTANCE_PATH, "backup-retention", "DeletionPolicy")?.verdict).toBe("pass");
    // The key the cluster's KmsKeyId names through Fn::GetAtt is found and its rotation judged.
    expect(find(report, "Prod/Database/DatabaseKey/Resource", "storage-encrypted")?.verdict).toBe("pass");
  });

  it("reads cdk.out inside a named directory, with the same findings", () => {
    const parent = scanJson([s.dir]);
    expect(parent.code).toBe(1);
    expect(parent.report.findings.map((f) => f.fingerprint).sort()).toEqual(
      report.findings.map((f) => f.fingerprint).sort(),
    );
  });

  it("gives the verdicts of a hand-written template with the same settings", () => {
    const hand = scanJson(["test/fixtures/cdk/database-stack.yaml"]).report;
    const verdicts = (r: ScanReport, name: (f: Finding) => string) =>
      r.findings
        .map((f) => `${name(f)}:${f.ruleId}:${f.property ?? ""}:${f.verdict}:${f.suppression ? "waived" : ""}`)
        .sort();
    expect(verdicts(report, (f) => withoutHash(f.resource.name))).toEqual(verdicts(hand, (f) => f.resource.name));
    expect(verdicts(hand, (f) => f.resource.name).length).toBeGreaterThan(15);
  });

  it("without path metadata or stack traces, takes construct paths from the manifest's logical ids", () => {
    const bare = synthExample({
      context: {
        "aws:cdk:enable-asset-metadata": true,
        "aws:cdk:disable-stack-trace": true,
        "aws:cdk:disable-creation-stack-traces": true,
      },
    });
    cleanup.push(bare.dir);
    // Nested stacks found through their aws:asset:path alone.
    const metadataFile = path.join(repo, bare.out, "assembly-Prod", `${bare.database.artifactId}.metadata.json`);
    const metadata = JSON.parse(readFileSync(metadataFile, "utf8"));
    for (const entries of Object.values(metadata) as { type: string }[][]) {
      entries.splice(0, entries.length, ...entries.filter((e) => e.type !== "aws:cdk:templateFile"));
    }
    writeFileSync(metadataFile, JSON.stringify(metadata));
    const { code: bareCode, report: bareReport } = scanJson([bare.out]);
    expect(bareCode).toBe(1);
    expect(bareReport.errors).toEqual([]);
    const template = readFileSync(path.join(repo, bare.out, "assembly-Prod", bare.database.templateFile), "utf8");
    expect(template).not.toContain("aws:cdk:path");
    expect(active(bareReport)).toEqual(active(report));
    const encrypted = find(bareReport, INSTANCE_PATH, "storage-encrypted");
    expect(encrypted?.resource.origin.constructSource).toBeUndefined();
    expect(encrypted?.resource.origin.stackName).toBe("Prod-Database");
  });

  it("reports a malformed manifest.json at its line and column, and still scans the templates and other paths", () => {
    const dir = tempDir("cdk-broken");
    cleanup.push(dir);
    cpSync(path.join(repo, s.out), path.join(repo, dir, "cdk.out"), { recursive: true });
    const manifest = `${dir}/cdk.out/assembly-Prod/manifest.json`;
    const text = readFileSync(path.join(repo, manifest), "utf8");
    writeFileSync(path.join(repo, manifest), text.replace('"artifacts": {', '"artifacts": {,'));
    const broken = scanJson([`${dir}/cdk.out`, "test/fixtures/cdk/database-stack.yaml"]);
    expect(broken.code).toBe(2);
    const at = positionOf(manifest, "{,");
    expect(broken.report.errors).toEqual([
      {
        kind: "parse",
        file: manifest,
        line: at.line,
        column: at.column + 1,
        message: expect.stringMatching(/^invalid cloud assembly manifest: /),
      },
    ]);
    // The stage's templates are judged as plain templates; the other path given is scanned too.
    const fromAssembly = broken.report.findings.filter((f) => f.location?.file?.startsWith(`${dir}/cdk.out/`));
    expect(active({ ...broken.report, findings: fromAssembly })).toEqual(active(report));
    expect(broken.report.findings.some((f) => f.location?.file === "test/fixtures/cdk/database-stack.yaml")).toBe(true);
  });
});
