/**
 * The live scanner maps DescribeDBInstances page by page (100 per page) instead of holding the whole answer: links
 * that point to an instance on a later page (a replica's source, a cluster's members) must come out as they did when
 * every instance was known before mapping, and the model's shared values must not be writable.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbCluster, DbInstance, Model } from "../../src/model/types.js";
import { scanLive } from "../../src/scanners/live/index.js";
import {
  ACCOUNT_A,
  cluster,
  clusterArn,
  dbArn,
  FakeAws,
  fakeCredentials,
  instance,
  largeState,
} from "../support/fake-aws/index.js";

const REGION = "us-east-1";
let fake: FakeAws;
let model: Model;
let requests: string[];

function db(id: string): DbInstance {
  const r = model.resources.get(dbArn(ACCOUNT_A, REGION, id));
  if (r?.kind !== "db-instance") throw new Error(`no instance ${id}`);
  return r;
}

beforeAll(async () => {
  const state = largeState({ instances: 250, clusters: 0, regions: [REGION] });
  const region = state.accounts[0]?.regions[REGION];
  if (!region) throw new Error("no region in the fixture");
  // Page 1 holds a replica of a database on page 3, and a replica of a cluster listed by identifier.
  region.instances.unshift(
    instance(ACCOUNT_A, REGION, "early-replica", {
      Engine: "postgres",
      ReadReplicaSourceDBInstanceIdentifier: "late-source",
    }),
    instance(ACCOUNT_A, REGION, "cluster-replica", {
      Engine: "aurora-postgresql",
      ReadReplicaSourceDBClusterIdentifier: "late-cluster",
    }),
  );
  // Page 3 holds the source and the cluster's two members.
  region.instances.push(
    instance(ACCOUNT_A, REGION, "late-source", { Engine: "postgres" }),
    instance(ACCOUNT_A, REGION, "late-cluster-1", { DBClusterIdentifier: "late-cluster" }),
    instance(ACCOUNT_A, REGION, "late-cluster-2", { DBClusterIdentifier: "late-cluster" }),
  );
  region.clusters.push(
    cluster(ACCOUNT_A, REGION, "late-cluster", {
      members: [
        { id: "late-cluster-1", writer: true },
        { id: "late-cluster-2", writer: false },
      ],
    }),
  );
  fake = new FakeAws(state);
  const endpointUrl = await fake.start();
  const result = await scanLive({
    regions: [REGION],
    concurrency: 2,
    timeoutMs: 5000,
    maxAttempts: 1,
    endpointUrl,
    credentials: fakeCredentials,
    homeRegion: REGION,
  });
  expect(result.errors).toEqual([]);
  model = result.models[0] as Model;
  requests = fake.requests.map((r) => `${r.service}:${r.action}`);
});
afterAll(async () => {
  await fake.stop();
});

describe("live scan over several pages of instances", () => {
  it("reads the instances in three pages and keeps every one, in the answer's order after the clusters", () => {
    expect(requests.filter((r) => r === "rds:DescribeDBInstances")).toHaveLength(3);
    const kinds = [...model.resources.values()].map((r) => r.kind);
    expect(kinds.filter((k) => k === "db-instance")).toHaveLength(255);
    // Clusters first, then instances as listed, then the KMS keys they use.
    expect(kinds[0]).toBe("db-cluster");
    expect(kinds.lastIndexOf("db-instance")).toBeLessThan(kinds.indexOf("kms-key"));
    const instances = [...model.resources.values()].filter((r) => r.kind === "db-instance");
    expect(instances[0]?.name).toBe("early-replica");
    expect(instances.at(-1)?.name).toBe("late-cluster-2");
  });

  it("links a replica on the first page to its source on the last", () => {
    expect(db("early-replica").role).toBe("read-replica");
    expect(db("early-replica").sourceId).toBe(dbArn(ACCOUNT_A, REGION, "late-source"));
    expect(db("cluster-replica").sourceId).toBe(clusterArn(ACCOUNT_A, REGION, "late-cluster"));
  });

  it("gives the cluster its members from the last page, and the members their cluster", () => {
    const c = model.resources.get(clusterArn(ACCOUNT_A, REGION, "late-cluster")) as DbCluster;
    expect(c.memberIds).toEqual([
      dbArn(ACCOUNT_A, REGION, "late-cluster-1"),
      dbArn(ACCOUNT_A, REGION, "late-cluster-2"),
    ]);
    expect(db("late-cluster-1").clusterId).toBe(c.id);
    expect(db("late-cluster-1").role).toBe("aurora-member");
  });

  it("shares the repeated attribute values between resources, frozen so that no rule can change them for all", () => {
    const a = db("late-source");
    const b = db("early-replica");
    expect(a.deletionProtection).toBe(b.deletionProtection);
    expect(a.deletionProtection).toMatchObject({ state: "known", value: false });
    expect(a.snapshotIdentifier).toBe(b.snapshotIdentifier);
    expect(a.engine.state === "known" && b.engine.state === "known" && a.engine.origin === b.engine.origin).toBe(true);
    expect(Object.isFrozen(a.deletionProtection)).toBe(true);
    expect(() => {
      (a.deletionProtection as { value: boolean }).value = true;
    }).toThrow(TypeError);
    expect(b.deletionProtection).toMatchObject({ value: false });
  });

  it("shares a key's or group's link between the databases that name it, still pointing at the key and the group", () => {
    const instances = [...model.resources.values()].filter((r): r is DbInstance => r.kind === "db-instance");
    const byKey = new Map<string, DbInstance[]>();
    for (const i of instances) {
      if (i.kmsKeyId.state === "known") byKey.set(i.kmsKeyId.value, [...(byKey.get(i.kmsKeyId.value) ?? []), i]);
    }
    const [keyArn, users] = [...byKey].find(([, list]) => list.length > 1) ?? [];
    if (!keyArn || !users) throw new Error("the fixture has no key shared by two databases");
    expect(users[1]?.kmsKeyId).toBe(users[0]?.kmsKeyId);
    expect(users[0]?.kmsKeyId).toMatchObject({ state: "known", value: keyArn, refersTo: keyArn });
    expect(model.resources.get(keyArn)?.kind).toBe("kms-key");
    expect(Object.isFrozen(users[0]?.kmsKeyId)).toBe(true);

    const a = db("late-source");
    const b = db("early-replica");
    expect(a.dbParameterGroupName).toBe(b.dbParameterGroupName);
    const group = a.dbParameterGroupName;
    expect(group.state === "known" && group.refersTo).toBe(`db:${group.state === "known" ? group.value : ""}`);
    // Untagged: one frozen empty record, which no rule or plugin can add a tag to for every resource at once.
    expect(a.tags).toBe(b.tags);
    expect(() => {
      (a.tags as Record<string, string>).team = "x";
    }).toThrow(TypeError);
    expect(b.tags).toEqual({});
  });
});
