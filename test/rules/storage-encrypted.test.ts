import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/model/defaults.js";
import { rule } from "../../src/rules/storage-encrypted.js";
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
  kmsKey,
  known,
  live,
  member,
  model,
  run,
  unknown,
  verdicts,
} from "./build-model.js";

describe("storage-encrypted: standalone DB instances", () => {
  it("fails when StorageEncrypted is absent (AWS default false), located at the resource", () => {
    const db = instance("Db", { storageEncrypted: absent(false, "StorageEncrypted defaults to false", at(4, 3)) });
    const [r] = run(rule, model([db]), "Db");
    expect(r).toEqual({
      verdict: "fail",
      property: "StorageEncrypted",
      loc: at(4, 3),
      message: "StorageEncrypted is not set: AWS default false (StorageEncrypted defaults to false)",
    });
  });

  it("passes on a literal true and names the origin", () => {
    const [r] = run(rule, model([instance("Db", { storageEncrypted: known(true, at(9, 25)) })]), "Db");
    expect(r).toMatchObject({ verdict: "pass", message: "StorageEncrypted is true (literal)", loc: at(9, 25) });
  });

  it("fails on the default of a template parameter and says so", () => {
    const db = instance("Db", { storageEncrypted: fromParamDefault(false, "DbEncrypted", at(9, 25)) });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("fail");
    expect(r?.message).toBe("StorageEncrypted is false (default of parameter DbEncrypted)");
  });

  it("passes on a value from the user's parameters file", () => {
    const db = instance("Db", { storageEncrypted: fromUserParam(true, "DbEncrypted", at(9, 25)) });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("pass");
    expect(r?.message).toBe(
      "StorageEncrypted is true (parameter DbEncrypted as given by you (--parameters or --parameter))",
    );
  });

  it("is unknown for an Fn::ImportValue, with the reason", () => {
    const db = instance("Db", { storageEncrypted: importValue("shared-encrypt", at(9, 25)) });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("unknown");
    expect(r?.message).toContain("Fn::ImportValue shared-encrypt");
  });

  it("names the condition under which an undecidable Fn::If fails", () => {
    const db = instance("Db", {
      storageEncrypted: ifCond("IsProd", known(true, at(10, 9)), known(false, at(11, 9)), at(9, 25)),
    });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("fail");
    expect(r?.when).toBe("IsProd=false");
    expect(r?.loc).toEqual(at(11, 9));
    expect(r?.message).toBe(
      "when IsProd=false: StorageEncrypted is false (literal); when IsProd=true: StorageEncrypted is true (literal)",
    );
  });

  it("gives one unconditional result when both branches agree", () => {
    const db = instance("Db", { storageEncrypted: ifCond("IsProd", known(true), fromParamDefault(true, "Enc")) });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("pass");
    expect(r?.when).toBeUndefined();
  });

  it("judges a resource whose own Condition is undecidable and says so", () => {
    const db = instance("Db", { condition: { name: "IsProd", value: "unknown" }, storageEncrypted: known(false) });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("fail");
    expect(r?.message).toBe("StorageEncrypted is false (literal) (only created when IsProd)");
  });

  it("drops alternatives that contradict the resource's own Condition", () => {
    const db = instance("Db", {
      condition: { name: "IsProd", value: "unknown" },
      storageEncrypted: ifCond("IsProd", known(true), known(false)),
    });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("pass");
    expect(r?.when).toBeUndefined();
  });

  it("is unknown for a restore from a DB snapshot, even with StorageEncrypted or KmsKeyId in the template", () => {
    // RestoreDBInstanceFromDBSnapshot has neither parameter: the snapshot alone decides.
    const restored = instance("Db", {
      snapshotIdentifier: known("arn:aws:rds:eu-west-1:111122223333:snapshot:s1", at(6, 29)),
    });
    const [r] = run(rule, model([restored]), "Db");
    expect(r?.verdict).toBe("unknown");
    expect(r?.loc).toEqual(at(6, 29));
    expect(r?.message).toContain("inherited from the snapshot");

    const withKey = instance("Db", {
      snapshotIdentifier: known("s1"),
      storageEncrypted: known(true, at(7, 25)),
      kmsKeyId: known("arn:aws:kms:eu-west-1:111122223333:key/abcd", at(8, 17)),
    });
    const [k] = run(rule, model([withKey]), "Db");
    expect(k?.verdict).toBe("unknown");
    expect(k?.message).toBe(
      "restored from snapshot (DBSnapshotIdentifier is s1 (literal)): encryption is inherited from the snapshot and cannot be told from here; StorageEncrypted and KmsKeyId in the template are not applied: RestoreDBInstanceFromDBSnapshot takes no such setting",
    );
    // The key the template names is not the key the restore uses.
    expect(verdicts(run(rule, model([withKey]), "Db", { requireCustomerManagedKey: true }))).toEqual([
      "StorageEncrypted:unknown",
      "KmsKeyId:unknown",
    ]);
  });

  it("is unknown when StorageEncrypted is absent and no AWS default is recorded (the rule keeps no defaults)", () => {
    const db = instance("Db", { storageEncrypted: absent(undefined, "not reported") });
    expect(run(rule, model([db]), "Db")[0]).toMatchObject({
      verdict: "unknown",
      message:
        "StorageEncrypted is not set (not reported): no AWS default is recorded for it, so the value cannot be told",
    });
  });
});

