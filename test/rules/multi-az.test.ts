import { describe, expect, it } from "vitest";
import { rule } from "../../src/rules/multi-az.js";
import {
  absent,
  at,
  cluster,
  fromParamDefault,
  fromUserParam,
  ifCond,
  importValue,
  instance,
  known,
  live,
  member,
  model,
  run,
  verdicts,
} from "./build-model.js";

describe("multi-az: standalone instances", () => {
  it("fails without MultiAZ (AWS default false) and passes with it", () => {
    const db = instance("Db", { multiAZ: absent(false, "single-AZ by default", at(2, 3)) });
    expect(run(rule, model([db]), "Db")).toEqual([
      {
        verdict: "fail",
        property: "MultiAZ",
        loc: at(2, 3),
        message: "MultiAZ is not set: AWS default false (single-AZ by default): a single-AZ instance",
      },
    ]);
    db.multiAZ = known(true, at(6, 16));
    expect(verdicts(run(rule, model([db]), "Db"))).toEqual(["MultiAZ:pass"]);
  });

  it("names parameter origins, conditions and imports", () => {
    const a = instance("A", { multiAZ: fromParamDefault(false, "MultiAz") });
    expect(run(rule, model([a]), "A")[0]?.message).toBe(
      "MultiAZ is false (default of parameter MultiAz): a single-AZ instance",
    );
    expect(verdicts(run(rule, model([instance("B", { multiAZ: fromUserParam(true, "MultiAz") })]), "B"))).toEqual([
      "MultiAZ:pass",
    ]);
    const c = instance("C", { multiAZ: ifCond("IsProd", known(true), known(false)) });
    expect(verdicts(run(rule, model([c]), "C"))).toEqual(["MultiAZ:fail when IsProd=false"]);
    expect(verdicts(run(rule, model([instance("D", { multiAZ: importValue("maz") })]), "D"))).toEqual([
      "MultiAZ:unknown",
    ]);
  });

  it("does not judge read replicas; judges snapshot restores", () => {
    const replica = instance("Replica", { role: "read-replica", sourceDbInstanceIdentifier: known("prod") });
    const restored = instance("Restored", { snapshotIdentifier: known("snap"), multiAZ: known(true) });
    const mdl = model([replica, restored]);
    expect(verdicts(run(rule, mdl, "Replica"))).toEqual(["MultiAZ:not-applicable"]);
    expect(verdicts(run(rule, mdl, "Restored"))).toEqual(["MultiAZ:pass"]);
  });
});

