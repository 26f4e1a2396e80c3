import { describe, expect, it } from "vitest";
import { INSTANCE_CLASS_TABLE, parseInstanceClass } from "../../src/rules/data/instance-classes.js";
import { rule as engineVersion } from "../../src/rules/engine-version.js";
import { rule } from "../../src/rules/instance-class.js";
import {
  at,
  cluster,
  fromParamDefault,
  fromUserParam,
  ifCond,
  importValue,
  instance,
  known,
  member,
  model,
  run,
  unknown,
  verdicts,
} from "./build-model.js";

const C = "DBInstanceClass";

describe("instance-class: instances", () => {
  it("passes a current class and fails a retired one, at the value", () => {
    expect(run(rule, model([instance("Db", { dbInstanceClass: known("db.r7g.large", at(5, 24)) })]), "Db")).toEqual([
      {
        verdict: "pass",
        property: C,
        loc: at(5, 24),
        message: "DBInstanceClass is db.r7g.large (literal): a current class for RDS for PostgreSQL",
      },
    ]);
    const [r] = run(rule, model([instance("Db", { dbInstanceClass: known("db.m3.large") })]), "Db");
    expect(r?.verdict).toBe("fail");
    expect(r?.message).toContain("end of life for RDS for PostgreSQL");
  });

  it("fails burstable classes only where the profile forbids them", () => {
    const db = instance("Db", { dbInstanceClass: known("db.t4g.medium") });
    expect(run(rule, model([db]), "Db")[0]).toMatchObject({
      verdict: "pass",
      message:
        "DBInstanceClass is db.t4g.medium (literal): a current class for RDS for PostgreSQL (burstable, allowed by this profile)",
    });
    expect(run(rule, model([db]), "Db", { allowBurstable: false })[0]?.message).toContain("parameter allowBurstable");
  });

  it("knows Aurora MySQL 3 dropped db.t2 and db.r4, and limits db.t3 sizes", () => {
    const c = cluster("Cluster", { engine: known("aurora-mysql"), engineVersion: known("8.0.mysql_aurora.3.08.0") });
    const t2 = member("A", "Cluster", { engine: known("aurora-mysql"), dbInstanceClass: known("db.t2.medium") });
    const r4 = member("B", "Cluster", { engine: known("aurora-mysql"), dbInstanceClass: known("db.r4.large") });
    const small = member("C", "Cluster", { engine: known("aurora-mysql"), dbInstanceClass: known("db.t3.small") });
    const ok = member("D", "Cluster", { engine: known("aurora-mysql"), dbInstanceClass: known("db.r6g.large") });
    const mdl = model([c, t2, r4, small, ok]);
    expect(run(rule, mdl, "A")[0]?.message).toContain("not offered for Aurora MySQL version 3");
    expect(verdicts(run(rule, mdl, "B"))).toEqual([`${C}:fail`]);
    expect(run(rule, mdl, "C")[0]?.message).toContain("only in sizes medium, large");
    expect(verdicts(run(rule, mdl, "D"))).toEqual([`${C}:pass`]);
    // Aurora MySQL 2 still offers db.t3.small.
    c.engineVersion = known("5.7.mysql_aurora.2.12.0");
    expect(verdicts(run(rule, mdl, "C"))).toEqual([`${C}:pass`]);
  });

  it("is unknown when support depends on an unknown Aurora MySQL version", () => {
    const c = cluster("Cluster", { engine: known("aurora-mysql"), engineVersion: importValue("ver") });
    const m = member("A", "Cluster", { engine: known("aurora-mysql"), dbInstanceClass: known("db.t2.medium") });
    expect(verdicts(run(rule, model([c, m]), "A"))).toEqual([`${C}:unknown`]);
  });

  it("fails db.serverless outside Aurora, passes it on an Aurora member", () => {
    expect(verdicts(run(rule, model([instance("Db", { dbInstanceClass: known("db.serverless") })]), "Db"))).toEqual([
      `${C}:fail`,
    ]);
    const c = cluster("Cluster");
    const m = member("W", "Cluster", { dbInstanceClass: known("db.serverless") });
    expect(run(rule, model([c, m]), "W")[0]?.message).toBe(
      "DBInstanceClass is db.serverless (literal): Aurora Serverless v2 for Aurora PostgreSQL; capacity is judged on cluster Cluster",
    );
  });

  it("names parameter origins, the failing condition and imports", () => {
    const a = instance("A", { dbInstanceClass: fromParamDefault("db.t3.micro", "InstanceType") });
    expect(run(rule, model([a]), "A", { allowBurstable: false })[0]?.message).toContain(
      "DBInstanceClass is db.t3.micro (default of parameter InstanceType)",
    );
    const b = instance("B", { dbInstanceClass: fromUserParam("db.r6i.xlarge", "InstanceType") });
    expect(verdicts(run(rule, model([b]), "B"))).toEqual([`${C}:pass`]);
    const c = instance("C", { dbInstanceClass: ifCond("IsProd", known("db.r6g.large"), known("db.t3.micro")) });
    expect(verdicts(run(rule, model([c]), "C", { allowBurstable: false }))).toEqual([`${C}:fail when IsProd=false`]);
    const d = instance("D", { dbInstanceClass: unknown("parameter InstanceType has no default and no value") });
    expect(verdicts(run(rule, model([d]), "D"))).toEqual([`${C}:unknown`]);
  });

  it("says unknown for a family it does not list, rather than failing", () => {
    const [r] = run(rule, model([instance("Db", { dbInstanceClass: known("db.r99g.large") })]), "Db");
    expect(r?.verdict).toBe("unknown");
    expect(r?.message).toContain("not in rdsguard's instance class table");
  });

  it("knows Oracle and SQL Server do not run on Graviton, and SQL Server retired db.m4", () => {
    const ora = instance("Ora", { engine: known("oracle-se2"), dbInstanceClass: known("db.r6g.large") });
    expect(verdicts(run(rule, model([ora]), "Ora"))).toEqual([`${C}:fail`]);
    const sql = instance("Sql", { engine: known("sqlserver-se"), dbInstanceClass: known("db.m4.large") });
    expect(run(rule, model([sql]), "Sql")[0]?.message).toContain("since 2024-06-01");
  });

  it("judges read replicas and snapshot restores on their own class", () => {
    const replica = instance("R", { role: "read-replica", dbInstanceClass: known("db.r3.large") });
    const restored = instance("S", { snapshotIdentifier: known("snap"), dbInstanceClass: known("db.m7g.large") });
    const mdl = model([replica, restored]);
    expect(verdicts(run(rule, mdl, "R"))).toEqual([`${C}:fail`]);
    expect(verdicts(run(rule, mdl, "S"))).toEqual([`${C}:pass`]);
  });
});