describe("storage-encrypted: read replicas inherit from the source", () => {
  it("takes the verdict of a source in the model", () => {
    const source = instance("Primary", { storageEncrypted: known(true) });
    const replica = instance("Replica", {
      role: "read-replica",
      sourceId: "Primary",
      sourceDbInstanceIdentifier: known("Primary (resource attribute)", at(20, 35)),
    });
    const [r] = run(rule, model([source, replica]), "Replica");
    expect(r).toMatchObject({ verdict: "pass", property: "StorageEncrypted", loc: at(20, 35) });
    expect(r?.message).toBe(
      "read replica: encryption inherited from source Primary: StorageEncrypted is true (literal)",
    );

    source.storageEncrypted = absent(false, "default false");
    expect(verdicts(run(rule, model([source, replica]), "Replica"))).toEqual(["StorageEncrypted:fail"]);
  });

  it("is unknown when the source is outside the scan", () => {
    const replica = instance("Replica", {
      role: "read-replica",
      sourceDbInstanceIdentifier: known("arn:aws:rds:us-east-1:111122223333:db:prod"),
    });
    const [r] = run(rule, model([replica]), "Replica");
    expect(r?.verdict).toBe("unknown");
    expect(r?.message).toContain("not in this scan");
  });

  it("passes a cross-region replica that names its own KMS key", () => {
    const replica = instance("Replica", {
      role: "read-replica",
      sourceDbInstanceIdentifier: known("arn:aws:rds:us-east-1:111122223333:db:prod"),
      kmsKeyId: known("arn:aws:kms:eu-west-1:111122223333:key/abcd"),
    });
    expect(verdicts(run(rule, model([replica]), "Replica"))).toEqual(["StorageEncrypted:pass"]);
  });
});

