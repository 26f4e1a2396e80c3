import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/policy/load.js";
import { ENGINE_LIFECYCLES, LIFECYCLES_RETRIEVED, majorVersionOf } from "../../src/rules/data/engine-lifecycles.js";
import { meta, rule } from "../../src/rules/engine-version.js";
import { allRules } from "../../src/rules/index.js";
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

const P = "EngineVersion";
const DAY_MS = 86_400_000;

describe("engine-version", () => {
  it("fails RDS for PostgreSQL 10: past end of life, no Extended Support, at the value", () => {
    const db = instance("Db", { engine: known("postgres"), engineVersion: known("10.21", at(8, 22)) });
    expect(run(rule, model([db]), "Db")).toEqual([
      {
        verdict: "fail",
        property: P,
        loc: at(8, 22),
        message:
          "EngineVersion is 10.21 (literal): RDS for PostgreSQL 10 is past the end of standard support on 2023-04-17, and has no RDS Extended Support: RDS upgrades it to a newer major version; upgrade yourself first (dates: rdsguard's lifecycle table, retrieved 2026-12-02)",
      },
    ]);
  });

  it("fails a version in Extended Support: the account pays for it, and says until when", () => {
    const db = instance("Db", { engine: known("postgres"), engineVersion: known("12.19") });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("fail");
    expect(r?.severity).toBeUndefined();
    expect(r?.message).toContain(
      "RDS for PostgreSQL 12 is past the end of standard support on 2025-02-28: the account pays RDS Extended Support (available until 2028-02-29); EngineLifecycleSupport is not set (default open-source-rds-extended-support)",
    );
  });

  it("with EngineLifecycleSupport ...-disabled, says that RDS upgrades the major version", () => {
    const db = instance("Db", {
      engine: known("postgres"),
      engineVersion: known("12.19"),
      engineLifecycleSupport: known("open-source-rds-extended-support-disabled", at(9, 31)),
    });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("fail");
    expect(r?.message).toContain(
      "EngineLifecycleSupport is open-source-rds-extended-support-disabled (literal): RDS will upgrade the major version at the end of standard support",
    );
    // And on a version in standard support it is reported with the pass.
    const ok = instance("Ok", {
      engine: known("postgres"),
      engineVersion: known("17.2"),
      engineLifecycleSupport: known("open-source-rds-extended-support-disabled"),
    });
    expect(run(rule, model([ok]), "Ok")[0]).toMatchObject({
      verdict: "pass",
      message: expect.stringContaining("RDS will upgrade the major version at the end of standard support"),
    });
  });

  it("fails past the end of Extended Support as end of life", () => {
    const db = instance("Db", { engine: known("mysql"), engineVersion: known("5.7.44") });
    const after = new Date("2027-03-15T00:00:00Z");
    expect(run(rule, model([db]), "Db", {}, after)[0]?.message).toContain(
      "RDS for MySQL 5.7 is past end of life: standard support ended on 2024-02-29 and RDS Extended Support on 2027-02-28",
    );
  });

  it("warns at the lower warningSeverity within warnDays of the end of standard support, passes before", () => {
    const db = instance("Db", { engine: known("mysql"), engineVersion: known("8.0.39") });
    const m = model([db]);
    const march = new Date("2026-03-01T00:00:00Z");
    const [warn] = run(rule, m, "Db", {}, march);
    expect(warn).toMatchObject({ verdict: "fail", severity: "low", property: P });
    expect(warn?.message).toContain(
      "RDS for MySQL 8.0: standard support ends on 2026-07-31, in 153 days (warnDays 180); from the next day RDS Extended Support is billed (until 2029-07-31)",
    );
    expect(run(rule, m, "Db", { warningSeverity: "info" }, march)[0]?.severity).toBe("info");
    expect(verdicts(run(rule, m, "Db", { warnDays: 100 }, march))).toEqual([`${P}:pass`]);
    expect(run(rule, m, "Db", { warnDays: 100 }, march)[0]?.message).toContain(
      "in standard support until 2026-07-31 (153 days)",
    );
  });

  it("judges Aurora on the cluster; members are not applicable", () => {
    const c = cluster("Cluster", { engine: known("aurora-mysql"), engineVersion: known("5.7.mysql_aurora.2.11.2") });
    const w = member("Writer", "Cluster", { engine: known("aurora-mysql") });
    const m = model([c, w]);
    expect(run(rule, m, "Cluster")[0]?.message).toContain(
      "Aurora MySQL 5.7 is past the end of standard support on 2024-10-31: the account pays RDS Extended Support (available until 2027-02-28)",
    );
    expect(verdicts(run(rule, m, "Writer"))).toEqual([`${P}:not-applicable`]);
    expect(run(rule, m, "Writer")[0]?.message).toBe(
      "The engine version of an Aurora cluster member is owned by the cluster: judged on cluster Cluster",
    );
  });

  it("fails Aurora MySQL version 1 (engine aurora, MySQL 5.6 compatible): past end of life", () => {
    const c = cluster("Old", { engine: known("aurora"), engineVersion: known("5.6.10a") });
    expect(run(rule, model([c]), "Old")[0]?.message).toContain(
      "Aurora MySQL 5.6 is past the end of standard support on 2023-02-28, and has no RDS Extended Support",
    );
  });

  it("judges a Multi-AZ DB cluster on itself", () => {
    const c = cluster("Maz", {
      engine: known("postgres"),
      engineVersion: known("16.3"),
      dbClusterInstanceClass: known("db.m6gd.large"),
    });
    expect(verdicts(run(rule, model([c]), "Maz"))).toEqual([`${P}:pass`]);
  });

  it("judges a read replica by its source's version when it names none", () => {
    const src = instance("Src", { engine: known("postgres"), engineVersion: known("11.22", at(5, 22)) });
    const replica = instance("Replica", {
      role: "read-replica",
      engine: known("postgres"),
      sourceId: "Src",
      sourceDbInstanceIdentifier: known("Src"),
    });
    const [r] = run(rule, model([src, replica]), "Replica");
    expect(r).toMatchObject({ verdict: "fail", loc: at(5, 22) });
    expect(r?.message).toContain("RDS for PostgreSQL 11 is past the end of standard support on 2024-02-29");
  });

  it("passes an absent EngineVersion (a new database gets the current default) and says to pin it", () => {
    expect(run(rule, model([instance("Db")]), "Db")[0]).toMatchObject({
      verdict: "pass",
      message: expect.stringContaining("EngineVersion is not set: RDS creates a new database with the default version"),
    });
  });

  it("is unknown when the version cannot be resolved, and splits on conditions", () => {
    const unresolved = instance("Db", { engineVersion: importValue("PgVersion", at(4, 22)) });
    expect(run(rule, model([unresolved]), "Db")[0]).toMatchObject({ verdict: "unknown", loc: at(4, 22) });
    const split = instance("Split", {
      engineVersion: ifCond("Legacy", known("10.21", at(6, 30)), known("16.4", at(6, 40)), at(6, 22)),
    });
    expect(verdicts(run(rule, model([split]), "Split"))).toEqual([`${P}:fail when Legacy=true`]);
  });

  it("treats a major version newer than the table as in standard support; an unknown older one as unknown", () => {
    expect(verdicts(run(rule, model([instance("New", { engineVersion: known("19.1") })]), "New"))).toEqual([
      `${P}:pass`,
    ]);
    expect(verdicts(run(rule, model([instance("Odd", { engineVersion: known("9.5.2") })]), "Odd"))).toEqual([
      `${P}:unknown`,
    ]);
  });

  it("is not applicable to commercial engines (AWS publishes no such lifecycle)", () => {
    const ora = instance("Ora", {
      engine: known("oracle-ee"),
      engineVersion: known("19.0.0.0.ru-2024-01.rur-2024-01.r1"),
    });
    expect(run(rule, model([ora]), "Ora")[0]).toMatchObject({
      verdict: "not-applicable",
      message: expect.stringContaining("DescribeDBMajorEngineVersions returns no SupportedEngineLifecycles"),
    });
  });

  it("live: uses the region's DescribeDBMajorEngineVersions answer over the table", () => {
    const db = instance("Db", { engine: live("postgres", "DescribeDBInstances"), engineVersion: live("12.19") });
    const m = model([db], {
      source: "live",
      engineLifecycles: new Map([
        ["postgres:12", { engine: "postgres", majorVersion: "12", standardSupportEnd: "2027-12-31" }],
      ]),
    });
    const [r] = run(rule, m, "Db");
    expect(r?.verdict).toBe("pass");
    expect(r?.message).toContain("in standard support until 2027-12-31");
    expect(r?.message).toContain("(dates: DescribeDBMajorEngineVersions)");
  });

  it("live: falls back to the table when DescribeDBMajorEngineVersions was denied, and says so", () => {
    const db = instance("Db", { engine: live("postgres"), engineVersion: live("12.19") });
    const m = model([db], {
      source: "live",
      engineLifecycles: new Map(),
      engineLifecycleErrors: new Map([["postgres", "rds:DescribeDBMajorEngineVersions postgres: AccessDenied"]]),
    });
    expect(run(rule, m, "Db")[0]?.message).toContain(
      "(dates: rdsguard's lifecycle table, retrieved 2026-12-02; DescribeDBMajorEngineVersions could not be read (rds:DescribeDBMajorEngineVersions postgres: AccessDenied))",
    );
  });

  it("does not trust a stale table: a pass becomes unknown once the table is older than maxTableAgeDays", () => {
    const db = instance("Db", { engine: known("postgres"), engineVersion: known("17.2") });
    const later = new Date(Date.parse(`${LIFECYCLES_RETRIEVED}T00:00:00Z`) + 200 * DAY_MS);
    const [r] = run(rule, model([db]), "Db", {}, later);
    expect(r?.verdict).toBe("unknown");
    expect(r?.message).toContain("more than maxTableAgeDays (180): refresh it");
    expect(verdicts(run(rule, model([db]), "Db", { maxTableAgeDays: 400 }, later))).toEqual([`${P}:pass`]);
  });

  it("reads major versions as DescribeDBMajorEngineVersions names them", () => {
    expect(majorVersionOf("postgres", "16.4")).toBe("16");
    expect(majorVersionOf("postgres", "9.6.24")).toBe("9.6");
    expect(majorVersionOf("aurora-mysql", "8.0.mysql_aurora.3.05.2")).toBe("8.0");
    expect(majorVersionOf("mariadb", "10.11.8")).toBe("10.11");
    expect(majorVersionOf("mysql", "latest")).toBeUndefined();
    expect(absent(undefined).state).toBe("absent");
  });
});

