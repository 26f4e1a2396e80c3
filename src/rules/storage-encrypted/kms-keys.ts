/**
 * A KMS key that RDS resources in the scan use: enabled, and rotated when customer-managed (requireKeyRotation).
 * Judged once on the key, so a key shared by two clusters gives one finding; keys no RDS resource uses are left out.
 */
import { kmsKeyFor } from "../../model/relations.js";
import type { DbCluster, DbInstance, KmsKey } from "../../model/types.js";
import { booleanParam } from "../parameters.js";
import type { RuleContext, RuleResult } from "../types.js";
import { judgeAcross, judgeFlag, judgement, single } from "../verdicts.js";

export function judgeKmsKey(key: KmsKey, ctx: RuleContext): RuleResult[] {
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
