import type { Attr, DbCluster, DbInstance, ModelResource, Resolved } from "../../model/types.js";
import { effective } from "../../model/values.js";
import { describe } from "../messages.js";
import type { RuleResult } from "../types.js";
import { type Judgement, judgeAcross, judgement, undetermined } from "../verdicts.js";

export const P = "BackupRetentionPeriod";
export const KEEPS_DATA = new Set(["Snapshot", "Retain", "RetainExceptOnCreate"]);

/** RDS keeps automated backups for at most 35 days; DB clusters (Aurora and Multi-AZ) for at least 1. */
const MAX_RETENTION_DAYS = 35;

export function judgeRetention(
  resource: ModelResource,
  retention: Resolved<number>,
  minimum: number,
  isCluster: boolean,
): Judgement {
  const loc = retention.loc ?? resource.loc;
  const what = describe(P, retention);
  const value = effective(retention);
  if (value === undefined) return undetermined(P, retention, loc);
  if (!Number.isInteger(value) || value < 0 || value > MAX_RETENTION_DAYS || (isCluster && value === 0)) {
    const range = isCluster ? `1 to ${MAX_RETENTION_DAYS}` : `0 to ${MAX_RETENTION_DAYS}`;
    const why = isCluster && value === 0 ? "; a DB cluster cannot turn automated backups off" : "";
    return judgement(
      "fail",
      `${what}: not a valid retention (${range} days${why}), so the stack would not deploy (policy minimum ${minimum} days)`,
      P,
      loc,
    );
  }
  if (value === 0) {
    return judgement("fail", `${what}: automated backups are disabled (policy minimum ${minimum} days)`, P, loc);
  }
  if (value < minimum) return judgement("fail", `${what}: below the policy minimum of ${minimum} days`, P, loc);
  return judgement("pass", `${what} (policy minimum ${minimum} days)`, P, loc);
}

const ALWAYS: Attr<boolean> = { state: "known", value: true, origin: { kind: "literal" } };

/**
 * DeletionPolicy / UpdateReplacePolicy results; none for live resources (the attributes do not exist there).
 * When absent, the scanner has written CloudFormation's default (and its source) into the model.
 */
export function policyResults(
  resource: DbCluster | DbInstance,
  gate?: { attr: Attr<boolean>; otherwise: (property: string) => Judgement },
): RuleResult[] {
  const results: RuleResult[] = [];
  const checks: [string, Attr<string> | undefined][] = [
    ["DeletionPolicy", resource.deletionPolicy],
    ["UpdateReplacePolicy", resource.updateReplacePolicy],
  ];
  for (const [property, attr] of checks) {
    if (attr === undefined || resource.origin.source === "live") continue;
    results.push(
      judgeAcross<[boolean, string]>(
        resource,
        [gate?.attr ?? ALWAYS, attr],
        ([isSource, policy]) => {
          const loc = policy.loc ?? resource.loc;
          if (gate && !(isSource.state === "known" && isSource.value)) return gate.otherwise(property);
          if (policy.state === "unknown") return judgement("unknown", describe(property, policy), property, loc);
          // Absent: the scanner wrote CloudFormation's documented default (and where it is documented) into the model.
          const value = effective(policy);
          const what =
            policy.state === "known"
              ? describe(property, policy)
              : value === undefined
                ? `${property} is not set (${policy.defaultSource})`
                : `${property} is not set: CloudFormation default ${value} (${policy.defaultSource})`;
          if (value === undefined) {
            return judgement("unknown", `${what}: no default is recorded, so the policy cannot be told`, property, loc);
          }
          return KEEPS_DATA.has(value)
            ? judgement("pass", what, property, loc)
            : judgement(
                "fail",
                `${what}: ${property === "DeletionPolicy" ? "deleting the stack or the resource" : "a replacing update"} destroys the database without a final snapshot`,
                property,
                loc,
              );
        },
        { property },
      ),
    );
  }
  return results;
}
