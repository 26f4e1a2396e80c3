/**
 * storage-encrypted: encryption at rest, judged where AWS decides it. Aurora: on the DB cluster (members are not
 * judged). Read replicas: inherited from the source (in the scan, or unknown). Restores: inherited from the snapshot;
 * a DB cluster restore is encrypted when it names a KmsKeyId, a DB instance restore takes neither StorageEncrypted
 * nor KmsKeyId (RestoreDBInstanceFromDBSnapshot has no such parameters). Live answers are the database as it is and
 * are judged as reported. Optionally a customer-managed KMS key, and the key itself (enabled, rotated) when it is in
 * the scan.
 *
 * KMS keys are judged once, on the key resource, and only when an RDS resource in the same model uses them, so a
 * key shared by two clusters gives one finding, and keys unrelated to RDS are left to other tools.
 */

import { isAuroraEngine, isServerlessV1 } from "../model/engines.js";
import { clusterOf, isAwsManagedKeyName, kmsKeyFor, sourceOf } from "../model/relations.js";
import type {
  Absent,
  ConditionAssumption,
  DbCluster,
  DbInstance,
  GlobalCluster,
  KmsKey,
  ModelResource,
  Resolved,
} from "../model/types.js";
import { isSet, knownValue } from "../model/values.js";
import { combine, mergeUnder, resourceAssumption } from "./alternatives.js";
import { describe, describeAttr } from "./messages.js";
import { booleanParam } from "./parameters.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import {
  type AlternativeJudgement,
  type Judgement,
  judgeAcross,
  judgedOnCluster,
  judgeFlag,
  judgement,
  mergeJudgements,
  single,
} from "./verdicts.js";

