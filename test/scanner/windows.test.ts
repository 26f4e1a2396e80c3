/**
 * Backup and maintenance windows, public access and automatic minor version upgrades in the template model:
 * known from a literal (with the exact position of the value), from a parameter default, conditional under an
 * undecidable Fn::If, or absent with the AWS default and where it is documented.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/model/defaults.js";
import type { Attr, DbCluster, DbInstance, Model } from "../../src/model/types.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/templates/${name}`, import.meta.url), "utf8");

function model(name: string, options: Parameters<typeof scanTemplateText>[2] = {}): Model {
  const result = scanTemplateText(fixture(name), `test/${name}`, options);
  if (!result.model) throw new Error(`no model: ${JSON.stringify(result.error)}`);
  return result.model;
}

function instance(m: Model, id: string): DbInstance {
  const r = m.resources.get(id);
  if (r?.kind !== "db-instance") throw new Error(`${id} is not an instance`);
  return r;
}

function cluster(m: Model, id: string): DbCluster {
  const r = m.resources.get(id);
  if (r?.kind !== "db-cluster") throw new Error(`${id} is not a cluster`);
  return r;
}

/** Strips locations so assertions read as the semantics (same helper as the intrinsics tests). */
function shape(attr: Attr<unknown>): unknown {
  switch (attr.state) {
    case "known":
      return { known: attr.value, origin: attr.origin };
    case "absent":
      return { absent: attr.default, source: attr.defaultSource };
    case "unknown":
      return { unknown: attr.reason };
    case "conditional":
      return { conditional: attr.alternatives.map((a) => ({ when: a.when, value: shape(a.attr) })) };
  }
}

const literal = { kind: "literal" } as const;
const absentWith = (d: { value: unknown; source: string }) => ({ absent: d.value, source: d.source });