describe("storage-encrypted: Aurora", () => {
  it("passes a template Aurora cluster without StorageEncrypted (AWS owned key by default) and cites it", () => {
    const c = cluster("Cluster");
    const [r] = run(rule, model([c]), "Cluster");
    expect(r?.verdict).toBe("pass");
    expect(r?.message).toBe(
      `StorageEncrypted is not set: AWS default true (${DEFAULTS.auroraStorageEncrypted.source})`,
    );
    expect(r?.message).toContain("2026-02-18");
  });

  it("fails an Aurora cluster with StorageEncrypted false", () => {
    const c = cluster("Cluster", { storageEncrypted: known(false, at(8, 25)) });
    expect(run(rule, model([c]), "Cluster")).toEqual([
      { verdict: "fail", property: "StorageEncrypted", loc: at(8, 25), message: "StorageEncrypted is false (literal)" },
    ]);
  });

  it("never judges an Aurora member on encryption", () => {
    const c = cluster("Cluster", { storageEncrypted: known(false) });
    const m = member("Writer", "Cluster");
    const [r] = run(rule, model([c, m]), "Writer");
    expect(r?.verdict).toBe("not-applicable");
    expect(r).toEqual({
      verdict: "not-applicable",
      property: "StorageEncrypted",
      loc: at(1, 3),
      message: "Storage encryption of an Aurora cluster member is owned by the cluster: judged on cluster Cluster",
    });
  });

  it("passes Aurora Serverless v1 (storage always encrypted)", () => {
    const c = cluster("Cluster", { engineMode: known("serverless"), storageEncrypted: absent(false, "x") });
    const [r] = run(rule, model([c]), "Cluster");
    expect(r?.verdict).toBe("pass");
    expect(r?.message).toContain("Aurora Serverless v1 storage is always encrypted");
  });

  it("is unknown for a cluster restored from a snapshot; passes with a KmsKeyId", () => {
    const c = cluster("Cluster", { snapshotIdentifier: known("my-snap") });
    expect(verdicts(run(rule, model([c]), "Cluster"))).toEqual(["StorageEncrypted:unknown"]);
    c.kmsKeyId = known("arn:aws:kms:eu-west-1:111122223333:key/abcd");
    expect(verdicts(run(rule, model([c]), "Cluster"))).toEqual(["StorageEncrypted:pass"]);
  });

  it("inherits from a source cluster in the model (point-in-time restore / clone)", () => {
    const source = cluster("Source", { storageEncrypted: known(false) });
    const clone = cluster("Clone", { sourceDbClusterIdentifier: known("Source (resource attribute)", undefined) });
    clone.sourceDbClusterIdentifier = { ...known("Source (resource attribute)"), refersTo: "Source" };
    const [r] = run(rule, model([source, clone]), "Clone");
    expect(r?.verdict).toBe("fail");
    expect(r?.message).toBe("encryption inherited from source cluster Source: StorageEncrypted is false (literal)");
  });

  it("uses StorageEncryptionType from the live API", () => {
    const none = cluster("arn:c1", { storageEncryptionType: live("none"), storageEncrypted: live(false) });
    const sse = cluster("arn:c2", { storageEncryptionType: live("sse-rds"), storageEncrypted: live(true) });
    const m = model([none, sse], { source: "live" });
    expect(verdicts(run(rule, m, "arn:c1"))).toEqual(["StorageEncrypted:fail"]);
    expect(verdicts(run(rule, m, "arn:c2"))).toEqual(["StorageEncrypted:pass"]);
    expect(verdicts(run(rule, m, "arn:c2", { requireCustomerManagedKey: true }))).toEqual([
      "StorageEncrypted:pass",
      "KmsKeyId:fail",
    ]);
  });

  it("judges a Multi-AZ DB cluster (non-Aurora) by its own default", () => {
    const c = cluster("Maz", {
      engine: known("postgres"),
      dbClusterInstanceClass: known("db.m6gd.large"),
      storageEncrypted: absent(false, "StorageEncrypted defaults to false"),
    });
    expect(verdicts(run(rule, model([c]), "Maz"))).toEqual(["StorageEncrypted:fail"]);
  });
});