describe("instance-class: clusters", () => {
  it("fails Aurora Serverless v1 (end of life 2025-03-31)", () => {
    const c = cluster("V1", { engine: known("aurora-mysql"), engineMode: known("serverless", at(7, 19)) });
    expect(run(rule, model([c]), "V1")[0]).toMatchObject({ verdict: "fail", property: "EngineMode", loc: at(7, 19) });
    expect(run(rule, model([c]), "V1")[0]?.message).toContain("end of life on 2025-03-31");
  });

  it("needs a Serverless v2 capacity range when members use db.serverless", () => {
    const c = cluster("Cluster", { loc: at(3, 3) });
    const m = member("W", "Cluster", { dbInstanceClass: known("db.serverless") });
    expect(run(rule, model([c, m]), "Cluster")).toEqual([
      {
        verdict: "fail",
        property: "ServerlessV2ScalingConfiguration",
        loc: at(3, 3),
        message:
          "ServerlessV2ScalingConfiguration is not set, but W uses db.serverless: a cluster needs a capacity range before it can host Aurora Serverless v2 instances",
      },
    ]);
  });

  it("checks capacity bounds", () => {
    const judge = (min: number, max: number, version?: string) => {
      const c = cluster("Cluster", {
        serverlessV2MinCapacity: known(min, at(10, 22)),
        serverlessV2MaxCapacity: known(max, at(11, 22)),
        ...(version ? { engineVersion: known(version) } : {}),
      });
      return run(rule, model([c, member("W", "Cluster", { dbInstanceClass: known("db.serverless") })]), "Cluster")[0];
    };
    expect(judge(0.5, 16)?.verdict).toBe("pass");
    expect(judge(8, 4)?.message).toContain("MinCapacity is larger than MaxCapacity");
    expect(judge(0.5, 300)?.verdict).toBe("fail");
    expect(judge(0.5, 1)?.message).toContain("policy floor of 2 ACU");
    expect(judge(0.25, 4)?.verdict).toBe("fail");
    expect(judge(0, 8)?.verdict).toBe("unknown");
    expect(judge(0, 8, "16.4")?.verdict).toBe("pass");
    expect(judge(0, 8, "16.1")?.message).toContain("needs Aurora PostgreSQL 16.3 or higher");
  });

  it("judges a Multi-AZ DB cluster's class on the cluster; a provisioned Aurora cluster defers to its instances", () => {
    const maz = cluster("Maz", { engine: known("postgres"), dbClusterInstanceClass: known("db.m6gd.large") });
    expect(verdicts(run(rule, model([maz]), "Maz"))).toEqual(["DBClusterInstanceClass:pass"]);
    expect(verdicts(run(rule, model([cluster("Aurora")]), "Aurora"))).toEqual(["-:not-applicable"]);
  });

  it("judges only the class on a retired engine: Aurora MySQL version 1's lifecycle is engine-version's", () => {
    const c = cluster("Old", { engine: known("aurora"), engineVersion: known("5.6.10a") });
    const m = member("W", "Old", { engine: known("aurora"), dbInstanceClass: known("db.r5.large") });
    const [r] = run(rule, model([c, m]), "W");
    expect(r).toMatchObject({ verdict: "unknown", property: "DBInstanceClass" });
    expect(r?.message).toContain("Aurora MySQL version 1");
    expect(run(engineVersion, model([c, m]), "Old")[0]).toMatchObject({ verdict: "fail", property: "EngineVersion" });
  });

  it("does not judge engine lifecycles: RDS for PostgreSQL 10 passes on its class here and fails engine-version", () => {
    const pg10 = instance("Pg10", {
      engine: known("postgres"),
      engineVersion: known("10.21"),
      dbInstanceClass: known("db.m5.large"),
    });
    expect(verdicts(run(rule, model([pg10]), "Pg10"))).toEqual(["DBInstanceClass:pass"]);
    expect(verdicts(run(engineVersion, model([pg10]), "Pg10"))).toEqual(["EngineVersion:fail"]);
  });
});