// The YAML template and its JSON twin must give the same model (positions aside).
describe.each(["windows.yaml", "windows.json"])("windows, public access and minor upgrades in %s", (name) => {
  const m = model(name);

  it("reads every new attribute from literals on a standalone instance", () => {
    const db = instance(m, "ReportingDb");
    expect(shape(db.preferredBackupWindow)).toEqual({ known: "04:00-04:30", origin: literal });
    expect(shape(db.preferredMaintenanceWindow)).toEqual({ known: "mon:05:00-mon:05:30", origin: literal });
    expect(shape(db.publiclyAccessible)).toEqual({ known: false, origin: literal });
    expect(shape(db.autoMinorVersionUpgrade)).toEqual({ known: false, origin: literal });
  });

  it("reads every new attribute from literals on a Multi-AZ DB cluster", () => {
    const c = cluster(m, "MetricsCluster");
    expect(shape(c.preferredBackupWindow)).toEqual({ known: "01:00-01:30", origin: literal });
    expect(shape(c.preferredMaintenanceWindow)).toEqual({ known: "wed:02:00-wed:02:30", origin: literal });
    expect(shape(c.autoMinorVersionUpgrade)).toEqual({ known: false, origin: literal });
  });

  it("resolves Ref to a parameter default and says so", () => {
    expect(shape(instance(m, "PartnerApiDb").preferredBackupWindow)).toEqual({
      known: "02:00-02:30",
      origin: { kind: "parameter-default", parameter: "BackupWindow" },
    });
    expect(shape(cluster(m, "OrdersCluster").preferredMaintenanceWindow)).toEqual({
      known: "sun:03:00-sun:03:30",
      origin: { kind: "parameter-default", parameter: "MaintenanceWindow" },
    });
    // A String parameter "false" is coerced to the boolean.
    expect(shape(instance(m, "ScratchDb").autoMinorVersionUpgrade)).toEqual({
      known: false,
      origin: { kind: "parameter-default", parameter: "AllowMinorUpgrades" },
    });
  });

  it("prefers a user-supplied parameter value", () => {
    const user = model(name, { parameters: { BackupWindow: "23:00-23:30", AllowMinorUpgrades: "true" } });
    expect(shape(instance(user, "PartnerApiDb").preferredBackupWindow)).toEqual({
      known: "23:00-23:30",
      origin: { kind: "user-parameter", parameter: "BackupWindow" },
    });
    expect(shape(instance(user, "ScratchDb").autoMinorVersionUpgrade)).toEqual({
      known: true,
      origin: { kind: "user-parameter", parameter: "AllowMinorUpgrades" },
    });
  });

  it("forks under an undecidable Fn::If, keeping AWS::NoValue as the absent default", () => {
    // Exposure has no default: IsPublic cannot be decided.
    const db = instance(m, "PartnerApiDb");
    expect(shape(db.publiclyAccessible)).toEqual({
      conditional: [
        { when: { IsPublic: true }, value: { known: true, origin: literal } },
        { when: { IsPublic: false }, value: { known: false, origin: literal } },
      ],
    });
    expect(shape(db.preferredMaintenanceWindow)).toEqual({
      conditional: [
        { when: { IsPublic: true }, value: { known: "sat:22:00-sat:22:30", origin: literal } },
        {
          when: { IsPublic: false },
          value: {
            known: "sun:03:00-sun:03:30",
            origin: { kind: "parameter-default", parameter: "MaintenanceWindow" },
          },
        },
      ],
    });
    expect(shape(db.autoMinorVersionUpgrade)).toEqual({
      conditional: [
        { when: { IsPublic: true }, value: { known: true, origin: literal } },
        { when: { IsPublic: false }, value: absentWith(DEFAULTS.instanceAutoMinorVersionUpgrade) },
      ],
    });
    expect(shape(cluster(m, "MetricsCluster").publiclyAccessible)).toEqual({
      conditional: [
        { when: { IsPublic: true }, value: { known: true, origin: literal } },
        { when: { IsPublic: false }, value: { known: false, origin: literal } },
      ],
    });
    // Decided once the parameter is given.
    const internal = model(name, { parameters: { Exposure: "internal" } });
    expect(shape(instance(internal, "PartnerApiDb").publiclyAccessible)).toEqual({ known: false, origin: literal });
    expect(shape(instance(internal, "PartnerApiDb").autoMinorVersionUpgrade)).toEqual(
      absentWith(DEFAULTS.instanceAutoMinorVersionUpgrade),
    );
  });

  it("records absent windows with no default value and the RDS User Guide as source", () => {
    const db = instance(m, "ScratchDb");
    expect(shape(db.preferredBackupWindow)).toEqual(absentWith(DEFAULTS.preferredBackupWindow));
    expect(shape(db.preferredMaintenanceWindow)).toEqual(absentWith(DEFAULTS.preferredMaintenanceWindow));
    for (const attr of [db.preferredBackupWindow, db.preferredMaintenanceWindow]) {
      expect(attr.state === "absent" && "default" in attr && attr.default === undefined).toBe(true);
      expect(attr.state === "absent" && attr.defaultSource).toMatch(/User Guide.*30-minute window.*8-hour block/);
    }
    const events = cluster(m, "EventsCluster");
    expect(shape(events.preferredBackupWindow)).toEqual(absentWith(DEFAULTS.preferredBackupWindow));
    expect(shape(events.preferredMaintenanceWindow)).toEqual(absentWith(DEFAULTS.preferredMaintenanceWindow));
  });

  it("records absent public access with no default (it depends on the VPC), and minor upgrades on by default", () => {
    const db = instance(m, "ScratchDb");
    expect(shape(db.publiclyAccessible)).toEqual(absentWith(DEFAULTS.instancePubliclyAccessible));
    expect(DEFAULTS.instancePubliclyAccessible).toMatchObject({
      value: undefined,
      source: expect.stringContaining("CloudFormation AWS::RDS::DBInstance reference"),
    });
    expect(shape(instance(m, "OrdersReader").autoMinorVersionUpgrade)).toEqual({
      absent: true,
      source: DEFAULTS.instanceAutoMinorVersionUpgrade.source,
    });
    const aurora = cluster(m, "OrdersCluster");
    expect(shape(aurora.publiclyAccessible)).toEqual(absentWith(DEFAULTS.clusterPubliclyAccessible));
    expect(shape(aurora.autoMinorVersionUpgrade)).toEqual({
      absent: true,
      source: DEFAULTS.clusterAutoMinorVersionUpgrade.source,
    });
    expect(shape(cluster(m, "EventsCluster").publiclyAccessible)).toEqual(
      absentWith(DEFAULTS.clusterPubliclyAccessible),
    );
  });

  it("keeps an Aurora member's own backup window as written and invents none", () => {
    const reader = instance(m, "OrdersReader");
    const writer = instance(m, "OrdersWriter");
    expect(reader.role).toBe("aurora-member");
    expect(writer.role).toBe("aurora-member");
    expect(shape(reader.preferredBackupWindow)).toEqual({ known: "07:00-07:30", origin: literal });
    // Absent on the member: the cluster's window applies, the cluster's value is not copied.
    expect(shape(writer.preferredBackupWindow)).toEqual(absentWith(DEFAULTS.memberPreferredBackupWindow));
    expect(DEFAULTS.memberPreferredBackupWindow.source).toContain("managed by the DB cluster");
    expect(shape(writer.preferredMaintenanceWindow)).toEqual({ known: "tue:06:00-tue:06:30", origin: literal });
    expect(shape(writer.publiclyAccessible)).toEqual({ known: false, origin: literal });
  });
});

