import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/model/defaults.js";
import { rule } from "../../src/rules/public-access.js";
import {
  absent,
  at,
  cluster,
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

const P = "PubliclyAccessible";
const noSubnetGroup = absent<string>(DEFAULTS.dbSubnetGroupName.value, DEFAULTS.dbSubnetGroupName.source);

describe("public-access", () => {
  it("fails PubliclyAccessible true and passes false, at the value", () => {
    const pub = instance("Pub", { publiclyAccessible: known(true, at(9, 27)) });
    const priv = instance("Priv", { publiclyAccessible: known(false, at(9, 27)) });
    const m = model([pub, priv]);
    expect(run(rule, m, "Pub")).toEqual([
      {
        verdict: "fail",
        property: P,
        loc: at(9, 27),
        message:
          "PubliclyAccessible is true (literal): the DB instance has a public IP address and only its security group keeps the internet out",
      },
    ]);
    expect(verdicts(run(rule, m, "Priv"))).toEqual([`${P}:pass`]);
  });

  it("absent without a DB subnet group: the default VPC has an internet gateway, so it is public (fail)", () => {
    const db = instance("Db", { dbSubnetGroupName: noSubnetGroup, loc: at(4, 3) });
    const [r] = run(rule, model([db]), "Db");
    expect(r).toMatchObject({ verdict: "fail", property: P, loc: at(4, 3) });
    expect(r?.message).toContain(
      "created in the Region's default VPC, which AWS creates with an internet gateway attached",
    );
  });

  it("absent with a DB subnet group: unknown, since whether its VPC has an internet gateway is not in the template", () => {
    const db = instance("Db", { dbSubnetGroupName: known("private-db", at(7, 26)) });
    expect(run(rule, model([db]), "Db")[0]).toMatchObject({
      verdict: "unknown",
      message: expect.stringContaining(
        "DBSubnetGroupName is private-db (literal): RDS makes the DB instance public if",
      ),
    });
    const imported = instance("Imp", { dbSubnetGroupName: importValue("SubnetGroup") });
    expect(verdicts(run(rule, model([imported]), "Imp"))).toEqual([`${P}:unknown`]);
  });

  it("judges each Aurora member on itself, in its cluster's subnet group; the Aurora cluster is not applicable", () => {
    const c = cluster("Cluster", { dbSubnetGroupName: known("private-db") });
    const pub = member("Writer", "Cluster", { publiclyAccessible: known(true, at(20, 27)) });
    const unset = member("Reader", "Cluster");
    const m = model([c, pub, unset]);
    expect(verdicts(run(rule, m, "Cluster"))).toEqual([`${P}:not-applicable`]);
    expect(verdicts(run(rule, m, "Writer"))).toEqual([`${P}:fail`]);
    // Unset, in the cluster's subnet group: unknown (not the default-VPC fail).
    expect(run(rule, m, "Reader")[0]?.message).toContain("DBSubnetGroupName is private-db");
  });

  it("judges a Multi-AZ DB cluster on itself; its members are not applicable", () => {
    const c = cluster("Maz", {
      engine: known("postgres"),
      dbClusterInstanceClass: known("db.m6gd.large"),
      publiclyAccessible: known(true, at(11, 27)),
    });
    const m1 = instance("M1", { role: "cluster-member", clusterId: "Maz", dbClusterIdentifier: known("Maz") });
    const m = model([c, m1]);
    expect(run(rule, m, "Maz")[0]).toMatchObject({ verdict: "fail", loc: at(11, 27) });
    expect(run(rule, m, "Maz")[0]?.message).toContain("the Multi-AZ DB cluster has a public IP address");
    expect(verdicts(run(rule, m, "M1"))).toEqual([`${P}:not-applicable`]);
  });

  it("judges read replicas on themselves", () => {
    const src = instance("Src", { publiclyAccessible: known(false) });
    const replica = instance("Replica", { role: "read-replica", sourceId: "Src", publiclyAccessible: known(true) });
    expect(verdicts(run(rule, model([src, replica]), "Replica"))).toEqual([`${P}:fail`]);
  });

  it("follows an Fn::If on PubliclyAccessible and the resource's own condition", () => {
    const db = instance("Db", {
      publiclyAccessible: ifCond("IsDemo", known(true, at(9, 40)), known(false, at(9, 46)), at(9, 27)),
    });
    expect(run(rule, model([db]), "Db")[0]).toMatchObject({ verdict: "fail", when: "IsDemo=true", loc: at(9, 40) });
    const conditional = instance("Demo", {
      publiclyAccessible: known(true),
      condition: { name: "IsDemo", value: "unknown" },
    });
    expect(run(rule, model([conditional]), "Demo")[0]?.message).toMatch(/\(only created when IsDemo\)$/);
  });

  it("live: the reported value; a missing one is unknown, never a guess", () => {
    const db = instance("Db", { publiclyAccessible: live(true, "DescribeDBInstances") });
    expect(verdicts(run(rule, model([db], { source: "live" }), "Db"))).toEqual([`${P}:fail`]);
    const missing = instance("Missing", {
      publiclyAccessible: absent(undefined, DEFAULTS.instancePubliclyAccessible.source),
      dbSubnetGroupName: noSubnetGroup,
    });
    expect(verdicts(run(rule, model([missing], { source: "live" }), "Missing"))).toEqual([`${P}:unknown`]);
  });
});
