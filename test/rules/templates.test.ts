/**
 * The rules on realistic CloudFormation templates, through the real template scanner: verdicts, conditions and
 * exact line:column of every result.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Model } from "../../src/model/types.js";
import { allRules, getRule } from "../../src/rules/index.js";
import type { RuleResult } from "../../src/rules/types.js";
import { loadParameterFile, scanTemplateText } from "../../src/scanners/template/index.js";
import { NOW } from "./build-model.js";

const DIR = path.join(import.meta.dirname, "../fixtures/rules");

function scan(name: string, parameters: Record<string, string> = {}): Model {
  const text = readFileSync(path.join(DIR, name), "utf8");
  const result = scanTemplateText(text, `test/fixtures/rules/${name}`, { parameters });
  if (!result.model) throw new Error(`no model for ${name}: ${JSON.stringify(result.error)}`);
  return result.model;
}

/** "property verdict [when X] line:col" for each result of one rule on one resource. */
function judge(m: Model, ruleId: string, resourceId: string, params: Record<string, unknown> = {}): string[] {
  const rule = getRule(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const resource = m.resources.get(resourceId);
  if (!resource) throw new Error(`no resource ${resourceId}`);
  const defaults = Object.fromEntries(rule.meta.parameters.map((p) => [p.name, p.default]));
  return rule.evaluate(resource, { model: m, params: { ...defaults, ...params }, profile: "test", now: NOW }).map(show);
}

function show(r: RuleResult): string {
  const where = r.loc ? `${r.loc.line}:${r.loc.column}` : "-";
  return `${r.property ?? "-"} ${r.verdict}${r.when ? ` when ${r.when}` : ""} ${where}`;
}

function results(m: Model, ruleId: string, resourceId: string, params: Record<string, unknown> = {}): RuleResult[] {
  const rule = getRule(ruleId);
  const resource = m.resources.get(resourceId);
  if (!rule || !resource) throw new Error("missing rule or resource");
  const defaults = Object.fromEntries(rule.meta.parameters.map((p) => [p.name, p.default]));
  return rule.evaluate(resource, { model: m, params: { ...defaults, ...params }, profile: "test", now: NOW });
}

describe("aurora-cluster.yaml: Aurora cluster, members, a conditional reader, a KMS key", () => {
  const m = scan("aurora-cluster.yaml");

  it("storage-encrypted: passes the cluster, judges the key once (rotation missing), members not applicable", () => {
    expect(judge(m, "storage-encrypted", "Cluster", { requireCustomerManagedKey: true })).toEqual([
      "StorageEncrypted pass 32:25",
      "KmsKeyId pass 33:17",
    ]);
    expect(judge(m, "storage-encrypted", "DbKey")).toEqual(["Enabled pass 13:3", "EnableKeyRotation fail 13:3"]);
    expect(judge(m, "storage-encrypted", "Writer")).toEqual(["StorageEncrypted not-applicable 39:3"]);
  });

  it("backup-retention: 3 days from a parameter default fails at the Ref; DeletionPolicy attributes pass", () => {
    expect(judge(m, "backup-retention", "Cluster")).toEqual([
      "BackupRetentionPeriod fail 34:30",
      "DeletionPolicy pass 27:21",
      "UpdateReplacePolicy pass 28:26",
    ]);
    expect(results(m, "backup-retention", "Cluster")[0]?.message).toBe(
      "BackupRetentionPeriod is 3 (default of parameter BackupDays): below the policy minimum of 7 days",
    );
    expect(judge(m, "backup-retention", "Writer")).toEqual([
      "BackupRetentionPeriod not-applicable 39:3",
      "DeletionPolicy not-applicable 39:3",
    ]);
  });

  it("deletion-protection: the undecidable Fn::If fails when IsProd=false, at the false branch", () => {
    expect(judge(m, "deletion-protection", "Cluster")).toEqual(["DeletionProtection fail when IsProd=false 35:46"]);
    expect(judge(m, "deletion-protection", "Reader")).toEqual(["DeletionProtection not-applicable 46:3"]);
  });

  it("multi-az: the reader exists only when IsProd, so the cluster fails when IsProd=false", () => {
    expect(judge(m, "multi-az", "Cluster")).toEqual(["DBClusterMembers fail when IsProd=false 25:3"]);
  });

  it("iam-auth: judged on the cluster only", () => {
    expect(judge(m, "iam-auth", "Cluster")).toEqual(["EnableIAMDatabaseAuthentication pass 36:40"]);
    expect(judge(m, "iam-auth", "Writer")).toEqual(["EnableIAMDatabaseAuthentication not-applicable 39:3"]);
  });

  it("instance-class: the burstable reader fails in production, and says it exists only when IsProd", () => {
    expect(judge(m, "instance-class", "Writer", { allowBurstable: false })).toEqual(["DBInstanceClass pass 44:24"]);
    expect(judge(m, "instance-class", "Reader", { allowBurstable: false })).toEqual(["DBInstanceClass fail 52:24"]);
    expect(results(m, "instance-class", "Reader", { allowBurstable: false })[0]?.message).toMatch(
      /\(only created when IsProd\)$/,
    );
    expect(judge(m, "instance-class", "Reader")).toEqual(["DBInstanceClass pass 52:24"]);
  });

  it("ca-certificate: members carry their own CA; rds-ca-2019 fails at the value", () => {
    expect(judge(m, "ca-certificate", "Writer")).toEqual(["CACertificateIdentifier fail 45:32"]);
    expect(judge(m, "ca-certificate", "Reader")).toEqual(["CACertificateIdentifier pass 46:3"]);
  });
});

describe("standalone.yaml: primary, read replica, snapshot restore; parameter defaults vs a parameters file", () => {
  it("with parameter defaults: unencrypted primary, and the replica inherits the failure", () => {
    const m = scan("standalone.yaml");
    expect(judge(m, "storage-encrypted", "Primary")).toEqual(["StorageEncrypted fail 19:25"]);
    expect(results(m, "storage-encrypted", "Primary")[0]?.message).toBe(
      "StorageEncrypted is false (default of parameter Encrypt)",
    );
    expect(judge(m, "storage-encrypted", "Replica")).toEqual(["StorageEncrypted fail 30:35"]);
    expect(judge(m, "instance-class", "Primary", { allowBurstable: false })).toEqual(["DBInstanceClass fail 17:24"]);
  });

  it("with the user's parameters file: encrypted primary, replica passes by inheritance", () => {
    const file = loadParameterFile(path.join(DIR, "standalone-parameters.json"));
    expect(file.error).toBeUndefined();
    const m = scan("standalone.yaml", file.values);
    expect(judge(m, "storage-encrypted", "Primary")).toEqual(["StorageEncrypted pass 19:25"]);
    expect(results(m, "storage-encrypted", "Primary")[0]?.message).toBe(
      "StorageEncrypted is true (parameter Encrypt as given by you (--parameters or --parameter))",
    );
    expect(judge(m, "storage-encrypted", "Replica")).toEqual(["StorageEncrypted pass 30:35"]);
    expect(judge(m, "instance-class", "Primary", { allowBurstable: false })).toEqual(["DBInstanceClass pass 17:24"]);
  });

  it("Fn::ImportValue is unknown, with the reason", () => {
    const m = scan("standalone.yaml");
    expect(judge(m, "deletion-protection", "Primary")).toEqual(["DeletionProtection unknown 22:27"]);
    expect(results(m, "deletion-protection", "Primary")[0]?.message).toContain("Fn::ImportValue");
  });

  it("the restore from snapshot is unknown on encryption, at the snapshot identifier", () => {
    const m = scan("standalone.yaml");
    expect(judge(m, "storage-encrypted", "Restored")).toEqual(["StorageEncrypted unknown 37:29"]);
    expect(judge(m, "backup-retention", "Restored")).toEqual([
      "BackupRetentionPeriod fail 32:3",
      "DeletionPolicy fail 34:21",
      "UpdateReplacePolicy fail 32:3",
    ]);
    expect(judge(m, "instance-class", "Restored")).toEqual(["DBInstanceClass fail 38:24"]);
    expect(judge(m, "ca-certificate", "Restored")).toEqual(["CACertificateIdentifier pass 39:32"]);
  });

  it("read replicas: backups and Multi-AZ not judged; deletion protection and IAM auth judged", () => {
    const m = scan("standalone.yaml");
    expect(judge(m, "backup-retention", "Replica")).toEqual(["BackupRetentionPeriod not-applicable 26:3"]);
    expect(judge(m, "multi-az", "Replica")).toEqual(["MultiAZ not-applicable 26:3"]);
    expect(judge(m, "deletion-protection", "Replica")).toEqual(["DeletionProtection fail 26:3"]);
    expect(judge(m, "iam-auth", "Replica")).toEqual(["EnableIAMDatabaseAuthentication fail 26:3"]);
  });
});

describe("serverless-and-global.yaml: Serverless v1 and v2, Multi-AZ DB cluster, global cluster", () => {
  const m = scan("serverless-and-global.yaml");

  it("Serverless v1: encrypted and multi-AZ by design, but past end of life", () => {
    expect(judge(m, "storage-encrypted", "LegacyCluster")).toEqual(["StorageEncrypted pass 8:19"]);
    expect(judge(m, "iam-auth", "LegacyCluster")).toEqual(["EnableIAMDatabaseAuthentication not-applicable 4:3"]);
    expect(judge(m, "instance-class", "LegacyCluster")).toEqual(["EngineMode fail 8:19"]);
  });

  it("Serverless v2 without ServerlessV2ScalingConfiguration fails on the cluster", () => {
    expect(judge(m, "instance-class", "ServerlessCluster")).toEqual(["ServerlessV2ScalingConfiguration fail 11:3"]);
    expect(judge(m, "instance-class", "ServerlessWriter")).toEqual(["DBInstanceClass pass 24:24"]);
    expect(judge(m, "multi-az", "ServerlessCluster")).toEqual(["DBClusterMembers fail 11:3"]);
  });

  it("Multi-AZ DB cluster: multi-AZ by design; an imported KMS key is unknown", () => {
    expect(judge(m, "multi-az", "MultiAzCluster")).toEqual(["DBClusterInstanceClass pass 29:31"]);
    expect(judge(m, "storage-encrypted", "MultiAzCluster", { requireCustomerManagedKey: true })).toEqual([
      "StorageEncrypted pass 33:25",
      "KmsKeyId unknown 34:17",
    ]);
    expect(judge(m, "instance-class", "MultiAzCluster")).toEqual(["DBClusterInstanceClass pass 29:31"]);
  });

  it("global cluster: encryption from its source cluster; deletion protection missing", () => {
    expect(judge(m, "storage-encrypted", "Global")).toEqual(["StorageEncrypted pass 35:3"]);
    expect(judge(m, "deletion-protection", "Global")).toEqual(["DeletionProtection fail 35:3"]);
  });
});

describe("audit-edges.yaml: conditions on placement and class, restores, Oracle classes, MariaDB IAM", () => {
  const m = scan("audit-edges.yaml");

  it("multi-az: the reader is pinned to the writer's AZ only when SameAz, and fails there, at the true branch", () => {
    expect(judge(m, "multi-az", "Cluster")).toEqual(["AvailabilityZone fail when SameAz=true 34:38"]);
  });

  it("instance-class: the missing Serverless v2 range fails only when UseServerless", () => {
    expect(judge(m, "instance-class", "Cluster")).toEqual([
      "ServerlessV2ScalingConfiguration fail when UseServerless=true 14:3",
    ]);
    expect(judge(m, "instance-class", "Restored")).toEqual(["DBInstanceClass pass 40:24"]);
  });

  it("storage-encrypted: a DB instance restore is unknown even with StorageEncrypted: true", () => {
    expect(judge(m, "storage-encrypted", "Restored")).toEqual(["StorageEncrypted unknown 38:29"]);
    expect(results(m, "storage-encrypted", "Restored")[0]?.message).toContain(
      "StorageEncrypted in the template is not applied: RestoreDBInstanceFromDBSnapshot takes no such setting",
    );
  });

  it("iam-auth: RDS for MariaDB 10.6 has no IAM authentication, so it is not applicable", () => {
    expect(judge(m, "iam-auth", "Maria")).toEqual(["EnableIAMDatabaseAuthentication not-applicable 46:22"]);
  });
});

describe("every rule on every fixture", () => {
  it("returns at least one result per applicable resource, each with a location and a message", () => {
    for (const name of ["aurora-cluster.yaml", "standalone.yaml", "serverless-and-global.yaml", "audit-edges.yaml"]) {
      const m = scan(name);
      for (const resource of m.resources.values()) {
        for (const rule of allRules) {
          if (!rule.meta.appliesTo.includes(resource.kind)) continue;
          const out = results(m, rule.meta.id, resource.id);
          expect(out.length, `${name} ${rule.meta.id} ${resource.id}`).toBeGreaterThan(0);
          for (const r of out) {
            expect(r.loc?.file).toBe(`test/fixtures/rules/${name}`);
            expect(r.message.length).toBeGreaterThan(10);
          }
        }
      }
    }
  });
});

describe("headless-cluster.yaml: the only member is switched off by a false Condition", () => {
  it("multi-az judges a headless cluster, naming the member that the Condition switches off", () => {
    const m = scan("headless-cluster.yaml");
    expect(m.resources.has("SecondaryWriter")).toBe(false);
    expect(judge(m, "multi-az", "Secondary")).toEqual(["DBClusterMembers fail 11:3"]);
    expect(results(m, "multi-az", "Secondary")[0]?.message).toContain(
      "a headless cluster: its DB instances in this template (SecondaryWriter) are not created under these conditions",
    );
  });
});
