import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DbCluster, DbInstance, GlobalCluster, KmsKey, Model } from "../../src/model/types.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

const text = readFileSync(new URL("../fixtures/templates/linking.yaml", import.meta.url), "utf8");
const model = scanTemplateText(text, "linking.yaml").model as Model;
const get = <T>(id: string) => model.resources.get(id) as T;

describe("the normalized model of a template", () => {
  it("holds only database resources and KMS keys", () => {
    expect([...model.resources.keys()].sort()).toEqual([
      "Global",
      "Ledger",
      "LedgerReplicaByArn",
      "LedgerReplicaByRef",
      "MultiAzDbCluster",
      "PaymentsCluster",
      "PrimaryKey",
      "ReaderByName",
      "WriterByRef",
    ]);
  });

  it("links Aurora members by Ref and by literal identifier (case-insensitive)", () => {
    const cluster = get<DbCluster>("PaymentsCluster");
    expect(cluster.memberIds).toEqual(["WriterByRef", "ReaderByName"]);
    expect(get<DbInstance>("WriterByRef")).toMatchObject({ role: "aurora-member", clusterId: "PaymentsCluster" });
    expect(get<DbInstance>("ReaderByName")).toMatchObject({ role: "aurora-member", clusterId: "PaymentsCluster" });
  });

  it("links read replicas to their source by Ref and by ARN", () => {
    expect(get<DbInstance>("LedgerReplicaByRef")).toMatchObject({ role: "read-replica", sourceId: "Ledger" });
    expect(get<DbInstance>("LedgerReplicaByArn")).toMatchObject({ role: "read-replica", sourceId: "Ledger" });
    expect(get<DbInstance>("Ledger").role).toBe("standalone");
    // The replica declares no Engine: it is the source's.
    expect(get<DbInstance>("LedgerReplicaByRef").engine).toMatchObject({
      state: "known",
      value: "postgres",
      origin: { kind: "inherited", from: "Ledger" },
    });
  });

  it("links clusters to their global cluster", () => {
    expect(get<GlobalCluster>("Global").memberClusterIds).toEqual(["PaymentsCluster"]);
  });

  it("resolves KmsKeyId through an alias resource and an alias name to the template's key", () => {
    expect(get<DbCluster>("PaymentsCluster").kmsKeyId).toMatchObject({ state: "known", refersTo: "PrimaryKey" });
    expect(get<DbCluster>("MultiAzDbCluster").kmsKeyId).toMatchObject({
      state: "known",
      value: "alias/payments",
      refersTo: "PrimaryKey",
    });
    expect(get<KmsKey>("PrimaryKey")).toMatchObject({
      aliases: ["alias/payments"],
      rotationEnabled: { state: "known", value: false },
      enabled: { state: "absent", default: true },
      keyManager: { state: "known", value: "CUSTOMER" },
    });
    expect(get<DbInstance>("LedgerReplicaByArn").kmsKeyId).toMatchObject({ state: "known", value: "alias/aws/rds" });
  });

  it("writes down AWS defaults: Aurora encrypted by default, Multi-AZ DB clusters not", () => {
    expect(get<DbCluster>("MultiAzDbCluster").storageEncrypted).toMatchObject({ state: "absent", default: false });
    const aurora = scanTemplateText(
      "Resources:\n  C:\n    Type: AWS::RDS::DBCluster\n    Properties:\n      Engine: aurora-postgresql\n",
      "a.yaml",
    ).model as Model;
    expect((aurora.resources.get("C") as DbCluster).storageEncrypted).toMatchObject({
      state: "absent",
      default: true,
      loc: { file: "a.yaml", line: 2, column: 3 },
    });
    expect(
      (aurora.resources.get("C") as DbCluster).storageEncrypted.state === "absent" &&
        (aurora.resources.get("C") as DbCluster).storageEncrypted,
    ).toMatchObject({ defaultSource: expect.stringContaining("2026-02-18") });
  });

  it("applies CloudFormation's DeletionPolicy defaults: Snapshot for clusters and standalone instances, Delete for members", () => {
    expect(get<DbCluster>("PaymentsCluster").deletionPolicy).toMatchObject({
      state: "known",
      value: "Retain",
      loc: { line: 26, column: 21 },
    });
    expect(get<DbInstance>("Ledger").deletionPolicy).toMatchObject({ state: "absent", default: "Snapshot" });
    expect(get<DbInstance>("WriterByRef").deletionPolicy).toMatchObject({ state: "absent", default: "Delete" });
    expect(get<DbCluster>("MultiAzDbCluster").deletionPolicy).toMatchObject({ state: "absent", default: "Snapshot" });
    // UpdateReplacePolicy has no RDS exception: a replacing update deletes unless told otherwise.
    expect(get<DbCluster>("MultiAzDbCluster").updateReplacePolicy).toMatchObject({
      state: "absent",
      default: "Delete",
    });
    expect(get<DbInstance>("Ledger").updateReplacePolicy).toMatchObject({ state: "absent", default: "Delete" });
  });

  it("keeps tags, the CDK construct path and inline suppressions with their position", () => {
    const cluster = get<DbCluster>("PaymentsCluster");
    expect(cluster.tags).toEqual({ environment: "production" });
    expect(cluster.origin).toMatchObject({
      source: "template",
      file: "linking.yaml",
      logicalId: "PaymentsCluster",
      cfnType: "AWS::RDS::DBCluster",
      cdkPath: "PaymentsStack/Cluster/Resource",
    });
    expect(cluster.suppressions).toEqual([
      {
        rule: "multi-az",
        reason: "Single writer while the reader is being migrated (OPS-77)",
        expires: "2027-01-31",
        loc: { file: "linking.yaml", line: 40, column: 13 },
      },
    ]);
    expect(model.cdk).toBe(true);
  });

  it("marks a Multi-AZ DB cluster's engine and class", () => {
    expect(get<DbCluster>("MultiAzDbCluster")).toMatchObject({
      engine: { state: "known", value: "postgres" },
      dbClusterInstanceClass: { state: "known", value: "db.m6gd.large" },
    });
  });
});
