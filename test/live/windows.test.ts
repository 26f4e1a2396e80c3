/**
 * Backup and maintenance windows, public access and automatic minor version upgrades, read by the live scanner
 * over real HTTP from the fake endpoint: known with their API as origin, or absent (with the same default and
 * source as the template scanner) when the answer leaves them out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/model/defaults.js";
import type { Attr, DbCluster, DbInstance, Model } from "../../src/model/types.js";
import { type LiveScanResult, scanLive } from "../../src/scanners/live/index.js";
import { ACCOUNT_A, clusterArn, dbArn, FakeAws, fakeCredentials, standardState } from "../support/fake-aws/index.js";

const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];

let fake: FakeAws;
let result: LiveScanResult;

function model(region: string): Model {
  const m = result.models.find((x) => x.region === region && x.account === ACCOUNT_A);
  if (!m) throw new Error(`no model for ${region}`);
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

const fromClusters = <T>(value: T): Attr<T> => ({
  state: "known",
  value,
  origin: { kind: "live", api: "DescribeDBClusters" },
});
const fromInstances = <T>(value: T): Attr<T> => ({
  state: "known",
  value,
  origin: { kind: "live", api: "DescribeDBInstances" },
});
const absent = (d: { value: unknown; source: string }) => ({
  state: "absent",
  default: d.value,
  defaultSource: d.source,
});

beforeAll(async () => {
  fake = new FakeAws(standardState(new Date("2026-03-01T00:00:00Z")).state);
  const endpointUrl = await fake.start();
  result = await scanLive({
    regions: REGIONS,
    concurrency: 4,
    timeoutMs: 5000,
    maxAttempts: 3,
    endpointUrl,
    credentials: fakeCredentials,
    homeRegion: "us-east-1",
  });
});
afterAll(async () => {
  await fake.stop();
});

describe("live windows, public access and minor version upgrades", () => {
  it("reads without error", () => {
    expect(result.errors).toEqual([]);
  });

  it("maps a standalone instance's values from DescribeDBInstances", () => {
    const billing = instance("eu-west-1", "billing-mysql");
    expect(billing.preferredBackupWindow).toEqual(fromInstances("22:00-22:30"));
    expect(billing.preferredMaintenanceWindow).toEqual(fromInstances("mon:23:30-tue:00:00"));
    expect(billing.publiclyAccessible).toEqual(fromInstances(true));
    expect(billing.autoMinorVersionUpgrade).toEqual(fromInstances(false));
    const reports = instance("us-east-1", "reports-db");
    expect(reports.publiclyAccessible).toEqual(fromInstances(false));
    expect(reports.autoMinorVersionUpgrade).toEqual(fromInstances(true));
    expect(reports.preferredMaintenanceWindow).toEqual(fromInstances("sun:04:00-sun:04:30"));
  });

  it("keeps the backup window an Aurora member reports, as answered", () => {
    const member = instance("us-east-1", "orders-1");
    expect(member.role).toBe("aurora-member");
    expect(member.preferredBackupWindow).toEqual(fromInstances("07:00-07:30"));
  });

  it("maps an Aurora cluster's and a Multi-AZ DB cluster's values from DescribeDBClusters", () => {
    const orders = cluster("us-east-1", "orders");
    expect(orders.preferredBackupWindow).toEqual(fromClusters("07:00-07:30"));
    expect(orders.preferredMaintenanceWindow).toEqual(fromClusters("sat:09:00-sat:09:30"));
    expect(orders.autoMinorVersionUpgrade).toEqual(fromClusters(true));
    // Aurora clusters do not report PubliclyAccessible: it is a Multi-AZ DB cluster setting.
    expect(orders.publiclyAccessible).toEqual(absent(DEFAULTS.clusterPubliclyAccessible));
    const metrics = cluster("us-east-1", "metrics");
    expect(metrics.preferredBackupWindow).toEqual(fromClusters("01:00-01:30"));
    expect(metrics.preferredMaintenanceWindow).toEqual(fromClusters("wed:02:00-wed:02:30"));
    expect(metrics.autoMinorVersionUpgrade).toEqual(fromClusters(false));
    expect(metrics.publiclyAccessible).toEqual(fromClusters(false));
  });

  it("records an instance without the fields as absent, with the template scanner's defaults and sources", () => {
    const sydney = instance("ap-southeast-2", "sydney-pg");
    expect(sydney.preferredBackupWindow).toEqual(absent(DEFAULTS.preferredBackupWindow));
    expect(sydney.preferredMaintenanceWindow).toEqual(absent(DEFAULTS.preferredMaintenanceWindow));
    expect(sydney.publiclyAccessible).toEqual(absent(DEFAULTS.instancePubliclyAccessible));
    expect(sydney.autoMinorVersionUpgrade).toEqual(absent(DEFAULTS.instanceAutoMinorVersionUpgrade));
    expect(sydney.autoMinorVersionUpgrade).toMatchObject({ default: true });
    expect(sydney.preferredBackupWindow.state === "absent" && "default" in sydney.preferredBackupWindow).toBe(true);
  });

  it("records a cluster answer without AutoMinorVersionUpgrade as absent, default true", () => {
    expect(cluster("us-east-1", "legacy").autoMinorVersionUpgrade).toEqual(
      absent(DEFAULTS.clusterAutoMinorVersionUpgrade),
    );
  });
});
