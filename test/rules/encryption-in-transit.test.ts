import { describe, expect, it } from "vitest";
import type { Attr, ParameterGroup } from "../../src/model/types.js";
import { rule } from "../../src/rules/encryption-in-transit.js";
import {
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

const DB = "DBParameterGroupName";
const CLUSTER = "DBClusterParameterGroupName";

function group(
  id: string,
  scope: ParameterGroup["scope"],
  parameters: Record<string, Attr<string>>,
  extra: Partial<ParameterGroup> = {},
): ParameterGroup {
  return { id, scope, name: id, family: known("x"), parameters, loc: at(3, 3), ...extra };
}

const ref = (id: string, loc = at(12, 7)) => ({ ...known(`${id} (resource attribute)`, loc), refersTo: id });
const groups = (...list: ParameterGroup[]) => ({ parameterGroups: new Map(list.map((g) => [g.id, g])) });

describe("encryption-in-transit", () => {
  it("passes a template DB parameter group that sets rds.force_ssl 1, at the parameter", () => {
    const g = group("Tls", "db", { "rds.force_ssl": known("1", at(8, 24)) });
    const db = instance("Db", {
      engine: known("postgres"),
      engineVersion: known("14.12"),
      dbParameterGroupName: ref("Tls"),
    });
    expect(run(rule, model([db], groups(g)), "Db")).toEqual([
      {
        verdict: "pass",
        property: DB,
        loc: at(8, 24),
        message:
          "DBParameterGroupName names Tls (AWS::RDS::DBParameterGroup in this template); rds.force_ssl is 1 (literal): connections must use TLS",
      },
    ]);
  });

  it("fails a group that sets it to 0, and a MySQL group with require_secure_transport OFF", () => {
    const pg = group("Pg", "db", { "rds.force_ssl": known("0", at(8, 24)) });
    const my = group("My", "db", { require_secure_transport: known("OFF", at(9, 35)) });
    const a = instance("A", { dbParameterGroupName: ref("Pg") });
    const b = instance("B", {
      engine: known("mysql"),
      engineVersion: known("8.0.39"),
      dbParameterGroupName: ref("My"),
    });
    const m = model([a, b], groups(pg, my));
    expect(run(rule, m, "A")[0]).toMatchObject({ verdict: "fail", loc: at(8, 24) });
    expect(run(rule, m, "B")[0]?.message).toBe(
      "DBParameterGroupName names My (AWS::RDS::DBParameterGroup in this template); require_secure_transport is OFF (literal): connections without TLS are accepted; set require_secure_transport to ON",
    );
  });

  it("keeps the engine default: RDS for PostgreSQL 15 and later force TLS, 14 and older and MySQL do not", () => {
    const pg16 = instance("Pg16", { engine: known("postgres"), engineVersion: known("16.4") });
    const pg14 = instance("Pg14", { engine: known("postgres"), engineVersion: known("14.12") });
    const my = instance("My", { engine: known("mysql"), engineVersion: known("8.0.39") });
    const m = model([pg16, pg14, my]);
    expect(run(rule, m, "Pg16")[0]).toMatchObject({
      verdict: "pass",
      message: expect.stringContaining("rds.force_ssl is not set: the engine default 1 applies (RDS User Guide"),
    });
    expect(verdicts(run(rule, m, "Pg14"))).toEqual([`${DB}:fail`]);
    expect(verdicts(run(rule, m, "My"))).toEqual([`${DB}:fail`]);
    // A group that leaves the parameter out keeps the default too.
    const other = group("Other", "db", { log_min_duration_statement: known("500") });
    const withGroup = instance("G", {
      engine: known("postgres"),
      engineVersion: known("16.4"),
      dbParameterGroupName: ref("Other"),
    });
    expect(verdicts(run(rule, model([withGroup], groups(other)), "G"))).toEqual([`${DB}:pass`]);
  });

  it("judges Aurora and Multi-AZ DB clusters by the DB cluster parameter group; members are not applicable", () => {
    const g = group("ClusterTls", "cluster", { "rds.force_ssl": known("1") });
    const c = cluster("Cluster", { dbClusterParameterGroupName: ref("ClusterTls") });
    const w = member("Writer", "Cluster");
    const m = model([c, w], groups(g));
    expect(verdicts(run(rule, m, "Cluster"))).toEqual([`${CLUSTER}:pass`]);
    expect(verdicts(run(rule, m, "Writer"))).toEqual([`${CLUSTER}:not-applicable`]);
    // Aurora PostgreSQL's default cluster group leaves rds.force_ssl at 0; Aurora MySQL's require_secure_transport OFF.
    expect(verdicts(run(rule, model([cluster("Plain")]), "Plain"))).toEqual([`${CLUSTER}:fail`]);
    const mysql = cluster("My", { engine: known("aurora-mysql"), engineVersion: known("8.0.mysql_aurora.3.05.2") });
    expect(run(rule, model([mysql]), "My")[0]?.message).toContain(
      "require_secure_transport is not set: the engine default OFF",
    );
    const maz = cluster("Maz", {
      engine: known("postgres"),
      engineVersion: known("16.3"),
      dbClusterInstanceClass: known("db.m6gd.large"),
    });
    expect(verdicts(run(rule, model([maz]), "Maz"))).toEqual([`${CLUSTER}:pass`]);
  });

  it("judges a read replica by its own group and its source's version", () => {
    const src = instance("Src", { engine: known("postgres"), engineVersion: known("16.4") });
    const replica = instance("Replica", { role: "read-replica", engine: known("postgres"), sourceId: "Src" });
    expect(verdicts(run(rule, model([src, replica]), "Replica"))).toEqual([`${DB}:pass`]);
  });

  it("is unknown for a group defined outside the template, with the reason; an AWS default.* group keeps the defaults", () => {
    const external = instance("Ext", { dbParameterGroupName: known("shared-pg16", at(9, 29)) });
    expect(run(rule, model([external]), "Ext")[0]).toEqual({
      verdict: "unknown",
      property: DB,
      loc: at(9, 29),
      message:
        "DBParameterGroupName is shared-pg16 (literal): the group is not defined in this template, so its parameters cannot be read (define it here, or audit the live account)",
    });
    const dflt = instance("Dflt", {
      engine: known("postgres"),
      engineVersion: known("16.4"),
      dbParameterGroupName: known("default.postgres16"),
    });
    expect(verdicts(run(rule, model([dflt]), "Dflt"))).toEqual([`${DB}:pass`]);
    const imported = instance("Imp", { dbParameterGroupName: importValue("PgGroup", at(9, 29)) });
    expect(verdicts(run(rule, model([imported]), "Imp"))).toEqual([`${DB}:unknown`]);
  });

  it("follows conditions: an Fn::If inside Parameters, and a group chosen by Fn::If", () => {
    const g = group("Tls", "db", {
      "rds.force_ssl": ifCond("Strict", known("1", at(8, 40)), known("0", at(8, 50)), at(8, 24)),
    });
    const db = instance("Db", { dbParameterGroupName: ref("Tls") });
    const [r] = run(rule, model([db], groups(g)), "Db");
    expect(r).toMatchObject({ verdict: "fail", when: "Strict=false", loc: at(8, 50) });
    const chosen = instance("Chosen", {
      engine: known("postgres"),
      engineVersion: known("14.12"),
      dbParameterGroupName: ifCond("Prod", ref("Tls2"), { state: "absent", default: undefined, defaultSource: "x" }),
    });
    const tls2 = group("Tls2", "db", { "rds.force_ssl": known("1") });
    expect(verdicts(run(rule, model([chosen], groups(tls2)), "Chosen"))).toEqual([`${DB}:fail when Prod=false`]);
  });

  it("a group whose Parameters cannot be read, or a version whose default is unknown, is unknown", () => {
    const g = group(
      "Dyn",
      "db",
      {},
      { parametersUnknown: "Parameters is built by Fn::If, so its entries cannot be read" },
    );
    const db = instance("Db", { dbParameterGroupName: ref("Dyn") });
    expect(run(rule, model([db], groups(g)), "Db")[0]?.message).toBe(
      "DBParameterGroupName names Dyn (AWS::RDS::DBParameterGroup in this template): Parameters is built by Fn::If, so its entries cannot be read",
    );
    const v = instance("V", { engine: known("postgres"), engineVersion: importValue("PgVersion") });
    expect(verdicts(run(rule, model([v]), "V"))).toEqual([`${DB}:unknown`]);
  });

  it("Oracle (option groups) and Db2 are unknown, saying why", () => {
    const ora = instance("Ora", { engine: known("oracle-ee") });
    expect(run(rule, model([ora]), "Ora")[0]).toMatchObject({
      verdict: "unknown",
      message: expect.stringContaining("SSL option of an option group"),
    });
  });

  it("live: reads the group the API names; default groups keep the defaults; an unread group is unknown", () => {
    const key = "db:reports-params";
    const g: ParameterGroup = {
      id: key,
      scope: "db",
      name: "reports-params",
      family: known("postgres15"),
      parameters: { "rds.force_ssl": live("0", "DescribeDBParameters") },
    };
    const db = instance("Db", {
      engine: live("postgres", "DescribeDBInstances"),
      engineVersion: live("15.7", "DescribeDBInstances"),
      dbParameterGroupName: { ...live("reports-params", "DescribeDBInstances"), refersTo: key },
    });
    const m = model([db], { source: "live", ...groups(g) });
    expect(run(rule, m, "Db")[0]?.message).toBe(
      "DBParameterGroupName is reports-params (live, DescribeDBInstances); rds.force_ssl is 0 (live, DescribeDBParameters): connections without TLS are accepted; set rds.force_ssl to 1",
    );
    const missing = instance("Missing", {
      dbParameterGroupName: { ...live("gone", "DescribeDBInstances"), refersTo: "db:gone" },
    });
    expect(verdicts(run(rule, model([missing], { source: "live" }), "Missing"))).toEqual([`${DB}:unknown`]);
  });
});
