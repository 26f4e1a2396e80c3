/**
 * `rdsguard audit` and `rdsguard merge` end to end over real HTTP: flags, verdicts of the shared rules on live
 * state, exact places through the stack -> template mapping, deployed templates, errors and exit codes,
 * verbose logging without credentials, and a region-sharded audit merged back into the whole.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { run as audit } from "../../src/commands/audit.js";
import { run as merge } from "../../src/commands/merge.js";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import {
  ACCOUNT_A,
  clusterArn,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_SECRET_ACCESS_KEY,
  dbArn,
  FakeAws,
  fakeEnv,
  ORDERS_TEMPLATE,
  type StandardFixture,
  standardState,
} from "../support/fake-aws/index.js";

const NOW = "2026-03-01";
const REGIONS = "us-east-1,eu-west-1,ap-southeast-2";
let fixture: StandardFixture;
let fake: FakeAws;
let endpointUrl: string;
let tmp: string;
let ordersTemplatePath: string;
const savedEnv = { ...process.env };
let stdout: string[];
let stderr: string[];
let spies: MockInstance[];

function capture(into: string[]) {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    into.push(String(chunk));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
}

beforeAll(async () => {
  Object.assign(process.env, fakeEnv());
  fixture = standardState(new Date(`${NOW}T00:00:00Z`));
  fake = new FakeAws(fixture.state);
  endpointUrl = await fake.start();
  tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-audit-"));
  ordersTemplatePath = path.join(tmp, "orders.yaml");
  writeFileSync(ordersTemplatePath, ORDERS_TEMPLATE);
});
afterAll(async () => {
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
  process.env = savedEnv;
});
beforeEach(() => {
  fake.reset();
  stdout = [];
  stderr = [];
  spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture(stdout)),
    vi.spyOn(process.stderr, "write").mockImplementation(capture(stderr)),
  ];
});
afterEach(() => {
  for (const s of spies) s.mockRestore();
});

let reportCounter = 0;
async function auditJson(args: string[]): Promise<{ code: number; report: ScanReport }> {
  const out = path.join(tmp, `audit-${++reportCounter}.json`);
  const code = await audit([...args, "--endpoint-url", endpointUrl, "--now", NOW, "--format", `json=${out}`]);
  return { code, report: JSON.parse(readFileSync(out, "utf8")) as ScanReport };
}

const failing = (report: ScanReport) =>
  report.findings
    .filter((f) => f.verdict === "fail" && !f.suppression)
    .map((f) => `${f.ruleId}:${f.resource.name}:${f.property ?? ""}`)
    .sort();

function findingsOf(report: ScanReport, resourceId: string, ruleId?: string): Finding[] {
  return report.findings.filter((f) => f.resource.id === resourceId && (ruleId === undefined || f.ruleId === ruleId));
}

describe("rdsguard audit", () => {
  let full: { code: number; report: ScanReport };

  beforeAll(async () => {
    fake.reset();
    const quiet = [
      vi.spyOn(process.stdout, "write").mockImplementation(capture([])),
      vi.spyOn(process.stderr, "write").mockImplementation(capture([])),
    ];
    try {
      full = await auditJson([
        "--regions",
        REGIONS,
        "--templates",
        "--stack-template",
        `orders-stack=${ordersTemplatePath}`,
      ]);
    } finally {
      for (const s of quiet) s.mockRestore();
    }
  });

  it("writes an audit report with findings and API call counts, exit 1 for failing findings", () => {
    expect(full.code).toBe(1);
    const { report } = full;
    expect(report.kind).toBe("audit");
    expect(report.errors).toEqual([]);
    // 19 before engine-version and encryption-in-transit; they add 7 DescribeDBMajorEngineVersions (one per region and
    // engine in use) and 3 parameter group reads (orders-tls; reports-params in two regions; default groups never).
    expect(report.stats.apiCalls).toBe(29);
    // Two deployed templates (orders-stack, legacy-stack) were fetched and scanned.
    expect(report.stats).toMatchObject({ filesScanned: 2, templatesWithDatabases: 2 });
  });

  it("loses nothing: every RDS resource of the fixture is judged, each finding with account and region", () => {
    const judged = new Set(full.report.findings.map((f) => f.resource.id));
    for (const { account, ids } of fixture.expected) {
      if (account !== ACCOUNT_A) continue;
      for (const id of ids) expect(judged.has(id), `${id} not judged`).toBe(true);
    }
    expect(judged.has(fixture.globalClusterArn)).toBe(true);
    for (const f of full.report.findings.filter((x) => x.resource.origin.source === "live")) {
      expect(f.resource.origin.account).toBe(ACCOUNT_A);
      expect(f.resource.origin.region).toMatch(/^(us-east-1|eu-west-1|ap-southeast-2)$/);
      expect(f.resource.origin.arn).toBe(f.resource.id);
    }
  });

  it("judges live state with the same rules: the right failures, and none on Aurora members", () => {
    const live = { ...full.report, findings: full.report.findings.filter((f) => f.resource.origin.source === "live") };
    expect(failing(live)).toEqual(
      [
        // legacy: unencrypted Aurora MySQL cluster with one instance on an expired CA.
        "storage-encrypted:legacy:StorageEncrypted",
        "backup-retention:legacy:BackupRetentionPeriod",
        "deletion-protection:legacy:DeletionProtection",
        "iam-auth:legacy:EnableIAMDatabaseAuthentication",
        "multi-az:legacy:MultiAZ",
        "ca-certificate:legacy-1:CACertificateIdentifier",
        "ca-certificate:legacy-1:CertificateDetails",
        // Aurora MySQL 2 is past the end of standard support (2024-10-31); its default group does not force TLS.
        "engine-version:legacy:EngineVersion",
        "encryption-in-transit:legacy:DBClusterParameterGroupName",
        // Default Aurora PostgreSQL cluster groups leave rds.force_ssl at 0; orders uses orders-tls (1).
        "encryption-in-transit:analytics:DBClusterParameterGroupName",
        "encryption-in-transit:orders-eu:DBClusterParameterGroupName",
        // reports-params (shared by the source and both replicas) sets rds.force_ssl to 0.
        "encryption-in-transit:reports-db:DBParameterGroupName",
        "encryption-in-transit:reports-replica:DBParameterGroupName",
        "encryption-in-transit:reports-replica-eu:DBParameterGroupName",
        // MySQL 8.0: standard support ends 2026-07-31, within 180 days (a warning); public, default group.
        "engine-version:billing-mysql:EngineVersion",
        "encryption-in-transit:billing-mysql:DBParameterGroupName",
        "public-access:billing-mysql:PubliclyAccessible",
        // analytics (Serverless v2, AWS owned key: encrypted) has one instance.
        "multi-az:analytics:MultiAZ",
        "deletion-protection:global-orders:DeletionProtection",
        "backup-retention:reports-db:BackupRetentionPeriod",
        "deletion-protection:reports-db:DeletionProtection",
        "iam-auth:reports-db:EnableIAMDatabaseAuthentication",
        "multi-az:reports-db:MultiAZ",
        "deletion-protection:reports-replica:DeletionProtection",
        "iam-auth:reports-replica:EnableIAMDatabaseAuthentication",
        // eu-west-1
        "storage-encrypted:1a2b3c4d-0000-4000-8000-000000000002:EnableKeyRotation",
        "storage-encrypted:billing-mysql:StorageEncrypted",
        "multi-az:orders-eu:MultiAZ",
        "deletion-protection:reports-replica-eu:DeletionProtection",
        "iam-auth:reports-replica-eu:EnableIAMDatabaseAuthentication",
        // ap-southeast-2
        "deletion-protection:sydney-pg:DeletionProtection",
        "iam-auth:sydney-pg:EnableIAMDatabaseAuthentication",
      ].sort(),
    );
    // The AWS owned key (sse-rds) counts as encrypted; the aws/rds key is not asked to rotate.
    expect(
      findingsOf(full.report, clusterArn(ACCOUNT_A, "us-east-1", "analytics"), "storage-encrypted")[0]?.verdict,
    ).toBe("pass");
    expect(findingsOf(full.report, fixture.keys.awsRds, "storage-encrypted").map((f) => f.verdict)).not.toContain(
      "fail",
    );
    for (const member of ["orders-1", "orders-2", "legacy-1", "analytics-1"]) {
      for (const rule of ["storage-encrypted", "backup-retention", "iam-auth", "deletion-protection"]) {
        const verdicts = findingsOf(full.report, dbArn(ACCOUNT_A, "us-east-1", member), rule).map((f) => f.verdict);
        expect(
          verdicts.every((v) => v === "not-applicable"),
          `${rule} on ${member}: ${verdicts}`,
        ).toBe(true);
      }
    }
  });

  it("points live findings of a mapped stack at the template line, and keeps ARN and stack", () => {
    const orders = findingsOf(full.report, clusterArn(ACCOUNT_A, "us-east-1", "orders"));
    const lines = ORDERS_TEMPLATE.split("\n");
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    const dp = orders.find((f) => f.ruleId === "deletion-protection");
    // The offending (here: judged) value itself, in the file the user wrote.
    const dpLine = lineOf("DeletionProtection: true");
    expect(dp?.location).toEqual({
      file: ordersTemplatePath,
      line: dpLine,
      column: (lines[dpLine - 1] ?? "").indexOf("true") + 1,
    });
    expect(dp?.resource.origin).toMatchObject({
      source: "live",
      arn: clusterArn(ACCOUNT_A, "us-east-1", "orders"),
      account: ACCOUNT_A,
      region: "us-east-1",
      stackName: "orders-stack",
      stackLogicalId: "OrdersCluster",
      logicalId: "OrdersCluster",
      file: ordersTemplatePath,
    });
    const reader = findingsOf(full.report, dbArn(ACCOUNT_A, "us-east-1", "orders-2"), "instance-class")[0];
    expect(reader?.location?.line).toBe(
      lines.findIndex((l, i) => i > lineOf("OrdersReader:") - 1 && l.includes("DBInstanceClass")) + 1,
    );
    // A stack that is not mapped keeps no file location, only its ARN and stack tags.
    const legacy = findingsOf(full.report, clusterArn(ACCOUNT_A, "us-east-1", "legacy"), "deletion-protection")[0];
    expect(legacy?.location).toBeUndefined();
    expect(legacy?.resource.origin).toMatchObject({ stackName: "legacy-stack", stackLogicalId: "LegacyCluster" });
  });

  it("with --templates, judges the deployed template bodies of the stacks that own RDS resources", () => {
    const deployed = full.report.findings.filter((f) => f.resource.origin.source === "template");
    const files = new Set(deployed.map((f) => f.location?.file ?? f.resource.origin.file));
    expect([...files].sort()).toEqual([
      `deployed/${ACCOUNT_A}/us-east-1/legacy-stack.template`,
      `deployed/${ACCOUNT_A}/us-east-1/orders-stack.template`,
    ]);
    expect(failing({ ...full.report, findings: deployed })).toContain(
      "backup-retention:LegacyCluster:BackupRetentionPeriod",
    );
  });

  it("reports an AccessDenied region on stderr and in the report, writes the rest, exits 2", async () => {
    fake.faults = [
      {
        service: "rds",
        region: "eu-west-1",
        error: { status: 403, code: "AccessDenied", message: "not authorized to perform: rds:DescribeDBClusters" },
      },
    ];
    const { code, report } = await auditJson(["--regions", REGIONS]);
    expect(code).toBe(2);
    expect(report.errors.length).toBeGreaterThanOrEqual(1);
    for (const e of report.errors) expect(e).toMatchObject({ kind: "aws", account: ACCOUNT_A, region: "eu-west-1" });
    expect(stderr.join("")).toMatch(/region eu-west-1.*access denied/);
    const regions = new Set(report.findings.map((f) => f.resource.origin.region));
    expect(regions.has("us-east-1")).toBe(true);
    expect(regions.has("ap-southeast-2")).toBe(true);
    expect(regions.has("eu-west-1")).toBe(false);
    // A member region was denied, so the global cluster is judged in its writer's region all the same.
    expect(report.findings.some((f) => f.resource.id === fixture.globalClusterArn)).toBe(true);
  });

  it("--verbose logs every API call on stderr, and never a credential", async () => {
    const code = await audit([
      "--regions",
      "us-east-1",
      "--endpoint-url",
      endpointUrl,
      "--verbose",
      "--format",
      "text",
    ]);
    expect(code).toBe(1);
    const log = stderr.join("");
    const calls = log.split("\n").filter((l) => /^rdsguard audit: aws [a-z0-9]+:[A-Za-z]+ account=/.test(l));
    expect(calls).toHaveLength(fake.requests.length);
    expect(log).toMatch(/aws rds:DescribeDBInstances account=111111111111 region=us-east-1 ok \d+ms attempts=1/);
    const everything = log + stdout.join("");
    expect(everything).not.toContain(DEFAULT_SECRET_ACCESS_KEY);
    expect(everything).not.toContain(DEFAULT_ACCESS_KEY_ID);
  });

  it("shows progress on a terminal (accounts, regions, resources) and clears it", async () => {
    const tty = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
    Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
    // A terminal outside CI: with CI set (as in the CI run of this suite) the progress line is off by design.
    const ci = process.env.CI;
    delete process.env.CI;
    try {
      await auditJson(["--regions", REGIONS]);
    } finally {
      if (tty) Object.defineProperty(process.stderr, "isTTY", tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
      if (ci !== undefined) process.env.CI = ci;
    }
    const text = stderr.join("");
    expect(text).toContain("rdsguard audit: accounts 0/1, regions 0/3, resources 0");
    expect(text).toMatch(/rdsguard audit: accounts 1\/1, regions 3\/3, resources 2\d/);
    // The last thing written clears the status line.
    expect(stderr.at(-1)).toBe("\r\u001b[K");
  });

  it("--profile: credentials and default region from the shared config files", async () => {
    const config = path.join(tmp, "aws-config");
    const creds = path.join(tmp, "aws-credentials");
    writeFileSync(config, "[profile auditor]\nregion = eu-west-1\n");
    writeFileSync(
      creds,
      `[auditor]\naws_access_key_id = ${DEFAULT_ACCESS_KEY_ID}\naws_secret_access_key = ${DEFAULT_SECRET_ACCESS_KEY}\n`,
    );
    const saved = { ...process.env };
    for (const k of ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) delete process.env[k];
    Object.assign(process.env, { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: creds });
    try {
      const { code, report } = await auditJson(["--profile", "auditor"]);
      expect(code).toBe(1);
      expect(report.errors).toEqual([]);
      expect(new Set(report.findings.map((f) => f.resource.origin.region))).toEqual(new Set(["eu-west-1"]));
      expect(fake.requests.every((r) => r.account === ACCOUNT_A && r.region === "eu-west-1")).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  it("without any region configured, says how to give one (exit 2)", async () => {
    const saved = { ...process.env };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const code = await audit(["--endpoint-url", endpointUrl]);
      expect(code).toBe(2);
      expect(stderr.join("")).toMatch(/no region: give --regions, set AWS_REGION/);
      expect(fake.requests).toHaveLength(0);
    } finally {
      process.env = saved;
    }
  });

  it("is quiet on stderr when it is not a terminal and nothing fails", async () => {
    const { code } = await auditJson(["--regions", "us-east-1"]);
    expect(code).toBe(1);
    expect(stderr.join("")).toBe("");
  });

  it.each([
    [["--accounts", "111111111111"], /--accounts needs --role-arn/],
    [["--role-arn", "arn:aws:iam::{account}:role/X"], /contains \{account\}/],
    [["--role-arn", "arn:aws:iam::{account}:role/X", "--accounts", "12345"], /12-digit/],
    [["--regions", "mars-central-1x"], /not a region name/],
    [["--concurrency", "0"], /--concurrency takes a positive integer/],
    [["--timeout", "soon"], /--timeout takes a positive integer/],
    [["--stack-template", "orders-stack"], /STACK=PATH/],
    [["--format", "pdf"], /unknown format 'pdf'/],
    [["--no-such-flag"], /unknown option --no-such-flag/],
    [["--regoins", "all"], /unknown option --regoins \(did you mean --regions\?\)/],
  ])("rejects %j before any API call (exit 2)", async (args, message) => {
    const code = await audit([...args, "--endpoint-url", endpointUrl]);
    expect(code).toBe(2);
    expect(stderr.join("")).toMatch(message);
    expect(fake.requests).toHaveLength(0);
  });

  it("takes stack -> template mappings from the policy file's stackTemplates", async () => {
    const policy = path.join(tmp, "policy.yaml");
    writeFileSync(policy, `version: 1\nstackTemplates:\n  orders-stack: ${JSON.stringify(ordersTemplatePath)}\n`);
    const { report } = await auditJson(["--regions", "us-east-1", "--config", policy]);
    expect(report.errors).toEqual([]);
    const dp = findingsOf(report, clusterArn(ACCOUNT_A, "us-east-1", "orders"), "deletion-protection")[0];
    expect(dp?.location?.file).toBe(ordersTemplatePath);
  });

  it("applies a waiver written in the mapped template's Metadata to the deployed resource", async () => {
    const legacyTemplate = path.join(tmp, "legacy.yaml");
    writeFileSync(
      legacyTemplate,
      [
        "Resources:",
        "  LegacyCluster:",
        "    Type: AWS::RDS::DBCluster",
        "    Metadata:",
        "      rdsguard:",
        "        suppress:",
        "          - rule: multi-az",
        "            reason: single-instance legacy cluster, retired in Q3",
        "    Properties:",
        "      Engine: aurora-mysql",
        "  LegacyWriter:",
        "    Type: AWS::RDS::DBInstance",
        "    Properties:",
        "      DBClusterIdentifier: !Ref LegacyCluster",
        "      DBInstanceClass: db.t3.medium",
        "      Engine: aurora-mysql",
        "",
      ].join("\n"),
    );
    const { report } = await auditJson([
      "--regions",
      "us-east-1",
      "--stack-template",
      `legacy-stack=${legacyTemplate}`,
    ]);
    const legacy = findingsOf(report, clusterArn(ACCOUNT_A, "us-east-1", "legacy"));
    const multiAz = legacy.find((f) => f.ruleId === "multi-az");
    expect(multiAz?.verdict).toBe("fail");
    expect(multiAz?.suppression).toMatchObject({
      kind: "inline",
      reason: "single-instance legacy cluster, retired in Q3",
    });
    // Other rules on the same resource are not waived, and now point at the template.
    const dp = legacy.find((f) => f.ruleId === "deletion-protection");
    expect(dp?.suppression).toBeUndefined();
    expect(dp?.location).toMatchObject({ file: legacyTemplate, line: 2 });
  });

  it("reports a mapping to a template that does not declare the resource", async () => {
    const other = path.join(tmp, "other.yaml");
    writeFileSync(
      other,
      "Resources:\n  SomethingElse:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n",
    );
    const { code, report } = await auditJson(["--regions", "us-east-1", "--stack-template", `orders-stack=${other}`]);
    expect(code).toBe(2);
    expect(report.errors.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/declares no AWS::RDS::DBCluster OrdersCluster/),
    );
  });
});

describe.skipIf(process.platform === "win32")("inputs that are not regular files", () => {
  it("refuses a stack template that is a FIFO or /dev/zero at once, and still judges the region (exit 2)", async () => {
    const fifo = path.join(tmp, "stack-pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    for (const input of [fifo, "/dev/zero"]) {
      const { code, report } = await auditJson(["--regions", "us-east-1", "--stack-template", `orders-stack=${input}`]);
      expect(code).toBe(2);
      expect(report.errors.map((e) => `${e.kind} ${e.message}`)).toContainEqual(
        expect.stringMatching(/^io cannot read: a (FIFO \(named pipe\)|character device), not a regular file$/),
      );
      expect(report.findings.some((f) => f.resource.id.includes("orders"))).toBe(true);
    }
  });

  it("refuses a FIFO or /dev/zero given to merge as a report, at once, and merges the rest (exit 2)", async () => {
    const fifo = path.join(tmp, "report-pipe.json");
    execFileSync("mkfifo", [fifo]);
    const shard = await auditJson(["--regions", "us-east-1"]);
    const a = path.join(tmp, "shard-ok.json");
    writeFileSync(a, JSON.stringify(shard.report));
    const out = path.join(tmp, "merged-not-regular.json");
    const code = await merge([a, fifo, "/dev/zero", "--format", `json=${out}`]);
    expect(code).toBe(2);
    const merged = JSON.parse(readFileSync(out, "utf8")) as ScanReport;
    expect(merged.errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
      `${fifo}: cannot merge ${fifo}: cannot read: a FIFO (named pipe), not a regular file`,
      "/dev/zero: cannot merge /dev/zero: cannot read: a character device, not a regular file",
    ]);
    expect(merged.findings.length).toBe(shard.report.findings.length);
  });
});

describe("rdsguard merge", () => {
  it("merges region shards into the same findings as one audit: deduplicated, errors kept, stats summed", async () => {
    const whole = await auditJson(["--regions", REGIONS]);
    const shardA = await auditJson(["--regions", "us-east-1"]);
    const shardB = await auditJson(["--regions", "eu-west-1,ap-southeast-2"]);
    // The global cluster has members in both shards' regions: both judge it.
    for (const shard of [shardA, shardB]) {
      expect(shard.report.findings.some((f) => f.resource.id === fixture.globalClusterArn)).toBe(true);
    }
    const a = path.join(tmp, "shard-a.json");
    const b = path.join(tmp, "shard-b.json");
    writeFileSync(a, JSON.stringify(shardA.report));
    writeFileSync(b, JSON.stringify(shardB.report));
    const out = path.join(tmp, "merged.json");
    const code = await merge([a, b, "--format", `json=${out}`]);
    expect(code).toBe(1);
    const merged = JSON.parse(readFileSync(out, "utf8")) as ScanReport;
    const fingerprints = (r: ScanReport) => r.findings.map((f) => f.fingerprint).sort();
    expect(fingerprints(merged)).toEqual(fingerprints(whole.report));
    expect(new Set(fingerprints(merged)).size).toBe(merged.findings.length);
    expect(merged.kind).toBe("audit");
    expect(merged.stats.apiCalls).toBe((shardA.report.stats.apiCalls ?? 0) + (shardB.report.stats.apiCalls ?? 0));
    expect(merged.stats.resources).toBe(shardA.report.stats.resources + shardB.report.stats.resources);
    expect(merged.rules.map((r) => r.id)).toEqual(whole.report.rules.map((r) => r.id));
  });

  it("keeps the errors of a failed shard and reports an unreadable report, exit 2", async () => {
    fake.faults = [
      { service: "rds", region: "eu-west-1", error: { status: 403, code: "AccessDenied", message: "denied" } },
    ];
    const failed = await auditJson(["--regions", "eu-west-1"]);
    const a = path.join(tmp, "failed-shard.json");
    writeFileSync(a, JSON.stringify(failed.report));
    const notJson = path.join(tmp, "not-a-report.json");
    writeFileSync(notJson, "{ nope");
    const out = path.join(tmp, "merged-errors.json");
    const code = await merge([a, notJson, path.join(tmp, "missing.json"), "--format", `json=${out}`]);
    expect(code).toBe(2);
    const merged = JSON.parse(readFileSync(out, "utf8")) as ScanReport;
    expect(merged.errors.filter((e) => e.kind === "aws" && e.region === "eu-west-1").length).toBeGreaterThan(0);
    expect(merged.errors.filter((e) => e.kind === "io").map((e) => e.file)).toEqual([
      notJson,
      path.join(tmp, "missing.json"),
    ]);
  });

  it("needs at least one report", async () => {
    expect(await merge([])).toBe(2);
    expect(stderr.join("")).toMatch(/give at least one REPORT\.json/);
  });
});
