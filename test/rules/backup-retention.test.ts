import { describe, expect, it } from "vitest";
import { rule } from "../../src/rules/backup-retention.js";
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

const R = "BackupRetentionPeriod";

describe("backup-retention", () => {
  it("fails a standalone instance on the AWS default of 1 day and passes 7", () => {
    const db = instance("Db", { backupRetentionPeriod: absent(1, "BackupRetentionPeriod defaults to 1", at(2, 3)) });
    const [r] = run(rule, model([db]), "Db");
    expect(r).toEqual({
      verdict: "fail",
      property: R,
      loc: at(2, 3),
      message: `${R} is not set: AWS default 1 (BackupRetentionPeriod defaults to 1): below the policy minimum of 7 days`,
    });
    db.backupRetentionPeriod = known(7, at(8, 30));
    expect(run(rule, model([db]), "Db")[0]).toMatchObject({ verdict: "pass", loc: at(8, 30) });
  });

  it("says that 0 disables automated backups", () => {
    const db = instance("Db", { backupRetentionPeriod: known(0) });
    expect(run(rule, model([db]), "Db")[0]?.message).toBe(
      `${R} is 0 (literal): automated backups are disabled (policy minimum 7 days)`,
    );
  });

  it("honours the minimumDays parameter", () => {
    const db = instance("Db", { backupRetentionPeriod: known(7) });
    expect(verdicts(run(rule, model([db]), "Db", { minimumDays: 14 })).slice(0, 1)).toEqual([`${R}:fail`]);
    expect(verdicts(run(rule, model([db]), "Db", { minimumDays: 3 })).slice(0, 1)).toEqual([`${R}:pass`]);
  });

  it("judges Aurora on the cluster; members are not applicable for retention and deletion policy", () => {
    const c = cluster("Cluster", { backupRetentionPeriod: known(14) });
    const m = member("Writer", "Cluster");
    const mdl = model([c, m]);
    expect(verdicts(run(rule, mdl, "Cluster"))).toEqual([
      `${R}:pass`,
      "DeletionPolicy:pass",
      "UpdateReplacePolicy:fail",
    ]);
    expect(verdicts(run(rule, mdl, "Writer"))).toEqual([`${R}:not-applicable`, "DeletionPolicy:not-applicable"]);
    c.backupRetentionPeriod = absent(1, "default 1");
    expect(verdicts(run(rule, mdl, "Cluster")).slice(0, 1)).toEqual([`${R}:fail`]);
  });

  it("applies the defaults the scanner wrote down: DeletionPolicy Snapshot, UpdateReplacePolicy Delete", () => {
    const c = cluster("Cluster", {
      backupRetentionPeriod: known(7),
      deletionPolicy: absent("Snapshot", "x", at(2, 3)),
      updateReplacePolicy: absent("Delete", "UpdateReplacePolicy attribute: the default is Delete", at(2, 3)),
    });
    const [, del, upd] = run(rule, model([c]), "Cluster");
    expect(del?.verdict).toBe("pass");
    expect(del?.message).toContain("CloudFormation default Snapshot");
    expect(upd?.verdict).toBe("fail");
    expect(upd?.message).toContain(
      "CloudFormation default Delete (UpdateReplacePolicy attribute: the default is Delete)",
    );
  });

  it("fails an explicit DeletionPolicy: Delete, at the attribute", () => {
    const db = instance("Db", {
      backupRetentionPeriod: known(7),
      deletionPolicy: known("Delete", at(3, 21)),
      updateReplacePolicy: known("Retain", at(4, 26)),
    });
    const [, del, upd] = run(rule, model([db]), "Db");
    expect(del).toMatchObject({ verdict: "fail", property: "DeletionPolicy", loc: at(3, 21) });
    expect(upd).toMatchObject({ verdict: "pass", property: "UpdateReplacePolicy" });
  });

  it("skips the policy attributes on live resources", () => {
    const c = cluster("arn:c", {
      origin: { source: "live", arn: "arn:c" },
      backupRetentionPeriod: live(7),
      deletionPolicy: undefined,
      updateReplacePolicy: undefined,
    });
    expect(verdicts(run(rule, model([c], { source: "live" }), "arn:c"))).toEqual([`${R}:pass`]);
  });

  it("does not judge a read replica that feeds no other replica (backups are taken on the source)", () => {
    const replica = instance("Replica", { role: "read-replica", sourceDbInstanceIdentifier: known("prod") });
    const [r] = run(rule, model([replica]), "Replica");
    expect(r?.verdict).toBe("not-applicable");
    expect(r?.message).toBe(
      "read replica of prod: automated backups of this data are taken on its source, and no read replica in this scan uses it as its source",
    );
  });

  it("judges a MySQL read replica that is the source of another like a standalone instance", () => {
    const middle = instance("Middle", {
      role: "read-replica",
      engine: known("MySQL"),
      sourceDbInstanceIdentifier: known("prod"),
      backupRetentionPeriod: known(0),
    });
    const leaf = instance("Leaf", {
      role: "read-replica",
      sourceDbInstanceIdentifier: known("Middle"),
      sourceId: "Middle",
    });
    expect(verdicts(run(rule, model([middle, leaf]), "Middle"))[0]).toBe(`${R}:fail`);
    // A PostgreSQL middle replica is not asked for backups of its own.
    const pg = { ...middle, engine: known("postgres") };
    expect(run(rule, model([pg, leaf]), "Middle")[0]?.verdict).toBe("not-applicable");
    // Engine left to an external source: whether it cascades cannot be told.
    const noEngine = { ...middle, engine: absent<string>(undefined, "not set") };
    expect(run(rule, model([noEngine, leaf]), "Middle")[0]?.verdict).toBe("unknown");
  });

  it("judges a snapshot restore like a standalone instance", () => {
    const restored = instance("Db", { snapshotIdentifier: known("snap"), backupRetentionPeriod: known(3) });
    expect(verdicts(run(rule, model([restored]), "Db")).slice(0, 1)).toEqual([`${R}:fail`]);
  });

  it("names parameter origins, conditions and imports", () => {
    const a = instance("A", { backupRetentionPeriod: fromParamDefault(1, "Retention") });
    expect(run(rule, model([a]), "A")[0]?.message).toBe(
      `${R} is 1 (default of parameter Retention): below the policy minimum of 7 days`,
    );
    const b = instance("B", { backupRetentionPeriod: fromUserParam(30, "Retention") });
    expect(run(rule, model([b]), "B")[0]?.verdict).toBe("pass");
    const c = instance("C", { backupRetentionPeriod: ifCond("IsProd", known(35), known(1)) });
    expect(run(rule, model([c]), "C")[0]).toMatchObject({ verdict: "fail", when: "IsProd=false" });
    const d = instance("D", { backupRetentionPeriod: importValue("retention") });
    expect(run(rule, model([d]), "D")[0]?.verdict).toBe("unknown");
  });
});

