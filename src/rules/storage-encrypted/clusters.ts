/**
 * Encryption of a DB cluster, per condition alternative, in the order AWS decides it: Aurora Serverless v1 is always
 * encrypted; what the live API reports is the cluster as it is; a restore from a snapshot or a source cluster
 * inherits it (unless a KmsKeyId encrypts the restore); a cross-Region replica cluster follows its source; a new
 * cluster has its StorageEncrypted or the default the scanner recorded for its engine.
 */
import { isServerlessV1 } from "../../model/engines.js";
import type { ConditionAssumption, DbCluster, Resolved, SourceLocation } from "../../model/types.js";
import { isSet } from "../../model/values.js";
import { combine, mergeUnder, resourceAssumption } from "../alternatives.js";
import { describe } from "../messages.js";
import type { RuleContext } from "../types.js";
import { type Judgement, judgeFlag, judgement } from "../verdicts.js";
import { judgeCustomerKey } from "./customer-key.js";
import {
  type EncryptionAlternative,
  linkedCluster,
  NOT_REPORTED,
  notAppliedNote,
  P,
  prefixed,
  reportedLive,
} from "./shared.js";

/** One consistent combination of a cluster's values, and what every step needs to judge it. */
interface ClusterCase {
  cluster: DbCluster;
  ctx: RuleContext;
  base: ConditionAssumption;
  when: ConditionAssumption;
  encrypted: Resolved<boolean>;
  kmsKeyId: Resolved<string>;
  encryptionType: Resolved<string>;
  loc: SourceLocation | undefined;
}

export function clusterAlternatives(cluster: DbCluster, ctx: RuleContext, seen: Set<string>): EncryptionAlternative[] {
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
  return combos.flatMap(({ when, values }): EncryptionAlternative[] => {
    const [engine, mode, encrypted, kmsKeyId, snapshot, source, replicationSource, encryptionType] = values;
    const c: ClusterCase = {
      cluster,
      ctx,
      base,
      when,
      encrypted,
      kmsKeyId,
      encryptionType,
      loc: encrypted.loc ?? cluster.loc,
    };
    if (mode.state === "known" && isServerlessV1(mode.value)) return [own(c, serverlessV1(c, mode), false)];
    const reported = reportedEncryption(c);
    if (reported) return [own(c, reported, false)];
    if (snapshot.state !== "absent") return [restoredFromSnapshot(c, snapshot)];
    if (source.state !== "absent") return restoredFromSourceCluster(c, source, seen);
    if (replicationSource.state !== "absent") return [replicaCluster(c, replicationSource)];
    return [own(c, judgeNewClusterEncryption(cluster, ctx, engine, encrypted, multiAzDbCluster), false)];
  });
}

/** The alternative with its customer-managed-key verdict; `inheritedKey` when the key comes from elsewhere. */
function own(c: ClusterCase, enc: Judgement, inheritedKey: boolean): EncryptionAlternative {
  return {
    when: c.when,
    enc,
    cmk: judgeCustomerKey(c.cluster, c.ctx, enc, c.kmsKeyId, c.encryptionType, inheritedKey),
  };
}

function serverlessV1(c: ClusterCase, mode: Resolved<string>): Judgement {
  return judgement(
    "pass",
    `${describe("EngineMode", mode)}: Aurora Serverless v1 storage is always encrypted`,
    P,
    mode.loc ?? c.cluster.loc,
  );
}

/** What the live API reports: StorageEncryptionType (none, sse-rds, sse-kms), else a live StorageEncrypted. */
function reportedEncryption(c: ClusterCase): Judgement | undefined {
  const { encryptionType, encrypted } = c;
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
      return judgement(verdict, `${what}: ${text}`, P, c.cluster.loc);
    }
  }
  if (encrypted.state === "known" && reportedLive(encrypted)) {
    return judgement(encrypted.value ? "pass" : "fail", describe(P, encrypted), P, c.loc);
  }
  return undefined;
}

/**
 * RestoreDBClusterFromSnapshot takes KmsKeyId (and then encrypts, even an unencrypted snapshot) but no
 * StorageEncrypted: without a key, the snapshot decides.
 */
function restoredFromSnapshot(c: ClusterCase, snapshot: Resolved<string>): EncryptionAlternative {
  const { kmsKeyId, encrypted, loc } = c;
  const label = `restored from snapshot (${describe("SnapshotIdentifier", snapshot)})`;
  return own(
    c,
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
  );
}

/**
 * Point-in-time restore or clone: RestoreDBClusterToPointInTime takes KmsKeyId, rejects it for an unencrypted
 * source, and takes no StorageEncrypted. A source cluster in the scan is judged and its alternatives inherited.
 */
function restoredFromSourceCluster(
  c: ClusterCase,
  source: Resolved<string>,
  seen: Set<string>,
): EncryptionAlternative[] {
  const { cluster, ctx, base, when, kmsKeyId, encrypted, encryptionType, loc } = c;
  const label = `restored from source cluster (${describe("SourceDBClusterIdentifier", source)})`;
  const sourceCluster = linkedCluster(source, ctx);
  if (sourceCluster && !seen.has(sourceCluster.id)) {
    const out: EncryptionAlternative[] = [];
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
    return out;
  }
  return [
    own(
      c,
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
  ];
}

/**
 * A cross-Region replica cluster: Aurora creates no encrypted replica of an unencrypted cluster (nor the reverse),
 * so a replica that deploys with StorageEncrypted or a KmsKeyId is encrypted.
 */
function replicaCluster(c: ClusterCase, replicationSource: Resolved<string>): EncryptionAlternative {
  const { encrypted, kmsKeyId, loc } = c;
  const label = `read replica cluster (${describe("ReplicationSourceIdentifier", replicationSource)})`;
  const stated = (encrypted.state === "known" && encrypted.value) || kmsKeyId.state !== "absent";
  return own(
    c,
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
  );
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
