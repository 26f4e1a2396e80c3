/**
 * Integration against moto's server (started by .ci/moto.sh, which exports MOTO_ENDPOINT). Only this setup
 * creates resources (CreateKey, CreateDBCluster, CreateDBInstance ...); the scanner under test only reads.
 * moto has no DescribeCertificates and calls every KMS key customer-managed: the scanner is not bent to that;
 * a missing DescribeCertificates is a reported error with CA data unknown, which is what it should be anyway.
 * moto 5.2.1 has no DescribeDBMajorEngineVersions either: engine-version falls back to rdsguard's lifecycle table
 * and says so, as it does when the call is denied.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateKeyCommand, EnableKeyRotationCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateGlobalClusterCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { run as audit } from "../../src/commands/audit.js";
import type { ScanReport } from "../../src/engine/types.js";
import type { DbCluster, DbInstance, KmsKey, Model } from "../../src/model/types.js";
import { type LiveScanResult, scanLive } from "../../src/scanners/live/index.js";
import { MOTO_ENDPOINT } from "../support/optional-suites.js";

const endpoint = MOTO_ENDPOINT;
const ACCOUNT = "123456789012";
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const PASSWORD = "moto-test-password-not-a-secret";

function setupClients(region: string) {
  const config = { region, endpoint, credentials };
  return { rds: new RDSClient(config), kms: new KMSClient(config) };
}

describe.skipIf(!endpoint)("live scan against moto_server (needs MOTO_ENDPOINT: source .ci/moto.sh)", () => {
  let keyUse1 = "";
  let keyEu = "";
  let result: LiveScanResult;
  const model = (region: string): Model => {
    const m = result.models.find((x) => x.region === region);
    if (!m) throw new Error(`no model for ${region}`);
    return m;
  };

  beforeAll(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    // A clean moto for every run.
    await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
    const use1 = setupClients("us-east-1");
    const eu = setupClients("eu-west-1");
    const k1 = await use1.kms.send(new CreateKeyCommand({ Description: "orders" }));
    keyUse1 = k1.KeyMetadata?.Arn ?? "";
    await use1.kms.send(new EnableKeyRotationCommand({ KeyId: keyUse1 }));
    const k2 = await eu.kms.send(new CreateKeyCommand({ Description: "eu" }));
    keyEu = k2.KeyMetadata?.Arn ?? "";
    await use1.rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: "orders",
        Engine: "aurora-postgresql",
        MasterUsername: "app",
        MasterUserPassword: PASSWORD,
        StorageEncrypted: true,
        KmsKeyId: keyUse1,
        DeletionProtection: true,
        EnableIAMDatabaseAuthentication: true,
        BackupRetentionPeriod: 7,
      }),
    );
    for (const id of ["orders-1", "orders-2"]) {
      await use1.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          DBClusterIdentifier: "orders",
          Engine: "aurora-postgresql",
          DBInstanceClass: "db.r6g.large",
        }),
      );
    }
    await use1.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: "reports",
        Engine: "mysql",
        DBInstanceClass: "db.t3.micro",
        AllocatedStorage: 20,
        MasterUsername: "app",
        MasterUserPassword: PASSWORD,
      }),
    );
    await use1.rds.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: "reports-replica",
        SourceDBInstanceIdentifier: "reports",
      }),
    );
    await use1.rds.send(
      new CreateGlobalClusterCommand({
        GlobalClusterIdentifier: "global-orders",
        SourceDBClusterIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders`,
      }),
    );
    await eu.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: "billing",
        Engine: "postgres",
        DBInstanceClass: "db.m6g.large",
        AllocatedStorage: 20,
        MasterUsername: "app",
        MasterUserPassword: PASSWORD,
        StorageEncrypted: true,
        KmsKeyId: keyEu,
        MultiAZ: true,
      }),
    );
    result = await scanLive({
      regions: ["us-east-1", "eu-west-1"],
      concurrency: 2,
      timeoutMs: 10_000,
      maxAttempts: 2,
      endpointUrl: endpoint,
      credentials: async () => credentials,
      homeRegion: "us-east-1",
    });
  });

  it("reads both regions; the only errors are moto's missing DescribeCertificates and DescribeDBMajorEngineVersions", () => {
    expect(result.models.map((m) => m.region).sort()).toEqual(["eu-west-1", "us-east-1"]);
    const certificates = result.errors.filter((e) => e.message.startsWith("rds:DescribeCertificates"));
    expect(certificates.map((e) => e.region).sort()).toEqual(["eu-west-1", "us-east-1"]);
    for (const e of result.errors) {
      expect(e.kind).toBe("aws");
      expect(e.account).toBe(ACCOUNT);
      expect(e.message).toMatch(/^rds:(DescribeCertificates|DescribeDBMajorEngineVersions [a-z-]+)/);
      if (e.message.startsWith("rds:DescribeDBMajorEngineVersions")) {
        expect(e.message).toContain("engine-version uses rdsguard's lifecycle table for this region");
      }
    }
    for (const m of result.models) expect(m.certificates).toBeUndefined();
    // engine-version then judges with the table, and says why.
    for (const m of result.models) expect(m.engineLifecycleErrors?.size ?? 0).toBeGreaterThan(0);
  });

  it("maps the Aurora cluster, its members and its customer key", () => {
    const m = model("us-east-1");
    const cluster = m.resources.get(`arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders`) as DbCluster;
    expect(cluster.kind).toBe("db-cluster");
    expect(cluster.storageEncrypted).toMatchObject({ state: "known", value: true });
    expect(cluster.kmsKeyId).toMatchObject({ state: "known", value: keyUse1, refersTo: keyUse1 });
    expect(cluster.deletionProtection).toMatchObject({ state: "known", value: true });
    expect(cluster.iamAuth).toMatchObject({ state: "known", value: true });
    expect(cluster.backupRetentionPeriod).toMatchObject({ state: "known", value: 7 });
    expect(cluster.memberIds.sort()).toEqual(
      ["orders-1", "orders-2"].map((id) => `arn:aws:rds:us-east-1:${ACCOUNT}:db:${id}`),
    );
    for (const id of cluster.memberIds) {
      const member = m.resources.get(id) as DbInstance;
      expect(member.role).toBe("aurora-member");
      expect(member.clusterId).toBe(cluster.id);
    }
    const key = m.resources.get(keyUse1) as KmsKey;
    expect(key.kind).toBe("kms-key");
    expect(key.enabled).toMatchObject({ state: "known", value: true });
    expect(key.rotationEnabled).toMatchObject({ state: "known", value: true });
  });

  it("maps the standalone instance and its read replica", () => {
    const m = model("us-east-1");
    const reports = m.resources.get(`arn:aws:rds:us-east-1:${ACCOUNT}:db:reports`) as DbInstance;
    expect(reports.role).toBe("standalone");
    expect(reports.storageEncrypted).toMatchObject({ state: "known", value: false });
    expect(reports.kmsKeyId.state).toBe("absent");
    const replica = m.resources.get(`arn:aws:rds:us-east-1:${ACCOUNT}:db:reports-replica`) as DbInstance;
    expect(replica.role).toBe("read-replica");
    expect(replica.sourceId).toBe(reports.id);
  });

  it("finds the global cluster once and the eu-west-1 instance with its unrotated key", () => {
    const holders = result.models.filter((m) =>
      m.resources.has(`arn:aws:rds::${ACCOUNT}:global-cluster:global-orders`),
    );
    expect(holders.map((m) => m.region)).toEqual(["us-east-1"]);
    const eu = model("eu-west-1");
    const billing = eu.resources.get(`arn:aws:rds:eu-west-1:${ACCOUNT}:db:billing`) as DbInstance;
    expect(billing.multiAZ).toMatchObject({ state: "known", value: true });
    expect(billing.kmsKeyId).toMatchObject({ refersTo: keyEu });
    expect((eu.resources.get(keyEu) as KmsKey).rotationEnabled).toMatchObject({ state: "known", value: false });
  });

  it("asks KMS once per distinct key", () => {
    expect(result.operations.get("kms:DescribeKey")).toBe(2);
    expect(result.operations.get("kms:GetKeyRotationStatus")).toBe(2);
    expect(result.operations.get("rds:DescribeGlobalClusters")).toBe(1);
  });

  it("assumes a role through moto's STS and audits the account it names", async () => {
    const viaRole = await scanLive({
      regions: ["us-east-1"],
      roleArn: "arn:aws:iam::{account}:role/RdsGuardAudit",
      accounts: [ACCOUNT],
      concurrency: 1,
      timeoutMs: 10_000,
      maxAttempts: 2,
      endpointUrl: endpoint,
      credentials: async () => credentials,
      homeRegion: "us-east-1",
    });
    expect(viaRole.errors.filter((e) => !/^rds:Describe(Certificates|DBMajorEngineVersions)/.test(e.message))).toEqual(
      [],
    );
    expect(viaRole.operations.get("sts:AssumeRole")).toBe(1);
    expect(viaRole.models[0]?.resources.has(`arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders`)).toBe(true);
  });

  it("rdsguard audit against moto: judges the resources, reports the missing DescribeCertificates, exits 2", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/nonexistent/rdsguard-test-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/rdsguard-test-credentials",
    });
    const dir = mkdtempSync(path.join(tmpdir(), "rdsguard-moto-"));
    // Swallow the output, but call write's callback: the output step waits for it.
    const swallow = ((_chunk: unknown, ...rest: unknown[]) => {
      (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
      return true;
    }) as typeof process.stdout.write;
    const quiet = [
      vi.spyOn(process.stdout, "write").mockImplementation(swallow),
      vi.spyOn(process.stderr, "write").mockImplementation(swallow),
    ];
    try {
      const out = path.join(dir, "audit.json");
      const code = await audit([
        "--regions",
        "us-east-1,eu-west-1",
        "--endpoint-url",
        endpoint ?? "",
        "--format",
        `json=${out}`,
      ]);
      expect(code).toBe(2);
      const report = JSON.parse(readFileSync(out, "utf8")) as ScanReport;
      expect(report.errors.every((e) => /^rds:Describe(Certificates|DBMajorEngineVersions)/.test(e.message))).toBe(
        true,
      );
      const lifecycle = report.findings.find((f) => f.ruleId === "engine-version" && f.resource.name === "reports");
      expect(lifecycle?.message).toContain("DescribeDBMajorEngineVersions could not be read");
      const failing = report.findings
        .filter((f) => f.verdict === "fail")
        .map((f) => `${f.ruleId}:${f.resource.name}`)
        .sort();
      expect(failing).toContain("storage-encrypted:reports");
      expect(failing).not.toContain("storage-encrypted:orders");
      expect(failing).not.toContain("deletion-protection:orders");
      // Aurora members are not failed on what the cluster owns.
      expect(
        failing.filter((f) => /^(storage-encrypted|deletion-protection|iam-auth|backup-retention):orders-\d$/.test(f)),
      ).toEqual([]);
      // Without CA data the CA check says unknown, not expired.
      const caVerdicts = report.findings.filter(
        (f) => f.ruleId === "ca-certificate" && f.property === "CACertificateIdentifier",
      );
      expect(caVerdicts.length).toBeGreaterThan(0);
      expect(caVerdicts.every((f) => f.verdict !== "fail")).toBe(true);
    } finally {
      for (const s of quiet) s.mockRestore();
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
