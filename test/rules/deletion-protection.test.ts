import { describe, expect, it } from "vitest";
import { rule } from "../../src/rules/deletion-protection.js";
import {
  absent,
  at,
  cluster,
  fromParamDefault,
  fromUserParam,
  globalCluster,
  ifCond,
  importValue,
  instance,
  known,
  member,
  model,
  run,
  verdicts,
} from "./build-model.js";

const P = "DeletionProtection";

describe("deletion-protection", () => {
  it("fails a standalone instance without it (AWS default false) and passes with it", () => {
    const db = instance("Db", { deletionProtection: absent(false, "disabled by default", at(2, 3)) });
    expect(run(rule, model([db]), "Db")).toEqual([
      {
        verdict: "fail",
        property: P,
        loc: at(2, 3),
        message: `${P} is not set: AWS default false (disabled by default)`,
      },
    ]);
    db.deletionProtection = known(true, at(7, 27));
    expect(run(rule, model([db]), "Db")).toEqual([
      { verdict: "pass", property: P, loc: at(7, 27), message: `${P} is true (literal)` },
    ]);
  });

  it("judges the Aurora cluster and never asks a member for it", () => {
    const c = cluster("Cluster", { deletionProtection: known(false) });
    const m = member("Writer", "Cluster");
    const mdl = model([c, m]);
    expect(verdicts(run(rule, mdl, "Cluster"))).toEqual([`${P}:fail`]);
    expect(run(rule, mdl, "Writer")[0]).toMatchObject({
      verdict: "not-applicable",
      message: "Deletion protection of an Aurora cluster member is owned by the cluster: judged on cluster Cluster",
    });
  });

  it("judges read replicas and snapshot restores like instances", () => {
    const replica = instance("Replica", { role: "read-replica", deletionProtection: known(true) });
    const restored = instance("Restored", { snapshotIdentifier: known("snap") });
    const mdl = model([replica, restored]);
    expect(verdicts(run(rule, mdl, "Replica"))).toEqual([`${P}:pass`]);
    expect(verdicts(run(rule, mdl, "Restored"))).toEqual([`${P}:fail`]);
  });

  it("judges global clusters", () => {
    expect(verdicts(run(rule, model([globalCluster("G")]), "G"))).toEqual([`${P}:fail`]);
    expect(verdicts(run(rule, model([globalCluster("G", { deletionProtection: known(true) })]), "G"))).toEqual([
      `${P}:pass`,
    ]);
  });

  it("names parameter origins, the failing condition and imports", () => {
    const a = cluster("A", { deletionProtection: fromParamDefault(false, "Protect") });
    expect(run(rule, model([a]), "A")[0]?.message).toBe(`${P} is false (default of parameter Protect)`);
    const b = cluster("B", { deletionProtection: fromUserParam(true, "Protect") });
    expect(verdicts(run(rule, model([b]), "B"))).toEqual([`${P}:pass`]);
    const c = cluster("C", { deletionProtection: ifCond("IsProd", known(true), known(false)) });
    expect(verdicts(run(rule, model([c]), "C"))).toEqual([`${P}:fail when IsProd=false`]);
    const d = cluster("D", { deletionProtection: importValue("protect") });
    expect(verdicts(run(rule, model([d]), "D"))).toEqual([`${P}:unknown`]);
  });
});
