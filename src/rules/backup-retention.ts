import { isClusterMember } from "../model/relations.js";
import type { DbCluster, DbInstance, ModelResource } from "../model/types.js";
import { evaluateReplica } from "./backup-retention/replicas.js";
import { judgeRetention, P, policyResults } from "./backup-retention/retention.js";
import { numberParam } from "./parameters.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import { judgeAcross, judgedOnCluster, judgement, single } from "./verdicts.js";

export const meta: RuleMeta = {
  id: "backup-retention",
  title: "Automated backups are kept long enough, and deletion keeps a snapshot",
  severity: "medium",
  description:
    "DB clusters, standalone DB instances and MySQL/MariaDB read replicas that are the source of another read replica keep automated backups for at least minimumDays days; in templates their DeletionPolicy and UpdateReplacePolicy are Snapshot or Retain.",
  rationale:
    "Automated backups give point-in-time recovery within the retention period; the AWS default of one day leaves almost no time to notice a bad change. A DeletionPolicy or UpdateReplacePolicy of Delete lets a stack deletion or a replacing update destroy the database without a final snapshot.",
  remediation: {
    text: "Set BackupRetentionPeriod to at least the policy minimum (7 days by default) on the DB cluster (Aurora, Multi-AZ DB cluster) or the standalone DB instance (and on a read replica that feeds another read replica), and set DeletionPolicy and UpdateReplacePolicy to Snapshot (or Retain).",
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
    // SourceDBInstanceIdentifier must name an instance with automated backups (retention above 0).
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html",
  ],
};

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-cluster") return evaluateCluster(resource, ctx);
  if (resource.kind === "db-instance") return evaluateInstance(resource, ctx);
  return [single(resource, judgement("not-applicable", "backups are kept by DB clusters and DB instances"))];
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
  if (instance.role === "read-replica") return evaluateReplica(instance, ctx);
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
