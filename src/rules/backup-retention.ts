/**
 * backup-retention: automated backups kept at least `minimumDays`; in templates also DeletionPolicy and
 * UpdateReplacePolicy of Snapshot or Retain, so deleting or replacing the resource does not destroy the data.
 *
 * Judged on DB clusters (Aurora and Multi-AZ DB clusters) and standalone DB instances. Cluster members are not
 * judged (the cluster holds the data and its backups). Read replicas are not judged either: automated backups of
 * the data are taken on the source, and a replica only needs its own when it is itself a replication source,
 * which a template cannot tell.
 */

import { isClusterMember, sourceOf } from "../model/relations.js";
import type { Attr, DbCluster, DbInstance, ModelResource, Resolved } from "../model/types.js";
import { effective, knownValue } from "../model/values.js";
import { describe } from "./messages.js";
import { numberParam } from "./parameters.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import { type Judgement, judgeAcross, judgedOnCluster, judgement, single, undetermined } from "./verdicts.js";

const P = "BackupRetentionPeriod";
const KEEPS_DATA = new Set(["Snapshot", "Retain", "RetainExceptOnCreate"]);

export const meta: RuleMeta = {
  id: "backup-retention",
  title: "Automated backups are kept long enough, and deletion keeps a snapshot",
  severity: "medium",
  description:
    "DB clusters and standalone DB instances keep automated backups for at least minimumDays days; in templates their DeletionPolicy and UpdateReplacePolicy are Snapshot or Retain.",
  rationale:
    "Automated backups give point-in-time recovery within the retention period; the AWS default of one day leaves almost no time to notice a bad change. A DeletionPolicy or UpdateReplacePolicy of Delete lets a stack deletion or a replacing update destroy the database without a final snapshot.",
  remediation: {
    text: "Set BackupRetentionPeriod to at least the policy minimum (7 days by default) on the DB cluster (Aurora, Multi-AZ DB cluster) or the standalone DB instance, and set DeletionPolicy and UpdateReplacePolicy to Snapshot (or Retain).",
    snippet: [
      "Resources:",
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    DeletionPolicy: Snapshot",
      "    UpdateReplacePolicy: Snapshot",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      BackupRetentionPeriod: 7",
      "      StorageEncrypted: true",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [
    {
      name: "minimumDays",
      type: "integer",
      default: 7,
      stricter: "higher",
      description: "Minimum automated backup retention, in days (1 to 35).",
    },
  ],
  references: {
    securityHub: ["RDS.11", "RDS.50"],
    awsConfig: ["db-instance-backup-enabled", "rds-cluster-backup-retention-check"],
    checkov: ["CKV_AWS_133 (Terraform)"],
    cfnNag: ["W75"],
    cfnGuard: ["DB_INSTANCE_BACKUP_ENABLED"],
    cdkNag: ["AwsSolutions-RDS13"],
  },
  appliesTo: ["db-cluster", "db-instance"],
  tags: ["reliability", "backup", "data-protection"],
  sources: [
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html",
    "https://docs.aws.amazon.com/config/latest/developerguide/rds-cluster-backup-retention-check.html",
  ],
};

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-cluster") return evaluateCluster(resource, ctx);
  if (resource.kind === "db-instance") return evaluateInstance(resource, ctx);
  return [single(resource, judgement("not-applicable", "backups are kept by DB clusters and DB instances"))];
}

/** RDS keeps automated backups for at most 35 days; DB clusters (Aurora and Multi-AZ) for at least 1. */
const MAX_RETENTION_DAYS = 35;

function judgeRetention(
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

/**
 * DeletionPolicy / UpdateReplacePolicy results; none for live resources (the attributes do not exist there).
 * When absent, the scanner has written CloudFormation's default (and its source) into the model.
 */
function policyResults(resource: DbCluster | DbInstance): RuleResult[] {
  const results: RuleResult[] = [];
  const checks: [string, Attr<string> | undefined][] = [
    ["DeletionPolicy", resource.deletionPolicy],
    ["UpdateReplacePolicy", resource.updateReplacePolicy],
  ];
  for (const [property, attr] of checks) {
    if (attr === undefined || resource.origin.source === "live") continue;
    results.push(
      judgeAcross<[string]>(
        resource,
        [attr],
        ([policy]) => {
          const loc = policy.loc ?? resource.loc;
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

function evaluateCluster(cluster: DbCluster, ctx: RuleContext): RuleResult[] {
  const minimum = numberParam(ctx, "minimumDays", 7);
  return [
    judgeAcross<[number]>(cluster, [cluster.backupRetentionPeriod], ([retention]) =>
      judgeRetention(cluster, retention, minimum, true),
    ),
    ...policyResults(cluster),
  ];
}

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult[] {
  if (isClusterMember(instance)) {
    return [
      judgedOnCluster(instance, ctx, P, "Backup retention"),
      judgedOnCluster(instance, ctx, "DeletionPolicy", "The data (and the snapshot taken on deletion)"),
    ];
  }
  if (instance.role === "read-replica") {
    const source =
      sourceOf(instance, ctx.model)?.name ?? knownValue(instance.sourceDbInstanceIdentifier) ?? "its source";
    return [
      single(
        instance,
        judgement(
          "not-applicable",
          `read replica: automated backups of this data are taken on the source ${source}; a replica needs its own only when it is itself a replication source`,
          P,
          instance.loc,
        ),
      ),
    ];
  }
  const minimum = numberParam(ctx, "minimumDays", 7);
  return [
    judgeAcross<[number]>(instance, [instance.backupRetentionPeriod], ([retention]) =>
      judgeRetention(instance, retention, minimum, false),
    ),
    ...policyResults(instance),
  ];
}

export const rule: Rule = { meta, evaluate };
export default rule;