export const meta: RuleMeta = {
  id: "storage-encrypted",
  title: "Storage is encrypted at rest",
  severity: "high",
  description:
    "DB clusters, standalone DB instances and global clusters encrypt their storage at rest; optionally with a customer-managed KMS key that is enabled and rotated.",
  rationale:
    "Encryption at rest covers the storage, automated backups, snapshots and read replicas. It can only be chosen when the database is created (or restored), so an unencrypted database has to be migrated later. A customer-managed key adds key policy control, auditability and revocation.",
  remediation: {
    text: "Set StorageEncrypted: true on the DB cluster (Aurora) or standalone DB instance; to use your own key, also set KmsKeyId to an AWS::KMS::Key with EnableKeyRotation: true. Aurora members inherit encryption from the cluster; read replicas from their source. A DB cluster restored from a snapshot is encrypted only by naming a KmsKeyId; a DB instance restored from a DB snapshot takes the snapshot's encryption whatever the template says, so restore from an encrypted snapshot (copy it with a KMS key first).",
    snippet: [
      "Resources:",
      "  DbKey:",
      "    Type: AWS::KMS::Key",
      "    Properties:",
      "      EnableKeyRotation: true",
      "      KeyPolicy:",
      '        Version: "2012-10-17"',
      "        Statement:",
      "          - Sid: AccountAdmin",
      "            Effect: Allow",
      "            Principal:",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template.
      '              AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"',
      '            Action: "kms:*"',
      '            Resource: "*"',
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      StorageEncrypted: true",
      "      KmsKeyId: !Ref DbKey",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [
    {
      name: "requireCustomerManagedKey",
      type: "boolean",
      default: false,
      description:
        "Also require KmsKeyId to name a customer-managed KMS key (not the AWS-owned key or the AWS-managed aws/rds key).",
    },
    {
      name: "requireKeyRotation",
      type: "boolean",
      default: true,
      description: "Require automatic rotation on customer-managed KMS keys (in the scan) that RDS resources use.",
    },
  ],
  references: {
    securityHub: ["RDS.3", "RDS.27", "KMS.4"],
    awsConfig: ["rds-storage-encrypted", "rds-cluster-encrypted-at-rest", "cmk-backing-key-rotation-enabled"],
    checkov: ["CKV_AWS_16", "CKV_AWS_96", "CKV_AWS_7"],
    cfnNag: ["F26", "F27", "F19"],
    cfnGuard: ["RDS_STORAGE_ENCRYPTED", "CMK_BACKING_KEY_ROTATION_ENABLED"],
    cdkNag: ["AwsSolutions-RDS2", "AwsSolutions-KMS5"],
  },
  appliesTo: ["db-cluster", "db-instance", "global-cluster", "kms-key"],
  tags: ["security", "encryption", "kms"],
  sources: [
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html",
    // No StorageEncrypted or KmsKeyId parameter: a DB instance restore takes the snapshot's encryption.
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html",
    // KmsKeyId encrypts the restored cluster; without it the snapshot decides.
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterFromSnapshot.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterToPointInTime.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html",
  ],
};

const NOT_REPORTED: Absent<string> = { state: "absent", default: undefined, defaultSource: "not reported" };
const P = "StorageEncrypted";

/** One alternative of a database's encryption: the encryption verdict and the customer-managed-key verdict. */
interface EncryptionAlternative {
  when: ConditionAssumption;
  enc: Judgement;
  cmk: Judgement;
}

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  switch (resource.kind) {
    case "db-cluster":
      return results(resource, clusterAlternatives(resource, ctx, new Set()), ctx);
    case "db-instance":
      if (resource.role === "aurora-member" || resource.role === "cluster-member") {
        return [judgedOnCluster(resource, ctx, P, "Storage encryption")];
      }
      return results(resource, instanceAlternatives(resource, ctx, new Set()), ctx);
    case "global-cluster":
      return [evaluateGlobal(resource, ctx)];
    case "kms-key":
      return evaluateKey(resource, ctx);
  }
}

function results(resource: DbCluster | DbInstance, alts: EncryptionAlternative[], ctx: RuleContext): RuleResult[] {
  const out = [
    mergeJudgements(
      alts.map((a) => ({ when: a.when, judgement: a.enc })),
      resource,
      { property: P },
    ),
  ];
  if (booleanParam(ctx, "requireCustomerManagedKey", false)) {
    out.push(
      mergeJudgements(
        alts.map((a) => ({ when: a.when, judgement: a.cmk })),
        resource,
        { property: "KmsKeyId" },
      ),
    );
  }
  return out;
}

/** A value the live API reported: the database as it is, whatever it was created from. */
function reportedLive(attr: Resolved<boolean>): boolean {
  return attr.state === "known" && attr.origin.kind === "live";
}

/** "(StorageEncrypted true in the template is not applied to a restore: ...)" when the template sets it. */
function notAppliedNote(encrypted: Resolved<boolean>, kmsKeyId: Resolved<string> | undefined, api: string): string {
  const set: string[] = [];
  if (encrypted.state === "known" && encrypted.value) set.push("StorageEncrypted");
  if (kmsKeyId && kmsKeyId.state !== "absent") set.push("KmsKeyId");
  if (set.length === 0) return "";
  return `; ${set.join(" and ")} in the template ${set.length === 1 ? "is" : "are"} not applied: ${api} takes no such setting`;
}

// -------------------------------------------------------------------------------------------- DB clusters

function clusterAlternatives(cluster: DbCluster, ctx: RuleContext, seen: Set<string>): EncryptionAlternative[] {
  seen.add(cluster.id);
  const base = resourceAssumption(cluster);
  const multiAzDbCluster = isSet(cluster.dbClusterInstanceClass);
  const combos = combine<[string, string, boolean, string, string, string, string, string]>(
    base,
    cluster.engine,
    cluster.engineMode,
    cluster.storageEncrypted,
    cluster.kmsKeyId,
    cluster.snapshotIdentifier,
    cluster.sourceDbClusterIdentifier,
    cluster.replicationSourceIdentifier,
    cluster.storageEncryptionType ?? NOT_REPORTED,
  );
  const out: EncryptionAlternative[] = [];
  for (const { when, values } of combos) {
    const [engine, mode, encrypted, kmsKeyId, snapshot, source, replicationSource, encryptionType] = values;
    const own = (enc: Judgement, inheritedKey: boolean): EncryptionAlternative => ({
      when,
      enc,
      cmk: judgeCustomerKey(cluster, ctx, enc, kmsKeyId, encryptionType, inheritedKey),
    });
    const loc = encrypted.loc ?? cluster.loc;

    if (mode.state === "known" && isServerlessV1(mode.value)) {
      out.push(
        own(
          judgement(
            "pass",
            `${describe("EngineMode", mode)}: Aurora Serverless v1 storage is always encrypted`,
            P,
            mode.loc ?? cluster.loc,
          ),
          false,
        ),
      );
      continue;
    }
    if (encryptionType.state === "known") {
      const type = encryptionType.value.toLowerCase();
      const what = describe("StorageEncryptionType", encryptionType);
      const verdict = type === "none" ? "fail" : type === "sse-rds" || type === "sse-kms" ? "pass" : undefined;
      if (verdict) {
        const text =
          type === "none"
            ? "storage is not encrypted"
            : type === "sse-rds"
              ? "encrypted with an AWS owned key"
              : "encrypted with a KMS key";
        out.push(own(judgement(verdict, `${what}: ${text}`, P, cluster.loc), false));
        continue;
      }
    }
    if (encrypted.state === "known" && reportedLive(encrypted)) {
      out.push(own(judgement(encrypted.value ? "pass" : "fail", describe(P, encrypted), P, loc), false));
      continue;
    }
    if (snapshot.state !== "absent") {
      // RestoreDBClusterFromSnapshot takes KmsKeyId (and then encrypts, even an unencrypted snapshot) but no
      // StorageEncrypted: without a key, the snapshot decides.
      const label = `restored from snapshot (${describe("SnapshotIdentifier", snapshot)})`;
      out.push(
        own(
          kmsKeyId.state !== "absent"
            ? judgement(
                "pass",
                `${label}; ${describe("KmsKeyId", kmsKeyId)}: RestoreDBClusterFromSnapshot encrypts the restored cluster with that key`,
                P,
                kmsKeyId.loc ?? loc,
              )
            : judgement(
                "unknown",
                `${label}: encryption is inherited from the snapshot and cannot be told from here${notAppliedNote(encrypted, undefined, "RestoreDBClusterFromSnapshot")} (set KmsKeyId to be sure)`,
                P,
                snapshot.loc ?? loc,
              ),
          kmsKeyId.state === "absent",
        ),
      );
      continue;
    }
    if (source.state !== "absent") {
      // Point-in-time restore or clone: RestoreDBClusterToPointInTime takes KmsKeyId, rejects it for an
      // unencrypted source, and takes no StorageEncrypted.
      const label = `restored from source cluster (${describe("SourceDBClusterIdentifier", source)})`;
      const sourceCluster = linkedCluster(source, ctx);
      if (sourceCluster && !seen.has(sourceCluster.id)) {
        for (const inherited of clusterAlternatives(sourceCluster, ctx, new Set(seen))) {
          const merged = mergeUnder(base, when, inherited.when);
          if (!merged) continue;
          const from = `encryption inherited from source cluster ${sourceCluster.name}: ${inherited.enc.message}`;
          const enc =
            kmsKeyId.state !== "absent" && inherited.enc.verdict !== "fail"
              ? judgement(
                  "pass",
                  `${label}; ${describe("KmsKeyId", kmsKeyId)}: the restored cluster is encrypted with that key`,
                  P,
                  kmsKeyId.loc ?? loc,
                )
              : judgement(
                  inherited.enc.verdict,
                  inherited.enc.verdict === "fail" && kmsKeyId.state !== "absent"
                    ? `${from}; a KmsKeyId cannot encrypt a restore of an unencrypted cluster (RestoreDBClusterToPointInTime rejects it)`
                    : from,
                  P,
                  source.loc ?? loc,
                );
          out.push({
            when: merged,
            enc,
            cmk:
              kmsKeyId.state === "absent"
                ? prefixed(inherited.cmk, `KMS key inherited from source cluster ${sourceCluster.name}`, source.loc)
                : judgeCustomerKey(cluster, ctx, enc, kmsKeyId, encryptionType, false),
          });
        }
        continue;
      }
      out.push(
        own(
          kmsKeyId.state !== "absent"
            ? judgement(
                "pass",
                `${label}; ${describe("KmsKeyId", kmsKeyId)}: the restored cluster is encrypted with that key`,
                P,
                kmsKeyId.loc ?? loc,
              )
            : judgement(
                "unknown",
                `${label}: encryption is inherited from the source cluster, which is not in this scan${notAppliedNote(encrypted, undefined, "RestoreDBClusterToPointInTime")} (set KmsKeyId to be sure)`,
                P,
                source.loc ?? loc,
              ),
          kmsKeyId.state === "absent",
        ),
      );
      continue;
    }
    if (replicationSource.state !== "absent") {
      // A cross-Region replica cluster: Aurora creates no encrypted replica of an unencrypted cluster (nor the
      // reverse), so a replica that deploys with StorageEncrypted or a KmsKeyId is encrypted.
      const label = `read replica cluster (${describe("ReplicationSourceIdentifier", replicationSource)})`;
      const stated = (encrypted.state === "known" && encrypted.value) || kmsKeyId.state !== "absent";
      out.push(
        own(
          stated
            ? judgement(
                "pass",
                `${label}; ${encrypted.state === "known" && encrypted.value ? describe(P, encrypted) : describe("KmsKeyId", kmsKeyId)}: the replica is encrypted`,
                P,
                kmsKeyId.loc ?? loc,
              )
            : judgement(
                "unknown",
                `${label}: encryption follows the source cluster and cannot be told from here (set StorageEncrypted: true or a KmsKeyId to be sure)`,
                P,
                replicationSource.loc ?? loc,
              ),
          kmsKeyId.state === "absent",
        ),
      );
      continue;
    }
    out.push(own(judgeNewClusterEncryption(cluster, ctx, engine, encrypted, multiAzDbCluster), false));
  }
  return out;
}

/** A cluster created from scratch: its StorageEncrypted, or the default the scanner recorded for its engine. */
function judgeNewClusterEncryption(
  cluster: DbCluster,
  ctx: RuleContext,
  engine: Resolved<string>,
  encrypted: Resolved<boolean>,
  multiAzDbCluster: boolean,
): Judgement {
  const loc = encrypted.loc ?? cluster.loc;
  if (encrypted.state === "known") {
    return judgement(encrypted.value ? "pass" : "fail", describe(P, encrypted), P, loc);
  }
  if (encrypted.state === "unknown") return judgement("unknown", describe(P, encrypted), P, loc);
  if (ctx.model.source === "live") {
    return judgement("unknown", "StorageEncrypted was not reported by the API for this cluster", P, loc);
  }
  if (engine.state === "unknown" && !multiAzDbCluster) {
    return judgement(
      "unknown",
      `StorageEncrypted is not set and ${describe("Engine", engine)}: whether the Aurora default encryption applies cannot be told`,
      P,
      loc,
    );
  }
  return judgeFlag(P, encrypted, loc);
}

function linkedCluster(attr: Resolved<string>, ctx: RuleContext): DbCluster | undefined {
  if (attr.state === "absent") return undefined;
  if (attr.refersTo) {
    const r = ctx.model.resources.get(attr.refersTo);
    if (r?.kind === "db-cluster") return r;
  }
  if (attr.state !== "known") return undefined;
  for (const r of ctx.model.resources.values()) {
    if (r.kind !== "db-cluster") continue;
    if (r.id === attr.value || knownValue(r.dbClusterIdentifier) === attr.value) return r;
  }
  return undefined;
}

function prefixed(j: Judgement, prefix: string, loc: Judgement["loc"]): Judgement {
  return judgement(j.verdict, `${prefix}: ${j.message}`, j.property, loc ?? j.loc);
}

// ------------------------------------------------------------------------------------ customer-managed key

function judgeCustomerKey(
  resource: DbCluster | DbInstance,
  ctx: RuleContext,
  encryption: Judgement,
  kmsKeyId: Resolved<string>,
  encryptionType: Resolved<string>,
  inherited: boolean,
): Judgement {
  const K = "KmsKeyId";
  const loc = kmsKeyId.loc ?? resource.loc;
  const param = "(parameter requireCustomerManagedKey)";
  if (encryption.verdict === "fail") {
    return judgement("not-applicable", "storage is not encrypted: see StorageEncrypted", K, loc);
  }
  if (encryptionType.state === "known" && encryptionType.value.toLowerCase() === "sse-rds") {
    return judgement(
      "fail",
      `${describe("StorageEncryptionType", encryptionType)}: encrypted with an AWS owned key, but the policy requires a customer-managed KMS key ${param}`,
      K,
      loc,
    );
  }
  if (kmsKeyId.state === "absent" || inherited) {
    if (inherited) {
      return judgement(
        "unknown",
        kmsKeyId.state === "absent"
          ? "KmsKeyId is not set: the key is inherited from the source or snapshot and cannot be told from here"
          : `${describe(K, kmsKeyId)} is not applied to this restore: the key is inherited from the snapshot and cannot be told from here`,
        K,
        loc,
      );
    }
    const defaultKey =
      resource.kind === "db-cluster" && isAuroraEngine(knownValue(resource.engine) ?? "aurora")
        ? "an AWS owned key (Aurora default) or the AWS managed key aws/rds"
        : "the AWS managed key aws/rds";
    return judgement(
      "fail",
      `KmsKeyId is not set: storage uses ${defaultKey}, but the policy requires a customer-managed KMS key ${param}`,
      K,
      loc,
    );
  }
  if (kmsKeyId.state === "known" && isAwsManagedKeyName(kmsKeyId.value)) {
    return judgement(
      "fail",
      `${describe(K, kmsKeyId)}: an AWS managed key, but the policy requires a customer-managed KMS key ${param}`,
      K,
      loc,
    );
  }
  const key = kmsKeyFor(kmsKeyId, ctx.model);
  if (key) {
    const manager = key.keyManager;
    if (manager.state === "known" && manager.value === "AWS") {
      return judgement(
        "fail",
        `KmsKeyId names KMS key ${key.name}, which is AWS managed (${describe("KeyManager", manager)}); the policy requires a customer-managed key ${param}`,
        K,
        loc,
      );
    }
    if (manager.state !== "known") {
      return judgement("unknown", `KmsKeyId names KMS key ${key.name}: ${describeAttr("KeyManager", manager)}`, K, loc);
    }
    return judgement("pass", `KmsKeyId names customer-managed KMS key ${key.name}`, K, loc);
  }
  return judgement(
    "unknown",
    kmsKeyId.state === "unknown"
      ? `${describe(K, kmsKeyId)}; whether it names a customer-managed key cannot be told`
      : `${describe(K, kmsKeyId)}: the key is not in this scan, so whether it is customer-managed cannot be told`,
    K,
    loc,
  );
}

// ------------------------------------------------------------------------------------------- DB instances

function instanceAlternatives(instance: DbInstance, ctx: RuleContext, seen: Set<string>): EncryptionAlternative[] {
  seen.add(instance.id);
  if (instance.role === "aurora-member" || instance.role === "cluster-member") {
    // Reached only through a replica link to a member; its cluster decides.
    const cluster = clusterOf(instance, ctx.model);
    if (cluster && !seen.has(cluster.id)) return clusterAlternatives(cluster, ctx, seen);
    const enc = judgement("unknown", `${instance.name} is a cluster member: its cluster decides encryption`, P);
    return [{ when: {}, enc, cmk: enc }];
  }
  if (instance.role === "read-replica") return replicaAlternatives(instance, ctx, seen);
  const combos = combine<[boolean, string, string]>(
    resourceAssumption(instance),
    instance.storageEncrypted,
    instance.kmsKeyId,
    instance.snapshotIdentifier,
  );
  return combos.map(({ when, values }) => {
    const [encrypted, kmsKeyId, snapshot] = values;
    const loc = encrypted.loc ?? instance.loc;
    let enc: Judgement;
    let restore = false;
    if (encrypted.state === "known" && reportedLive(encrypted)) {
      enc = judgement(encrypted.value ? "pass" : "fail", describe(P, encrypted), P, loc);
    } else if (snapshot.state !== "absent") {
      // RestoreDBInstanceFromDBSnapshot takes neither StorageEncrypted nor KmsKeyId: the snapshot decides.
      restore = true;
      enc = judgement(
        "unknown",
        `restored from snapshot (${describe("DBSnapshotIdentifier", snapshot)}): encryption is inherited from the snapshot and cannot be told from here${notAppliedNote(encrypted, kmsKeyId, "RestoreDBInstanceFromDBSnapshot")}`,
        P,
        snapshot.loc ?? loc,
      );
    } else if (encrypted.state === "unknown") {
      enc = judgement("unknown", describe(P, encrypted), P, loc);
    } else {
      enc = judgeFlag(P, encrypted, loc);
    }
    return { when, enc, cmk: judgeCustomerKey(instance, ctx, enc, kmsKeyId, NOT_REPORTED, restore) };
  });
}

function replicaAlternatives(replica: DbInstance, ctx: RuleContext, seen: Set<string>): EncryptionAlternative[] {
  const base = resourceAssumption(replica);
  const source = sourceOf(replica, ctx.model);
  const sourceLoc = replica.sourceDbInstanceIdentifier.loc ?? replica.loc;
  const sourceAlts = source && !seen.has(source.id) ? instanceAlternatives(source, ctx, new Set(seen)) : undefined;
  const out: EncryptionAlternative[] = [];
  for (const { when, values } of combine<[boolean, string]>(base, replica.storageEncrypted, replica.kmsKeyId)) {
    const [encrypted, kmsKeyId] = values;
    if (encrypted.state === "known" && reportedLive(encrypted)) {
      const enc = judgement(encrypted.value ? "pass" : "fail", describe(P, encrypted), P, encrypted.loc ?? replica.loc);
      out.push({ when, enc, cmk: judgeCustomerKey(replica, ctx, enc, kmsKeyId, NOT_REPORTED, false) });
      continue;
    }
    const ownKey = kmsKeyId.state !== "absent";
    const withKey = (): Judgement =>
      judgement(
        "pass",
        `read replica with ${describe("KmsKeyId", kmsKeyId)}: the replica is encrypted with that key (RDS creates no encrypted replica of an unencrypted source)`,
        P,
        kmsKeyId.loc ?? replica.loc,
      );
    if (!source || !sourceAlts) {
      const enc = ownKey
        ? withKey()
        : judgement(
            "unknown",
            `read replica: encryption follows its source, which is not in this scan (${describeAttr("SourceDBInstanceIdentifier", replica.sourceDbInstanceIdentifier)})`,
            P,
            sourceLoc,
          );
      out.push({ when, enc, cmk: judgeCustomerKey(replica, ctx, enc, kmsKeyId, NOT_REPORTED, !ownKey) });
      continue;
    }
    for (const inherited of sourceAlts) {
      const merged = mergeUnder(base, when, inherited.when);
      if (!merged) continue;
      const from = `read replica: encryption inherited from source ${source.name}: ${inherited.enc.message}`;
      let enc: Judgement;
      if (inherited.enc.verdict === "fail") {
        enc = judgement(
          "fail",
          ownKey
            ? `${from}; a KmsKeyId cannot encrypt a replica of an unencrypted source (CreateDBInstanceReadReplica rejects it)`
            : from,
          P,
          sourceLoc,
        );
      } else if (ownKey) {
        enc = withKey();
      } else {
        enc = judgement(inherited.enc.verdict, from, P, sourceLoc);
      }
      out.push({
        when: merged,
        enc,
        cmk: ownKey
          ? judgeCustomerKey(replica, ctx, enc, kmsKeyId, NOT_REPORTED, false)
          : prefixed(inherited.cmk, `read replica: KMS key inherited from source ${source.name}`, sourceLoc),
      });
    }
  }
  return out;
}

// -------------------------------------------------------------------------------------------- global clusters

function evaluateGlobal(global: GlobalCluster, ctx: RuleContext): RuleResult {
  const base = resourceAssumption(global);
  const items: AlternativeJudgement[] = [];
  for (const { when, values } of combine<[boolean, string]>(
    base,
    global.storageEncrypted,
    global.sourceDbClusterIdentifier,
  )) {
    const [encrypted, source] = values;
    const loc = encrypted.loc ?? global.loc;
    const push = (j: Judgement, w = when) => items.push({ when: w, judgement: j });
    if (encrypted.state !== "absent") {
      push(
        judgement(
          encrypted.state === "unknown" ? "unknown" : encrypted.value ? "pass" : "fail",
          describe(P, encrypted),
          P,
          loc,
        ),
      );
      continue;
    }
    if (source.state !== "absent") {
      const cluster = linkedCluster(source, ctx);
      if (cluster) {
        for (const inherited of clusterAlternatives(cluster, ctx, new Set([global.id]))) {
          const merged = mergeUnder(base, when, inherited.when);
          if (!merged) continue;
          push(
            judgement(
              inherited.enc.verdict,
              `StorageEncrypted is not set: the global cluster takes the encryption of its source cluster ${cluster.name}: ${inherited.enc.message}`,
              P,
              loc,
            ),
            merged,
          );
        }
        continue;
      }
      push(
        judgement(
          "unknown",
          `StorageEncrypted is not set: the global cluster takes the encryption of its source cluster (${describe("SourceDBClusterIdentifier", source)}), which is not in this scan`,
          P,
          loc,
        ),
      );
      continue;
    }
    if (global.memberClusterIds.length > 0) {
      push(
        judgement(
          "not-applicable",
          `StorageEncrypted is not set on the global cluster: encryption is judged on its member clusters (${global.memberClusterIds.join(", ")})`,
          P,
          loc,
        ),
      );
      continue;
    }
    push(judgeFlag(P, encrypted, loc));
  }
  return mergeJudgements(items, global, { property: P });
}

// ------------------------------------------------------------------------------------------------ KMS keys

function evaluateKey(key: KmsKey, ctx: RuleContext): RuleResult[] {
  const users = rdsUsersOf(key, ctx);
  if (users.length === 0) {
    return [
      single(
        key,
        judgement("not-applicable", "KMS key is not used by any RDS resource in this scan", undefined, key.loc),
      ),
    ];
  }
  const usedBy = `used by ${users.map((u) => u.name).join(", ")}`;
  const results: RuleResult[] = [];
  results.push(
    judgeAcross<[boolean]>(
      key,
      [key.enabled],
      ([enabled]) => {
        const j = judgeFlag(
          "Enabled",
          enabled,
          enabled.loc ?? key.loc,
          "a disabled key makes the databases it encrypts unusable",
        );
        return { ...j, message: `${j.message}; ${usedBy}` };
      },
      { property: "Enabled" },
    ),
  );
  if (booleanParam(ctx, "requireKeyRotation", true)) {
    results.push(
      judgeAcross<[boolean, "CUSTOMER" | "AWS"]>(
        key,
        [key.rotationEnabled, key.keyManager],
        ([rotation, manager]) => {
          const loc = rotation.loc ?? key.loc;
          if (manager.state === "known" && manager.value === "AWS") {
            return judgement(
              "not-applicable",
              `AWS managed key: AWS rotates it automatically; ${usedBy}`,
              "EnableKeyRotation",
              key.loc,
            );
          }
          const j = judgeFlag("EnableKeyRotation", rotation, loc);
          return { ...j, message: `${j.message}; ${usedBy}` };
        },
        { property: "EnableKeyRotation" },
      ),
    );
  }
  return results;
}

/** RDS resources whose KmsKeyId (in any alternative) names this key. */
function rdsUsersOf(key: KmsKey, ctx: RuleContext): (DbCluster | DbInstance)[] {
  const users: (DbCluster | DbInstance)[] = [];
  for (const r of ctx.model.resources.values()) {
    if (r.kind !== "db-cluster" && r.kind !== "db-instance") continue;
    const alts = r.kmsKeyId.state === "conditional" ? r.kmsKeyId.alternatives.map((a) => a.attr) : [r.kmsKeyId];
    if (alts.some((a) => kmsKeyFor(a, ctx.model)?.id === key.id)) users.push(r);
  }
  return users;
}

export const rule: Rule = { meta, evaluate };
export default rule;