describe("storage-encrypted: customer-managed KMS key", () => {
  const params = { requireCustomerManagedKey: true };

  it("fails when KmsKeyId is absent", () => {
    const c = cluster("Cluster", { storageEncrypted: known(true) });
    const [, k] = run(rule, model([c]), "Cluster", params);
    expect(k?.verdict).toBe("fail");
    expect(k?.property).toBe("KmsKeyId");
    expect(k?.message).toContain("requireCustomerManagedKey");
  });

  it("passes a key of the template and judges the key once, on the key", () => {
    const key = kmsKey("DbKey", { rotationEnabled: known(true, at(5, 26)), loc: at(3, 3) });
    const c = cluster("Cluster", {
      storageEncrypted: known(true),
      kmsKeyId: { ...known("DbKey (resource attribute)", at(12, 17)), refersTo: "DbKey" },
    });
    const m = model([key, c]);
    expect(verdicts(run(rule, m, "Cluster", params))).toEqual(["StorageEncrypted:pass", "KmsKeyId:pass"]);
    expect(verdicts(run(rule, m, "DbKey", params))).toEqual(["Enabled:pass", "EnableKeyRotation:pass"]);
  });

  it("fails a key without rotation at the key (absent → default false) and a disabled key", () => {
    const key = kmsKey("DbKey", { enabled: known(false, at(6, 16)), loc: at(3, 3) });
    const c = cluster("Cluster", { storageEncrypted: known(true), kmsKeyId: { ...known("DbKey"), refersTo: "DbKey" } });
    const results = run(rule, model([key, c]), "DbKey");
    expect(results).toEqual([
      {
        verdict: "fail",
        property: "Enabled",
        loc: at(6, 16),
        message: "Enabled is false (literal): a disabled key makes the databases it encrypts unusable; used by Cluster",
      },
      {
        verdict: "fail",
        property: "EnableKeyRotation",
        loc: at(3, 3),
        message: `EnableKeyRotation is not set: AWS default false (${DEFAULTS.kmsKeyRotation.source}); used by Cluster`,
      },
    ]);
  });

  it("leaves keys no RDS resource uses alone", () => {
    expect(verdicts(run(rule, model([kmsKey("Other")]), "Other"))).toEqual(["-:not-applicable"]);
  });

  it("fails the AWS managed key, by alias or by key manager", () => {
    const byAlias = instance("Db", { storageEncrypted: known(true), kmsKeyId: known("alias/aws/rds") });
    expect(verdicts(run(rule, model([byAlias]), "Db", params))).toEqual(["StorageEncrypted:pass", "KmsKeyId:fail"]);

    const awsKey = kmsKey("arn:aws:kms:eu-west-1:1:key/k1", {
      keyId: "k1",
      keyManager: known<"CUSTOMER" | "AWS">("AWS"),
    });
    const db = instance("arn:db", { storageEncrypted: live(true), kmsKeyId: live("arn:aws:kms:eu-west-1:1:key/k1") });
    const m = model([awsKey, db], { source: "live" });
    expect(verdicts(run(rule, m, "arn:db", params))).toEqual(["StorageEncrypted:pass", "KmsKeyId:fail"]);
    // An AWS managed key is rotated by AWS: not judged on rotation.
    expect(verdicts(run(rule, m, awsKey.id))).toEqual(["Enabled:pass", "EnableKeyRotation:not-applicable"]);
  });

  it("is unknown for a key outside the scan or imported", () => {
    const db = instance("Db", { storageEncrypted: known(true), kmsKeyId: importValue("shared-key") });
    expect(verdicts(run(rule, model([db]), "Db", params))).toEqual(["StorageEncrypted:pass", "KmsKeyId:unknown"]);
  });

  it("does not pile a key finding onto an unencrypted database", () => {
    const db = instance("Db", { storageEncrypted: known(false) });
    expect(verdicts(run(rule, model([db]), "Db", params))).toEqual([
      "StorageEncrypted:fail",
      "KmsKeyId:not-applicable",
    ]);
  });
});

describe("storage-encrypted: global clusters", () => {
  it("judges an explicit value, and defers to members when unset", () => {
    expect(verdicts(run(rule, model([globalCluster("G", { storageEncrypted: known(true) })]), "G"))).toEqual([
      "StorageEncrypted:pass",
    ]);
    expect(verdicts(run(rule, model([globalCluster("G", { storageEncrypted: known(false) })]), "G"))).toEqual([
      "StorageEncrypted:fail",
    ]);
    const g = globalCluster("G", { memberClusterIds: ["Primary"] });
    expect(verdicts(run(rule, model([g, cluster("Primary")]), "G"))).toEqual(["StorageEncrypted:not-applicable"]);
    const fromSource = globalCluster("G", { sourceDbClusterIdentifier: { ...unknown("Ref"), refersTo: "Primary" } });
    expect(verdicts(run(rule, model([fromSource, cluster("Primary")]), "G"))).toEqual(["StorageEncrypted:pass"]);
  });
});

