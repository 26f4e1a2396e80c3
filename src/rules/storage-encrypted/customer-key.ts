/**
 * requireCustomerManagedKey: the key that encrypts a database is a customer-managed KMS key (not the AWS owned key
 * or the AWS managed aws/rds key). Judged per alternative, after the encryption verdict it depends on.
 */
import { isAuroraEngine } from "../../model/engines.js";
import { isAwsManagedKeyName, kmsKeyFor } from "../../model/relations.js";
import type { DbCluster, DbInstance, Resolved } from "../../model/types.js";
import { knownValue } from "../../model/values.js";
import { describe, describeAttr } from "../messages.js";
import type { RuleContext } from "../types.js";
import { type Judgement, judgement } from "../verdicts.js";

export function judgeCustomerKey(
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
