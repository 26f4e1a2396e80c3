/**
 * Encryption of a DB instance: a member's comes from its cluster, a read replica's from its source (unless it
 * names its own KmsKeyId), a restore's from the snapshot; otherwise its own StorageEncrypted or the AWS default.
 */
import { clusterOf, isClusterMember, sourceOf } from "../../model/relations.js";
import type { DbInstance } from "../../model/types.js";
import { combine, mergeUnder, resourceAssumption } from "../alternatives.js";
import { describe, describeAttr } from "../messages.js";
import type { RuleContext } from "../types.js";
import { type Judgement, judgeFlag, judgement } from "../verdicts.js";
import { clusterAlternatives } from "./clusters.js";
import { judgeCustomerKey } from "./customer-key.js";
import { type EncryptionAlternative, NOT_REPORTED, notAppliedNote, P, prefixed, reportedLive } from "./shared.js";

export function instanceAlternatives(
  instance: DbInstance,
  ctx: RuleContext,
  seen: Set<string>,
): EncryptionAlternative[] {
  seen.add(instance.id);
  if (isClusterMember(instance)) {
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