describe("the lifecycle table", () => {
  it("has a source URL and a retrieval date on every row, and dates in order", () => {
    for (const row of ENGINE_LIFECYCLES) {
      expect(row.source, `${row.engine} ${row.majorVersion}`).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(row.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Date.parse(row.retrieved)).toBeGreaterThanOrEqual(Date.parse(LIFECYCLES_RETRIEVED));
      if (row.extendedSupportEnd) expect(row.extendedSupportEnd > row.standardSupportEnd).toBe(true);
    }
  });

  it("is not older than the shipped policy allows (maxTableAgeDays): a stale table fails the build", () => {
    const { policy, errors } = loadPolicy({
      cwd: "/nonexistent-rdsguard-cwd",
      ruleIds: allRules.map((r) => r.meta.id),
      parameters: Object.fromEntries(allRules.map((r) => [r.meta.id, r.meta.parameters])),
    });
    expect(errors).toEqual([]);
    const maxAge = policy.rules["engine-version"]?.parameters?.maxTableAgeDays;
    expect(typeof maxAge).toBe("number");
    const ageDays = (Date.now() - Date.parse(`${LIFECYCLES_RETRIEVED}T00:00:00Z`)) / DAY_MS;
    expect(
      ageDays,
      `src/rules/data/engine-lifecycles.ts was retrieved on ${LIFECYCLES_RETRIEVED}: refresh it with scripts/refresh-engine-lifecycles.mjs`,
    ).toBeLessThanOrEqual(maxAge as number);
    expect(meta.parameters.find((p) => p.name === "maxTableAgeDays")?.default).toBe(maxAge);
  });
});