describe("multi-az: Aurora clusters count their instances", () => {
  it("passes two instances, fails one, and does not judge members", () => {
    const c = cluster("Cluster", { loc: at(3, 3) });
    const w = member("Writer", "Cluster");
    const r = member("Reader", "Cluster");
    expect(run(rule, model([c, w, r]), "Cluster")).toEqual([
      {
        verdict: "pass",
        property: "DBClusterMembers",
        loc: at(3, 3),
        message:
          "the cluster has 2 DB instances (Writer, Reader), not all pinned to an AvailabilityZone, so RDS can place them in different AZs",
      },
    ]);
    const c1 = cluster("Cluster", { loc: at(3, 3) });
    const [one] = run(rule, model([c1, member("Writer", "Cluster")]), "Cluster");
    expect(one?.verdict).toBe("fail");
    expect(one?.message).toBe(
      "the cluster has 1 DB instance (Writer): add a reader in another AZ so the cluster can fail over",
    );
    expect(verdicts(run(rule, model([c, w, r]), "Writer"))).toEqual(["MultiAZ:not-applicable"]);
  });

  it("fails instances pinned to one AZ and passes different AZs", () => {
    const c = cluster("Cluster");
    const w = member("Writer", "Cluster", { availabilityZone: known("eu-west-1a", at(20, 25)) });
    const r = member("Reader", "Cluster", { availabilityZone: known("eu-west-1a", at(27, 25)) });
    expect(run(rule, model([c, w, r]), "Cluster")[0]).toMatchObject({
      verdict: "fail",
      property: "AvailabilityZone",
      loc: at(27, 25),
    });
    r.availabilityZone = known("eu-west-1b");
    expect(run(rule, model([cluster("Cluster"), w, r]), "Cluster")[0]).toMatchObject({
      verdict: "pass",
      message: "the cluster has 2 DB instances (Writer, Reader), in AZs eu-west-1a, eu-west-1b",
    });
  });

  it("is unknown when a template has no instances of the cluster (they may be in another stack)", () => {
    expect(verdicts(run(rule, model([cluster("Cluster")]), "Cluster"))).toEqual(["DBClusterMembers:unknown"]);
  });

  it("counts a conditional reader only under its condition", () => {
    const c = cluster("Cluster");
    const w = member("Writer", "Cluster");
    const r = member("Reader", "Cluster", { condition: { name: "IsProd", value: "unknown" } });
    const [res] = run(rule, model([c, w, r]), "Cluster");
    expect(res?.verdict).toBe("fail");
    expect(res?.when).toBe("IsProd=false");
  });

  it("fails Aurora Serverless v1 (one instance in one AZ), with the reason; passes Multi-AZ DB clusters by design", () => {
    const v1 = cluster("V1", { engine: known("aurora-mysql"), engineMode: known("serverless", at(6, 19)) });
    expect(run(rule, model([v1]), "V1")[0]).toMatchObject({
      verdict: "fail",
      property: "EngineMode",
      loc: at(6, 19),
      message: expect.stringContaining("an Aurora Serverless v1 cluster is a single DB instance in a single AZ"),
    });
    const maz = cluster("Maz", { engine: known("mysql"), dbClusterInstanceClass: known("db.m6gd.large") });
    expect(verdicts(run(rule, model([maz]), "Maz"))).toEqual(["DBClusterInstanceClass:pass"]);
  });

  it("judges a headless cluster (its members switched off by a false Condition) as one, not as members elsewhere", () => {
    const headless = cluster("Secondary", { switchedOffMemberIds: ["SecondaryWriter", "SecondaryReader"] });
    expect(run(rule, model([headless]), "Secondary")[0]).toMatchObject({
      verdict: "fail",
      property: "DBClusterMembers",
      message: expect.stringContaining(
        "a headless cluster: its DB instances in this template (SecondaryWriter, SecondaryReader) are not created under these conditions",
      ),
    });
    // Without any member in the template it stays unknown: they may be in another stack.
    expect(verdicts(run(rule, model([cluster("Bare")]), "Bare"))).toEqual(["DBClusterMembers:unknown"]);
  });

  it("uses the live MultiAZ flag, and fails a live cluster with no instances", () => {
    const single = cluster("arn:c", { multiAZ: live(false) });
    expect(verdicts(run(rule, model([single], { source: "live" }), "arn:c"))).toEqual(["MultiAZ:fail"]);
    const empty = cluster("arn:e");
    expect(verdicts(run(rule, model([empty], { source: "live" }), "arn:e"))).toEqual(["DBClusterMembers:fail"]);
  });
});

describe("multi-az: every alternative of member placement is judged", () => {
  it("fails when an Fn::If on a reader's AvailabilityZone puts it in the writer's AZ, naming that condition", () => {
    const c = cluster("Cluster", { loc: at(3, 3) });
    const w = member("Writer", "Cluster", { availabilityZone: known("eu-west-1a", at(20, 25)) });
    const r = member("Reader", "Cluster", {
      availabilityZone: ifCond("SameAz", known("eu-west-1a", at(28, 9)), known("eu-west-1b", at(29, 9)), at(27, 25)),
    });
    const [res] = run(rule, model([c, w, r]), "Cluster");
    expect(res).toMatchObject({ verdict: "fail", when: "SameAz=true", property: "AvailabilityZone", loc: at(28, 9) });
    expect(res?.message).toContain("are all pinned to AvailabilityZone eu-west-1a");
  });

  it("is unknown when a pinned writer meets a reader whose AZ cannot be known", () => {
    const c = cluster("Cluster");
    const w = member("Writer", "Cluster", { availabilityZone: known("eu-west-1a") });
    const r = member("Reader", "Cluster", { availabilityZone: importValue("reader-az", at(27, 25)) });
    const [res] = run(rule, model([c, w, r]), "Cluster");
    expect(res).toMatchObject({ verdict: "unknown", property: "AvailabilityZone", loc: at(27, 25) });
    expect(res?.message).toContain("whether they share one AZ cannot be told");
  });

  it("combines a conditional reader with its conditional AZ", () => {
    const c = cluster("Cluster");
    const w = member("Writer", "Cluster", { availabilityZone: known("eu-west-1a") });
    const r = member("Reader", "Cluster", {
      condition: { name: "IsProd", value: "unknown" },
      availabilityZone: known("eu-west-1b"),
    });
    expect(verdicts(run(rule, model([c, w, r]), "Cluster"))).toEqual(["DBClusterMembers:fail when IsProd=false"]);
  });

  it("is unknown for MultiAZ absent without a recorded default (no default of its own)", () => {
    const db = instance("Db", { multiAZ: absent(undefined, "DescribeDBInstances returned no MultiAZ") });
    expect(verdicts(run(rule, model([db]), "Db"))).toEqual(["MultiAZ:unknown"]);
  });
});