describe("exact positions of the new attributes", () => {
  const yaml = model("windows.yaml");
  const json = model("windows.json");
  const at = (file: string, line: number, column: number) => ({ file: `test/${file}`, line, column });

  it("points at the value as written, in YAML", () => {
    const db = instance(yaml, "ReportingDb");
    expect(db.preferredBackupWindow.loc).toEqual(at("windows.yaml", 38, 30));
    expect(db.preferredMaintenanceWindow.loc).toEqual(at("windows.yaml", 39, 35));
    expect(db.publiclyAccessible.loc).toEqual(at("windows.yaml", 40, 27));
    expect(db.autoMinorVersionUpgrade.loc).toEqual(at("windows.yaml", 41, 32));
    const c = cluster(yaml, "MetricsCluster");
    expect(c.preferredBackupWindow.loc).toEqual(at("windows.yaml", 109, 30));
    expect(c.preferredMaintenanceWindow.loc).toEqual(at("windows.yaml", 110, 35));
    expect(c.autoMinorVersionUpgrade.loc).toEqual(at("windows.yaml", 111, 32));
    // A Ref points at the !Ref as written.
    expect(instance(yaml, "PartnerApiDb").preferredBackupWindow.loc).toEqual(at("windows.yaml", 52, 30));
  });

  it("points at the value as written, in JSON", () => {
    const db = instance(json, "ReportingDb");
    expect(db.preferredBackupWindow.loc).toEqual(at("windows.json", 53, 34));
    expect(db.preferredMaintenanceWindow.loc).toEqual(at("windows.json", 54, 39));
    expect(db.publiclyAccessible.loc).toEqual(at("windows.json", 55, 31));
    expect(db.autoMinorVersionUpgrade.loc).toEqual(at("windows.json", 56, 36));
    const c = cluster(json, "MetricsCluster");
    expect(c.preferredBackupWindow.loc).toEqual(at("windows.json", 162, 34));
    expect(c.autoMinorVersionUpgrade.loc).toEqual(at("windows.json", 164, 36));
  });

  it("points each alternative of a Fn::If at its own branch", () => {
    const p = instance(yaml, "PartnerApiDb").publiclyAccessible;
    expect(p.loc).toEqual(at("windows.yaml", 54, 27));
    expect(p.state === "conditional" && p.alternatives.map((a) => a.attr.loc)).toEqual([
      at("windows.yaml", 54, 42),
      at("windows.yaml", 54, 48),
    ]);
    // The AWS::NoValue branch removes the property: it points at the property's key.
    const a = instance(yaml, "PartnerApiDb").autoMinorVersionUpgrade;
    expect(a.state === "conditional" && a.alternatives[1]?.attr.loc).toEqual(at("windows.yaml", 55, 7));
  });

  it("points at the resource when the property is missing", () => {
    const db = instance(yaml, "ScratchDb");
    expect(db.loc).toEqual(at("windows.yaml", 59, 3));
    for (const attr of [db.preferredBackupWindow, db.preferredMaintenanceWindow, db.publiclyAccessible]) {
      expect(attr).toMatchObject({ state: "absent", loc: at("windows.yaml", 59, 3) });
    }
    expect(cluster(json, "EventsCluster").publiclyAccessible).toMatchObject({
      state: "absent",
      loc: at("windows.json", 176, 5),
    });
  });
});
