/**
 * The live scanner over real HTTP against the fake endpoint: what it builds (the model, mapped field by field),
 * that nothing in the fixture organisation is lost, and how many API calls it takes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbCluster, DbInstance, GlobalCluster, KmsKey, Model } from "../../src/model/types.js";
import { type LiveScanResult, scanLive } from "../../src/scanners/live/index.js";
import {
  ACCOUNT_A,
  clusterArn,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_SECRET_ACCESS_KEY,
  dbArn,
  FakeAws,
  fakeCredentials,
  type StandardFixture,
  standardState,
} from "../support/fake-aws/index.js";

const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const NOW = new Date("2026-03-01T00:00:00Z");

let fixture: StandardFixture;
let fake: FakeAws;
let result: LiveScanResult;
const log: string[] = [];

function model(region: string, account = ACCOUNT_A): Model {
  const m = result.models.find((x) => x.region === region && x.account === account);
  if (!m) throw new Error(`no model for ${account}/${region}`);
  return m;
}
function cluster(region: string, id: string): DbCluster {
  const r = model(region).resources.get(clusterArn(ACCOUNT_A, region, id));
  if (r?.kind !== "db-cluster") throw new Error(`no cluster ${id}`);
  return r;
}
function instance(region: string, id: string): DbInstance {
  const r = model(region).resources.get(dbArn(ACCOUNT_A, region, id));
  if (r?.kind !== "db-instance") throw new Error(`no instance ${id}`);
  return r;
}
function key(region: string, arn: string): KmsKey {
  const r = model(region).resources.get(arn);
  if (r?.kind !== "kms-key") throw new Error(`no key ${arn}`);
  return r;
}

beforeAll(async () => {
  fixture = standardState(NOW);
  fake = new FakeAws(fixture.state);
  const endpointUrl = await fake.start();
  result = await scanLive({
    regions: REGIONS,
    concurrency: 4,
    timeoutMs: 5000,
    maxAttempts: 3,
    endpointUrl,
    credentials: fakeCredentials,
    homeRegion: "us-east-1",
    log: (line) => log.push(line),
  });
});
afterAll(async () => {
  await fake.stop();
});

describe("live scan of the fixture organisation", () => {
  it("reads every region without error", () => {
    expect(result.errors).toEqual([]);
    expect(result.targets.map((t) => `${t.account}/${t.region}/${t.ok}`).sort()).toEqual(
      REGIONS.map((r) => `${ACCOUNT_A}/${r}/true`).sort(),
    );
    for (const m of result.models) {
      expect(m.source).toBe("live");
      expect(m.account).toBe(ACCOUNT_A);
    }
  });

  it("loses nothing: every RDS cluster and instance of the fixture is in its region's model", () => {
    for (const { account, region, ids } of fixture.expected.filter((e) => e.account === ACCOUNT_A)) {
      const resources = model(region, account).resources;
      for (const id of ids) expect(resources.has(id), `${id} missing`).toBe(true);
      const rdsResources = [...resources.values()].filter((r) => r.kind === "db-cluster" || r.kind === "db-instance");
      expect(rdsResources.map((r) => r.id).sort()).toEqual([...ids].sort());
    }
    // Neptune answers through the RDS API but is not RDS.
    expect(model("us-east-1").resources.has(fixture.neptuneArn)).toBe(false);
  });

  it("uses ARNs as ids and records account, region, stack and logical id", () => {
    const orders = cluster("us-east-1", "orders");
    expect(orders.id).toBe("arn:aws:rds:us-east-1:111111111111:cluster:orders");
    expect(orders.name).toBe("orders");
    expect(orders.origin).toEqual({
      source: "live",
      arn: orders.id,
      account: ACCOUNT_A,
      region: "us-east-1",
      cfnType: "AWS::RDS::DBCluster",
      stackName: "orders-stack",
      stackLogicalId: "OrdersCluster",
    });
    expect(orders.tags.team).toBe("payments");
    expect(instance("us-east-1", "orders-2").origin.stackLogicalId).toBe("OrdersReader");
    expect(instance("us-east-1", "reports-db").origin.stackName).toBeUndefined();
  });

  it("maps an Aurora cluster with a customer key and links its members", () => {
    const orders = cluster("us-east-1", "orders");
    expect(orders.storageEncrypted).toEqual({
      state: "known",
      value: true,
      origin: { kind: "live", api: "DescribeDBClusters" },
    });
    expect(orders.storageEncryptionType).toMatchObject({ state: "known", value: "sse-kms" });
    expect(orders.kmsKeyId).toMatchObject({
      state: "known",
      value: fixture.keys.ordersCmk,
      refersTo: fixture.keys.ordersCmk,
    });
    expect(orders.backupRetentionPeriod).toMatchObject({ state: "known", value: 7 });
    expect(orders.deletionProtection).toMatchObject({ state: "known", value: true });
    expect(orders.iamAuth).toMatchObject({ state: "known", value: true });
    expect(orders.engine).toMatchObject({ state: "known", value: "aurora-postgresql" });
    expect(orders.engineMode).toMatchObject({ state: "known", value: "provisioned" });
    expect(orders.dbClusterInstanceClass.state).toBe("absent");
    expect(orders.availabilityZones).toMatchObject({
      state: "known",
      value: ["us-east-1a", "us-east-1b", "us-east-1c"],
    });
    expect(orders.globalClusterIdentifier).toMatchObject({ state: "known", value: "global-orders" });
    expect(orders.multiAZ).toMatchObject({ state: "known", value: true });
    expect(orders.memberIds).toEqual([
      dbArn(ACCOUNT_A, "us-east-1", "orders-1"),
      dbArn(ACCOUNT_A, "us-east-1", "orders-2"),
    ]);
    for (const id of ["orders-1", "orders-2"]) {
      const member = instance("us-east-1", id);
      expect(member.role).toBe("aurora-member");
      expect(member.clusterId).toBe(orders.id);
      expect(member.dbClusterIdentifier).toMatchObject({ state: "known", value: "orders" });
    }
    expect(instance("us-east-1", "orders-2").availabilityZone).toMatchObject({ state: "known", value: "us-east-1b" });
  });

  it("reads StorageEncryptionType: sse-rds is encrypted (AWS owned key) although StorageEncrypted is false", () => {
    const analytics = cluster("us-east-1", "analytics");
    expect(analytics.storageEncrypted).toMatchObject({ state: "known", value: true });
    expect(analytics.storageEncryptionType).toMatchObject({ state: "known", value: "sse-rds" });
    expect(analytics.kmsKeyId.state).toBe("absent");
    const legacy = cluster("us-east-1", "legacy");
    expect(legacy.storageEncrypted).toMatchObject({ state: "known", value: false });
    expect(legacy.storageEncryptionType).toMatchObject({ state: "known", value: "none" });
    expect(legacy.backupRetentionPeriod).toMatchObject({ state: "known", value: 1 });
    expect(legacy.deletionProtection).toMatchObject({ state: "known", value: false });
  });

  it("maps Serverless v2 capacity, and leaves it absent (with why) elsewhere", () => {
    const analytics = cluster("us-east-1", "analytics");
    expect(analytics.serverlessV2MinCapacity).toMatchObject({ state: "known", value: 0.5 });
    expect(analytics.serverlessV2MaxCapacity).toMatchObject({ state: "known", value: 16 });
    expect(instance("us-east-1", "analytics-1").dbInstanceClass).toMatchObject({
      state: "known",
      value: "db.serverless",
    });
    const orders = cluster("us-east-1", "orders");
    expect(orders.serverlessV2MinCapacity.state).toBe("absent");
    expect(orders.serverlessV2MinCapacity).toHaveProperty("defaultSource");
  });

  it("tells a Multi-AZ DB cluster's members from Aurora members", () => {
    const metrics = cluster("us-east-1", "metrics");
    expect(metrics.dbClusterInstanceClass).toMatchObject({ state: "known", value: "db.m6gd.large" });
    expect(metrics.memberIds).toHaveLength(3);
    for (const id of ["metrics-1", "metrics-2", "metrics-3"])
      expect(instance("us-east-1", id).role).toBe("cluster-member");
  });

  it("maps standalone instances and read replicas, same-region and cross-region", () => {
    const reports = instance("us-east-1", "reports-db");
    expect(reports.role).toBe("standalone");
    expect(reports.backupRetentionPeriod).toMatchObject({ state: "known", value: 0 });
    expect(reports.multiAZ).toMatchObject({ state: "known", value: false });
    expect(reports.kmsKeyId).toMatchObject({ refersTo: fixture.keys.awsRds });
    const replica = instance("us-east-1", "reports-replica");
    expect(replica.role).toBe("read-replica");
    expect(replica.sourceId).toBe(reports.id);
    expect(replica.sourceDbInstanceIdentifier).toMatchObject({ state: "known", value: "reports-db" });
    const crossRegion = instance("eu-west-1", "reports-replica-eu");
    expect(crossRegion.role).toBe("read-replica");
    expect(crossRegion.sourceId).toBe(reports.id);
    expect(instance("ap-southeast-2", "sydney-pg").storageEncrypted).toMatchObject({ state: "known", value: true });
  });

  it("maps CA certificates once per region, and each instance's CA and server certificate", () => {
    for (const region of REGIONS) {
      const certs = model(region).certificates;
      expect(certs?.size).toBe(4);
      expect(certs?.get("rds-ca-2019")).toEqual({
        id: "rds-ca-2019",
        validFrom: "2019-08-22T17:08:50.000Z",
        validTill: "2024-08-22T17:08:50.000Z",
        defaultForNewLaunches: false,
      });
      expect(certs?.get("rds-ca-rsa2048-g1")?.defaultForNewLaunches).toBe(true);
    }
    const legacy = instance("us-east-1", "legacy-1");
    expect(legacy.caCertificateIdentifier).toMatchObject({ state: "known", value: "rds-ca-2019" });
    expect(legacy.certificateDetails).toEqual({ caIdentifier: "rds-ca-2019", validTill: "2024-08-22T17:08:50.000Z" });
    const billing = instance("eu-west-1", "billing-mysql");
    expect(billing.certificateDetails).toEqual({
      caIdentifier: "rds-ca-rsa2048-g1",
      validTill: new Date(NOW.getTime() + 10 * 86_400_000).toISOString(),
    });
  });

  it("describes each key: manager, state, rotation (asked only for customer-managed keys)", () => {
    const cmk = key("us-east-1", fixture.keys.ordersCmk);
    expect(cmk.keyManager).toMatchObject({ state: "known", value: "CUSTOMER" });
    expect(cmk.enabled).toMatchObject({ state: "known", value: true });
    expect(cmk.rotationEnabled).toEqual({
      state: "known",
      value: true,
      origin: { kind: "live", api: "GetKeyRotationStatus" },
    });
    expect(cmk.origin).toMatchObject({
      source: "live",
      arn: fixture.keys.ordersCmk,
      account: ACCOUNT_A,
      region: "us-east-1",
    });
    expect(key("eu-west-1", fixture.keys.euCmk).rotationEnabled).toMatchObject({ state: "known", value: false });
    const awsManaged = key("us-east-1", fixture.keys.awsRds);
    expect(awsManaged.keyManager).toMatchObject({ state: "known", value: "AWS" });
    expect(awsManaged.rotationEnabled).toMatchObject({ state: "known", value: true, origin: { kind: "inherited" } });
  });

  it("puts the global cluster in its writer's region, once", () => {
    const holders = result.models.filter((m) => m.resources.has(fixture.globalClusterArn));
    expect(holders.map((m) => m.region)).toEqual(["us-east-1"]);
    const g = model("us-east-1").resources.get(fixture.globalClusterArn) as GlobalCluster;
    expect(g.kind).toBe("global-cluster");
    expect(g.name).toBe("global-orders");
    expect(g.deletionProtection).toMatchObject({ state: "known", value: false });
    expect(g.storageEncrypted).toMatchObject({ state: "known", value: true });
    expect(g.memberClusterIds.sort()).toEqual(
      [clusterArn(ACCOUNT_A, "us-east-1", "orders"), clusterArn(ACCOUNT_A, "eu-west-1", "orders-eu")].sort(),
    );
    expect(g.sourceDbClusterIdentifier).toMatchObject({
      state: "known",
      value: clusterArn(ACCOUNT_A, "us-east-1", "orders"),
    });
  });

  it("calls each list API once per region, certificates once per region, KMS once per distinct key", () => {
    const ops = Object.fromEntries(result.operations);
    expect(ops).toEqual({
      "sts:GetCallerIdentity": 1,
      "rds:DescribeGlobalClusters": 1,
      "rds:DescribeDBClusters": 3,
      "rds:DescribeDBInstances": 3,
      "rds:DescribeCertificates": 3,
      // Per region and engine in use: us-east-1 aurora-postgresql, aurora-mysql, postgres; eu-west-1
      // aurora-postgresql, mysql, postgres; ap-southeast-2 postgres (Neptune is left out).
      "rds:DescribeDBMajorEngineVersions": 7,
      // Per distinct non-default group and region: reports-params (its source and replica share it) in us-east-1 and
      // eu-west-1; orders-tls. Members' DB parameter groups and default.* groups are not read.
      "rds:DescribeDBParameters": 2,
      "rds:DescribeDBClusterParameters": 1,
      // ordersCmk, awsRds (us-east-1), euCmk, awsRdsEu (eu-west-1): the members' repeated KmsKeyId is not asked again.
      "kms:DescribeKey": 4,
      // Customer-managed keys only.
      "kms:GetKeyRotationStatus": 2,
    });
    expect(result.apiCalls).toBe(27);
    // What the endpoint saw agrees: no retries, one request per call.
    expect(fake.requests).toHaveLength(27);
    // The smallest answer that tells: only what the group changes (Source=user).
    for (const r of fake.requests.filter((x) => /^DescribeDB(Cluster)?Parameters$/.test(x.action))) {
      expect(r.params.Source).toBe("user");
    }
    for (const region of REGIONS) expect(fake.count({ action: "DescribeCertificates", region })).toBe(1);
    const describedKeys = fake.requests.filter((r) => r.action === "DescribeKey").map((r) => r.params.KeyId);
    expect(new Set(describedKeys).size).toBe(describedKeys.length);
    const rotationAsked = fake.requests.filter((r) => r.action === "GetKeyRotationStatus").map((r) => r.params.KeyId);
    expect(rotationAsked.sort()).toEqual([fixture.keys.ordersCmk, fixture.keys.euCmk].sort());
    // KMS is asked in the key's own region.
    expect(
      fake.requests.filter((r) => r.action === "DescribeKey" && r.params.KeyId === fixture.keys.euCmk)[0]?.region,
    ).toBe("eu-west-1");
  });

  it("logs each call in verbose mode, never a credential", () => {
    expect(log).toHaveLength(27);
    expect(log).toContain(
      log.find((l) => /^aws rds:DescribeDBClusters account=111111111111 region=eu-west-1 ok /.test(l)),
    );
    for (const line of log) {
      expect(line).not.toContain(DEFAULT_SECRET_ACCESS_KEY);
      expect(line).not.toContain(DEFAULT_ACCESS_KEY_ID);
    }
  });
});

describe("multi-page answers", () => {
  it("follows every Marker and counts one call per page", async () => {
    const fx = standardState(NOW);
    const paged = new FakeAws({ ...fx.state, pageSize: 2 });
    const endpointUrl = await paged.start();
    try {
      const r = await scanLive({
        regions: REGIONS,
        concurrency: 2,
        timeoutMs: 5000,
        maxAttempts: 3,
        endpointUrl,
        credentials: fakeCredentials,
        homeRegion: "us-east-1",
      });
      expect(r.errors).toEqual([]);
      // us-east-1: 5 clusters (one Neptune) = 3 pages, 10 instances = 5 pages; eu-west-1: 1 and 2; ap-southeast-2: 1 and 1.
      expect(paged.count({ action: "DescribeDBClusters", region: "us-east-1" })).toBe(3);
      expect(paged.count({ action: "DescribeDBInstances", region: "us-east-1" })).toBe(5);
      expect(paged.count({ action: "DescribeDBInstances", region: "eu-west-1" })).toBe(2);
      expect(paged.count({ action: "DescribeDBClusters", region: "ap-southeast-2" })).toBe(1);
      // 4 CAs per region at 2 per page.
      expect(paged.count({ action: "DescribeCertificates" })).toBe(6);
      expect(r.operations.get("rds:DescribeDBInstances")).toBe(5 + 2 + 1);
      const markers = paged.requests
        .filter((q) => q.action === "DescribeDBInstances" && q.region === "us-east-1")
        .map((q) => q.params.Marker ?? null);
      expect(markers).toEqual([null, "2", "4", "6", "8"]);
      for (const { region, ids } of fx.expected.filter((e) => e.account === ACCOUNT_A)) {
        const m = r.models.find((x) => x.region === region);
        for (const id of ids) expect(m?.resources.has(id), `${id} lost`).toBe(true);
        expect(m?.certificates?.size).toBe(4);
      }
      expect(r.apiCalls).toBe(paged.requests.length);
    } finally {
      await paged.stop();
    }
  });
});
