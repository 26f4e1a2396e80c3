/**
 * backup-retention on a three-level read replica chain (external source -> middle replica -> leaf replica): the
 * middle one feeds another replica, so AWS requires automated backups on it and it is judged like a standalone
 * instance; the leaf is not applicable. On a real template through the scanner, and on live state served by the
 * fake AWS endpoint (ReadReplicaDBInstanceIdentifiers).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Model } from "../../src/model/types.js";
import { rule } from "../../src/rules/backup-retention.js";
import type { RuleResult } from "../../src/rules/types.js";
import { scanLive } from "../../src/scanners/live/index.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";
import {
  ACCOUNT_A,
  dbArn,
  FakeAws,
  fakeCredentials,
  instance as liveInstance,
  standardCertificates,
} from "../support/fake-aws/index.js";
import { NOW } from "./build-model.js";

function judge(m: Model, id: string): RuleResult[] {
  const resource = m.resources.get(id);
  if (!resource) throw new Error(`no resource ${id}`);
  return rule.evaluate(resource, { model: m, params: { minimumDays: 7 }, profile: "test", now: NOW });
}

function show(results: RuleResult[]): string[] {
  return results.map((r) => `${r.property} ${r.verdict}${r.when ? ` when ${r.when}` : ""}`);
}

describe("cascading read replicas in a template", () => {
  const file = "test/fixtures/rules/cascading-replicas.yaml";
  const scanned = scanTemplateText(readFileSync(path.resolve(__dirname, "../..", file), "utf8"), file);
  const m = scanned.model as Model;

  it("judges a middle replica with backups like a standalone instance", () => {
    const results = judge(m, "Middle");
    expect(show(results)).toEqual(["BackupRetentionPeriod pass", "DeletionPolicy pass", "UpdateReplacePolicy pass"]);
    expect(results[0]?.message).toBe(
      "read replica that is the source of read replica Leaf: BackupRetentionPeriod is 7 (literal) (policy minimum 7 days)",
    );
    expect(results[0]?.loc).toMatchObject({ file, line: 14, column: 30 });
  });

  it("fails a middle replica without backups, under the condition that creates its replica", () => {
    const results = judge(m, "NoBackupMiddle");
    expect(show(results)).toEqual([
      "BackupRetentionPeriod fail when CreateLeaf=true",
      "DeletionPolicy pass when CreateLeaf=true",
      "UpdateReplacePolicy fail when CreateLeaf=true",
    ]);
    expect(results[0]?.message).toBe(
      "when CreateLeaf=true: read replica that is the source of read replica MaybeLeaf: BackupRetentionPeriod is 0 (literal): automated backups are disabled (policy minimum 7 days); AWS requires automated backups on a read replica that is the source of another; " +
        "when CreateLeaf=false: read replica of arn:aws:rds:us-east-1:111122223333:db:billing-primary: automated backups of this data are taken on its source, and no read replica in this scan uses it as its source",
    );
  });

  it("leaves a leaf replica not applicable, naming its source once", () => {
    const [r] = judge(m, "Leaf");
    expect(r?.verdict).toBe("not-applicable");
    expect(r?.message).toBe(
      "read replica of Middle: automated backups of this data are taken on its source, and no read replica in this scan uses it as its source",
    );
  });
});

describe("cascading read replicas in live state", () => {
  const region = "us-east-1";
  const mysql = { Engine: "mysql", EngineVersion: "8.0.39", StorageEncryptionType: undefined };
  const external = dbArn("999999999999", region, "orders-primary");
  let fake: FakeAws;
  let m: Model;

  beforeAll(async () => {
    fake = new FakeAws({
      defaultAccount: ACCOUNT_A,
      accounts: [
        {
          id: ACCOUNT_A,
          globalClusters: [],
          keys: [],
          regions: {
            [region]: {
              clusters: [],
              certificates: standardCertificates(),
              instances: [
                liveInstance(ACCOUNT_A, region, "middle", {
                  ...mysql,
                  ReadReplicaSourceDBInstanceIdentifier: external,
                  ReadReplicaDBInstanceIdentifiers: ["leaf"],
                  BackupRetentionPeriod: 7,
                }),
                liveInstance(ACCOUNT_A, region, "leaf", {
                  ...mysql,
                  ReadReplicaSourceDBInstanceIdentifier: "middle",
                  BackupRetentionPeriod: 0,
                }),
                liveInstance(ACCOUNT_A, region, "middle-nobackup", {
                  ...mysql,
                  ReadReplicaSourceDBInstanceIdentifier: external,
                  ReadReplicaDBInstanceIdentifiers: [dbArn(ACCOUNT_A, "eu-west-1", "leaf-eu")],
                  BackupRetentionPeriod: 0,
                }),
              ],
            },
          },
        },
      ],
    });
    const endpointUrl = await fake.start();
    const result = await scanLive({
      regions: [region],
      concurrency: 1,
      timeoutMs: 5000,
      maxAttempts: 1,
      endpointUrl,
      credentials: fakeCredentials,
      homeRegion: region,
    });
    expect(result.errors).toEqual([]);
    m = result.models[0] as Model;
  });
  afterAll(async () => {
    await fake.stop();
  });

  it("judges the middle replica from ReadReplicaDBInstanceIdentifiers, without template policies", () => {
    const results = judge(m, dbArn(ACCOUNT_A, region, "middle"));
    expect(show(results)).toEqual(["BackupRetentionPeriod pass"]);
    expect(results[0]?.message).toBe(
      "read replica that is the source of read replica leaf: BackupRetentionPeriod is 7 (live, DescribeDBInstances) (policy minimum 7 days)",
    );
  });

  it("fails a middle replica without backups whose replica is in another Region", () => {
    const [r] = judge(m, dbArn(ACCOUNT_A, region, "middle-nobackup"));
    expect(r?.verdict).toBe("fail");
    expect(r?.message).toContain(`source of read replica ${dbArn(ACCOUNT_A, "eu-west-1", "leaf-eu")}`);
    expect(r?.message).toContain("automated backups are disabled");
  });

  it("leaves the leaf not applicable though its own retention is 0", () => {
    const [r] = judge(m, dbArn(ACCOUNT_A, region, "leaf"));
    expect(r?.verdict).toBe("not-applicable");
    expect(r?.message).toBe(
      "read replica of middle: automated backups of this data are taken on its source, and no read replica uses it as its source (ReadReplicaDBInstanceIdentifiers is empty)",
    );
  });
});