describe("instance class table", () => {
  it("parses class names", () => {
    expect(parseInstanceClass("db.r6g.2xlarge")).toEqual({ family: "r6g", size: "2xlarge" });
    expect(parseInstanceClass("db.serverless")).toEqual({ family: "serverless" });
    expect(parseInstanceClass("r6g.large")).toBeUndefined();
  });

  it("does not offer Graviton classes to Db2", () => {
    expect(INSTANCE_CLASS_TABLE.db2.r6g?.status).toBe("unsupported");
  });
});

describe("instance-class: class names, sizes and data", () => {
  it("fails a malformed class with a message that says what RDS expects", () => {
    const [r] = run(rule, model([instance("Db", { dbInstanceClass: known("r6g.large", at(5, 24)) })]), "Db");
    expect(r).toMatchObject({ verdict: "fail", loc: at(5, 24) });
    expect(r?.message).toBe(
      "DBInstanceClass is r6g.large (literal): not a DB instance class name; RDS expects db.<family>.<size> (for example db.r6g.large) or db.serverless, starting with db.",
    );
  });

  it("says unknown, not fail, for a size it does not know", () => {
    const [r] = run(rule, model([instance("Db", { dbInstanceClass: known("db.r6g.huge") })]), "Db");
    expect(r?.verdict).toBe("unknown");
    expect(r?.message).toContain("size huge is not one rdsguard knows");
    expect(verdicts(run(rule, model([instance("Db", { dbInstanceClass: known("db.m7i.metal-24xl") })]), "Db"))).toEqual(
      [`${C}:pass`],
    );
  });

  it("accepts RDS for Oracle preconfigured memory classes, and only for Oracle", () => {
    const ora = instance("Ora", { engine: known("oracle-ee"), dbInstanceClass: known("db.r5b.4xlarge.tpc2.mem2x") });
    expect(verdicts(run(rule, model([ora]), "Ora"))).toEqual([`${C}:pass`]);
    expect(parseInstanceClass("db.r5b.4xlarge.tpc2.mem2x")).toEqual({
      family: "r5b",
      size: "4xlarge",
      oracleVariant: "tpc2.mem2x",
    });
    const pg = instance("Pg", { dbInstanceClass: known("db.r5.4xlarge.tpc2.mem2x") });
    expect(run(rule, model([pg]), "Pg")[0]?.message).toContain("offered only by RDS for Oracle");
  });

  it("does not pass families Aurora MySQL version 2 never documented; knows db.x2g and the new db.r9g", () => {
    const v2 = cluster("Cluster", { engine: known("aurora-mysql"), engineVersion: known("5.7.mysql_aurora.2.12.4") });
    const r7g = member("A", "Cluster", { engine: known("aurora-mysql"), dbInstanceClass: known("db.r7g.large") });
    const x2g = member("B", "Cluster", { engine: known("aurora-mysql"), dbInstanceClass: known("db.x2g.large") });
    const mdl = model([v2, r7g, x2g]);
    expect(verdicts(run(rule, mdl, "A"))).toEqual([`${C}:unknown`]);
    expect(verdicts(run(rule, mdl, "B"))).toEqual([`${C}:pass`]);
    const apg = cluster("Pg");
    const r9g = member("C", "Pg", { dbInstanceClass: known("db.r9g.2xlarge") });
    expect(verdicts(run(rule, model([apg, r9g]), "C"))).toEqual([`${C}:pass`]);
  });

  it("fails the deprecated generations (db.m1/m2/m3/m4, db.r3/r4, db.t1/t2) on RDS", () => {
    for (const cls of ["db.m1.small", "db.m2.xlarge", "db.m3.large", "db.m4.large", "db.r3.large", "db.r4.large"]) {
      expect(verdicts(run(rule, model([instance("Db", { dbInstanceClass: known(cls) })]), "Db")), cls).toEqual([
        `${C}:fail`,
      ]);
    }
    for (const cls of ["db.t1.micro", "db.t2.micro"]) {
      expect(verdicts(run(rule, model([instance("Db", { dbInstanceClass: known(cls) })]), "Db")), cls).toEqual([
        `${C}:fail`,
      ]);
    }
  });
});