describe("storage-encrypted: inheritance keeps conditions, live answers are the truth", () => {
  it("a replica of a source whose encryption depends on a condition fails under that condition", () => {
    const source = instance("Primary", { storageEncrypted: ifCond("Encrypt", known(true), known(false)) });
    const replica = instance("Replica", {
      role: "read-replica",
      sourceId: "Primary",
      sourceDbInstanceIdentifier: { ...known("Primary (resource attribute)", at(20, 35)), refersTo: "Primary" },
    });
    const [r] = run(rule, model([source, replica]), "Replica");
    expect(r).toMatchObject({ verdict: "fail", when: "Encrypt=false", loc: at(20, 35) });
  });

  it("a KmsKeyId cannot encrypt a replica of an unencrypted source in the template", () => {
    const source = instance("Primary", { storageEncrypted: known(false) });
    const replica = instance("Replica", {
      role: "read-replica",
      sourceId: "Primary",
      sourceDbInstanceIdentifier: known("Primary (resource attribute)"),
      kmsKeyId: known("arn:aws:kms:eu-west-1:111122223333:key/abcd"),
    });
    const [r] = run(rule, model([source, replica]), "Replica");
    expect(r?.verdict).toBe("fail");
    expect(r?.message).toContain("CreateDBInstanceReadReplica rejects it");
  });

  it("a clone of a cluster whose encryption depends on a condition fails under that condition", () => {
    const source = cluster("Source", { storageEncrypted: ifCond("Encrypt", known(true), known(false)) });
    const clone = cluster("Clone", {
      sourceDbClusterIdentifier: { ...known("Source (resource attribute)"), refersTo: "Source" },
    });
    expect(verdicts(run(rule, model([source, clone]), "Clone"))).toEqual(["StorageEncrypted:fail when Encrypt=false"]);
    // With a KmsKeyId the restore of an encrypted source is encrypted with it; of an unencrypted one it is rejected.
    clone.kmsKeyId = known("arn:aws:kms:eu-west-1:111122223333:key/abcd");
    expect(verdicts(run(rule, model([source, clone]), "Clone"))).toEqual(["StorageEncrypted:fail when Encrypt=false"]);
  });

  it("a cluster restore names no key: StorageEncrypted true is not applied, so it is unknown", () => {
    const c = cluster("Cluster", { snapshotIdentifier: known("snap", at(5, 27)), storageEncrypted: known(true) });
    const [r] = run(rule, model([c]), "Cluster");
    expect(r).toMatchObject({ verdict: "unknown", loc: at(5, 27) });
    expect(r?.message).toContain("StorageEncrypted in the template is not applied: RestoreDBClusterFromSnapshot");
  });

  it("a live replica (instance or cluster) is judged on what the API reports, even with its source elsewhere", () => {
    const replica = instance("arn:db:replica", {
      origin: { source: "live", arn: "arn:db:replica" },
      role: "read-replica",
      sourceDbInstanceIdentifier: live("arn:aws:rds:us-east-1:111122223333:db:prod", "DescribeDBInstances"),
      storageEncrypted: live(false, "DescribeDBInstances"),
    });
    const replicaCluster = cluster("arn:cluster:replica", {
      origin: { source: "live", arn: "arn:cluster:replica" },
      replicationSourceIdentifier: live("arn:aws:rds:us-east-1:111122223333:cluster:prod"),
      storageEncrypted: live(true),
    });
    const m = model([replica, replicaCluster], { source: "live" });
    expect(verdicts(run(rule, m, "arn:db:replica"))).toEqual(["StorageEncrypted:fail"]);
    expect(verdicts(run(rule, m, "arn:cluster:replica"))).toEqual(["StorageEncrypted:pass"]);
    replicaCluster.storageEncrypted = live(false);
    expect(verdicts(run(rule, m, "arn:cluster:replica"))).toEqual(["StorageEncrypted:fail"]);
  });

  it("a global cluster takes its source cluster's alternatives", () => {
    const source = cluster("Primary", { storageEncrypted: ifCond("Encrypt", known(true), known(false)) });
    const g = globalCluster("G", { sourceDbClusterIdentifier: { ...unknown("Ref"), refersTo: "Primary" } });
    expect(verdicts(run(rule, model([g, source]), "G"))).toEqual(["StorageEncrypted:fail when Encrypt=false"]);
  });
});
