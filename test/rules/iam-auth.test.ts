import { describe, expect, it } from "vitest";
import { engineSupportsIamAuth, mariadbVersionSupportsIamAuth, rule } from "../../src/rules/iam-auth.js";
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
  member,
  model,
  run,
  verdicts,
} from "./build-model.js";

const P = "EnableIAMDatabaseAuthentication";

describe("iam-auth", () => {
  it("fails a standalone instance without IAM auth (AWS default false), at the resource", () => {
    const db = instance("Db", { iamAuth: absent(false, "IAM mapping off by default", at(2, 3)) });
    expect(run(rule, model([db]), "Db")).toEqual([
      {
        verdict: "fail",
        property: P,
        loc: at(2, 3),
        message: `${P} is not set: AWS default false (IAM mapping off by default)`,
      },
    ]);
  });

  it("passes a standalone instance with IAM auth", () => {
    expect(verdicts(run(rule, model([instance("Db", { iamAuth: known(true) })]), "Db"))).toEqual([`${P}:pass`]);
  });

  it("judges Aurora on the cluster, never on members", () => {
    const c = cluster("Cluster", { iamAuth: known(true, at(9, 40)) });
    const m = member("Writer", "Cluster");
    const mdl = model([c, m]);
    expect(verdicts(run(rule, mdl, "Cluster"))).toEqual([`${P}:pass`]);
    const [r] = run(rule, mdl, "Writer");
    expect(r?.verdict).toBe("not-applicable");
    expect(r?.message).toBe(
      "IAM database authentication of an Aurora cluster member is owned by the cluster: judged on cluster Cluster",
    );
    c.iamAuth = absent(false, "default false");
    expect(verdicts(run(rule, mdl, "Cluster"))).toEqual([`${P}:fail`]);
  });

  it("is not applicable for engines without IAM auth (Oracle, SQL Server, Db2, RDS Custom)", () => {
    for (const engine of ["oracle-ee", "sqlserver-se", "db2-se", "db2-ae", "custom-oracle-ee"]) {
      const [r] = run(rule, model([instance("Db", { engine: known(engine) })]), "Db");
      expect(r?.verdict, engine).toBe("not-applicable");
      expect(r?.message).toBe(`engine ${engine} does not support IAM database authentication`);
    }
    expect(engineSupportsIamAuth("mariadb")).toBe(true);
    expect(engineSupportsIamAuth("aurora")).toBe(true);
  });

  it("is not applicable on Aurora Serverless v1", () => {
    const c = cluster("Cluster", { engine: known("aurora-mysql"), engineMode: known("serverless") });
    expect(verdicts(run(rule, model([c]), "Cluster"))).toEqual([`${P}:not-applicable`]);
  });

  it("judges read replicas on their own setting", () => {
    const replica = instance("Replica", { role: "read-replica", sourceDbInstanceIdentifier: known("prod") });
    expect(verdicts(run(rule, model([replica]), "Replica"))).toEqual([`${P}:fail`]);
  });

  it("judges a snapshot restore like any instance", () => {
    const restored = instance("Db", { snapshotIdentifier: known("snap"), iamAuth: known(true) });
    expect(verdicts(run(rule, model([restored]), "Db"))).toEqual([`${P}:pass`]);
  });

  it("names parameter defaults and user parameters", () => {
    const a = instance("A", { iamAuth: fromParamDefault(false, "UseIam") });
    expect(run(rule, model([a]), "A")[0]?.message).toBe(`${P} is false (default of parameter UseIam)`);
    const b = instance("B", { iamAuth: fromUserParam(true, "UseIam") });
    expect(run(rule, model([b]), "B")[0]).toMatchObject({
      verdict: "pass",
      message: `${P} is true (parameter UseIam as given by you (--parameters or --parameter))`,
    });
  });

  it("names the failing condition of an Fn::If, and the engine condition too", () => {
    const db = instance("Db", { iamAuth: ifCond("IsProd", known(true), known(false)) });
    expect(verdicts(run(rule, model([db]), "Db"))).toEqual([`${P}:fail when IsProd=false`]);
    // Oracle in one branch: not applicable there, fail in the other.
    const mixed = instance("Mixed", { engine: ifCond("UseOracle", known("oracle-ee"), known("postgres")) });
    expect(verdicts(run(rule, model([mixed]), "Mixed"))).toEqual([`${P}:fail when UseOracle=false`]);
  });

  it("is unknown for an imported value, and when the engine cannot be known", () => {
    const db = instance("Db", { iamAuth: importValue("iam-flag") });
    expect(verdicts(run(rule, model([db]), "Db"))).toEqual([`${P}:unknown`]);
    const e = instance("E", { engine: importValue("engine") });
    const [r] = run(rule, model([e]), "E");
    expect(r?.verdict).toBe("unknown");
    expect(r?.message).toContain("whether the engine supports IAM authentication cannot be told");
  });
});

describe("iam-auth: engine versions and unknown engines", () => {
  it("treats RDS for MariaDB before 10.11 as not applicable (IAM auth is not available there)", () => {
    const old = instance("Old", { engine: known("mariadb"), engineVersion: known("10.6.19", at(6, 22)) });
    expect(run(rule, model([old]), "Old")[0]).toMatchObject({
      verdict: "not-applicable",
      loc: at(6, 22),
      message: "EngineVersion is 10.6.19 (literal): RDS for MariaDB offers IAM database authentication from 10.11 on",
    });
    const current = instance("New", { engine: known("mariadb"), engineVersion: known("10.11.9") });
    expect(verdicts(run(rule, model([current]), "New"))).toEqual([`${P}:fail`]);
    const defaulted = instance("Def", { engine: known("mariadb") });
    expect(verdicts(run(rule, model([defaulted]), "Def"))).toEqual([`${P}:fail`]);
    const imported = instance("Imp", { engine: known("mariadb"), engineVersion: importValue("ver") });
    expect(verdicts(run(rule, model([imported]), "Imp"))).toEqual([`${P}:unknown`]);
    expect(mariadbVersionSupportsIamAuth("11.4.3")).toBe(true);
    expect(mariadbVersionSupportsIamAuth("10.5")).toBe(false);
  });

  it("says unknown, not not-applicable, for an engine string it does not know", () => {
    const [r] = run(rule, model([instance("Db", { engine: known("postgresql", at(5, 15)) })]), "Db");
    expect(r).toMatchObject({ verdict: "unknown", loc: at(5, 15) });
    expect(r?.message).toContain("not an engine rdsguard knows");
  });

  it("treats RDS Custom SQL Server like RDS Custom Oracle", () => {
    for (const engine of ["custom-sqlserver-ee", "custom-sqlserver-web", "custom-oracle-ee-cdb"]) {
      expect(verdicts(run(rule, model([instance("Db", { engine: known(engine) })]), "Db")), engine).toEqual([
        `${P}:not-applicable`,
      ]);
    }
  });
});
