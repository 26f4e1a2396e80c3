/** What the parts of storage-encrypted share: the property judged, one alternative's two verdicts, wording. */
import type { Absent, ConditionAssumption, DbCluster, Resolved } from "../../model/types.js";
import { knownValue } from "../../model/values.js";
import type { RuleContext } from "../types.js";
import { type Judgement, judgement } from "../verdicts.js";

export const P = "StorageEncrypted";

export const NOT_REPORTED: Absent<string> = { state: "absent", default: undefined, defaultSource: "not reported" };

/** One alternative of a database's encryption: the encryption verdict and the customer-managed-key verdict. */
export interface EncryptionAlternative {
  when: ConditionAssumption;
  enc: Judgement;
  cmk: Judgement;
}

/** A value the live API reported: the database as it is, whatever it was created from. */
export function reportedLive(attr: Resolved<boolean>): boolean {
  return attr.state === "known" && attr.origin.kind === "live";
}

/** "(StorageEncrypted true in the template is not applied to a restore: ...)" when the template sets it. */
export function notAppliedNote(
  encrypted: Resolved<boolean>,
  kmsKeyId: Resolved<string> | undefined,
  api: string,
): string {
  const set: string[] = [];
  if (encrypted.state === "known" && encrypted.value) set.push("StorageEncrypted");
  if (kmsKeyId && kmsKeyId.state !== "absent") set.push("KmsKeyId");
  if (set.length === 0) return "";
  return `; ${set.join(" and ")} in the template ${set.length === 1 ? "is" : "are"} not applied: ${api} takes no such setting`;
}

/** The DB cluster a SourceDBClusterIdentifier names: by the scanner's link, else by logical id or identifier. */
export function linkedCluster(attr: Resolved<string>, ctx: RuleContext): DbCluster | undefined {
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

export function prefixed(j: Judgement, prefix: string, loc: Judgement["loc"]): Judgement {
  return judgement(j.verdict, `${prefix}: ${j.message}`, j.property, loc ?? j.loc);
}
