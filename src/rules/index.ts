/** The rule catalogue, in a stable order (reports, docs and the policy schema list rules in this order). */
import { rule as backupRetention } from "./backup-retention.js";
import { rule as caCertificate } from "./ca-certificate.js";
import { rule as deletionProtection } from "./deletion-protection.js";
import { rule as encryptionInTransit } from "./encryption-in-transit.js";
import { rule as engineVersion } from "./engine-version.js";
import { rule as iamAuth } from "./iam-auth.js";
import { rule as instanceClass } from "./instance-class.js";
import { rule as multiAz } from "./multi-az.js";
import { rule as publicAccess } from "./public-access.js";
import { rule as storageEncrypted } from "./storage-encrypted.js";
import type { Rule } from "./types.js";

export const allRules: readonly Rule[] = [
  storageEncrypted,
  iamAuth,
  backupRetention,
  deletionProtection,
  multiAz,
  instanceClass,
  caCertificate,
  engineVersion,
  encryptionInTransit,
  publicAccess,
];

const byId = new Map(allRules.map((r) => [r.meta.id, r]));

export function getRule(id: string): Rule | undefined {
  return byId.get(id);
}

export const ruleIds: readonly string[] = allRules.map((r) => r.meta.id);