describe("backup-retention: valid ranges and recorded defaults", () => {
  it("fails 0 on a DB cluster as a value CloudFormation rejects (clusters keep 1 to 35 days)", () => {
    const c = cluster("Cluster", { backupRetentionPeriod: known(0, at(9, 30)) });
    expect(run(rule, model([c]), "Cluster")[0]).toMatchObject({
      verdict: "fail",
      loc: at(9, 30),
      message: `${R} is 0 (literal): not a valid retention (1 to 35 days; a DB cluster cannot turn automated backups off), so the stack would not deploy (policy minimum 7 days)`,
    });
    const db = instance("Db", { backupRetentionPeriod: known(36) });
    expect(run(rule, model([db]), "Db")[0]?.message).toContain("not a valid retention (0 to 35 days)");
  });

  it("judges DeletionPolicy from the default the scanner recorded, and keeps none of its own", () => {
    const db = instance("Db", {
      backupRetentionPeriod: known(7),
      deletionPolicy: absent(undefined, "no default recorded", at(2, 3)),
      updateReplacePolicy: absent("Snapshot", "a default the scanner recorded", at(2, 3)),
    });
    const [, del, upd] = run(rule, model([db]), "Db");
    expect(del).toMatchObject({ verdict: "unknown", property: "DeletionPolicy" });
    expect(upd).toMatchObject({
      verdict: "pass",
      message: "UpdateReplacePolicy is not set: CloudFormation default Snapshot (a default the scanner recorded)",
    });
  });

  it("is unknown for a retention absent without a recorded default", () => {
    const db = instance("Db", { backupRetentionPeriod: absent(undefined, "not reported") });
    expect(verdicts(run(rule, model([db]), "Db")).slice(0, 1)).toEqual([`${R}:unknown`]);
  });
});