describe("instance-class: Serverless v2 capacity, per alternative", () => {
  it("fails a missing capacity range only under the condition that makes a member db.serverless", () => {
    const c = cluster("Cluster", { loc: at(3, 3) });
    const m = member("W", "Cluster", {
      dbInstanceClass: ifCond("UseServerless", known("db.serverless"), known("db.r6g.large")),
    });
    const [r] = run(rule, model([c, m]), "Cluster");
    expect(r).toMatchObject({
      verdict: "fail",
      when: "UseServerless=true",
      property: "ServerlessV2ScalingConfiguration",
    });
  });

  it("counts a db.serverless member only where its own Condition creates it", () => {
    const c = cluster("Cluster");
    const m = member("W", "Cluster", {
      condition: { name: "WithServerless", value: "unknown" },
      dbInstanceClass: known("db.serverless"),
    });
    expect(verdicts(run(rule, model([c, m]), "Cluster"))).toEqual([
      "ServerlessV2ScalingConfiguration:fail when WithServerless=true",
    ]);
  });

  it("fails a MaxCapacity below 1 ACU whatever the policy floor", () => {
    const c = cluster("Cluster", {
      serverlessV2MinCapacity: known(0.5, at(10, 22)),
      serverlessV2MaxCapacity: known(0.5, at(11, 22)),
    });
    const m = member("W", "Cluster", { dbInstanceClass: known("db.serverless") });
    const [r] = run(rule, model([c, m]), "Cluster", { minServerlessV2MaxCapacity: 0 });
    expect(r).toMatchObject({ verdict: "fail", loc: at(11, 22) });
    expect(r?.message).toContain("MaxCapacity is at least 1 ACU");
  });
});
