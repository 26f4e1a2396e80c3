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

import { isClusterMember } from "../model/relations.js";
import type { DbCluster, DbInstance, ModelResource } from "../model/types.js";
import { booleanParam } from "./parameters.js";
import { clusterAlternatives } from "./storage-encrypted/clusters.js";
import { judgeGlobalCluster } from "./storage-encrypted/global-clusters.js";
import { instanceAlternatives } from "./storage-encrypted/instances.js";
import { judgeKmsKey } from "./storage-encrypted/kms-keys.js";
import { type EncryptionAlternative, P } from "./storage-encrypted/shared.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import { judgedOnCluster, mergeJudgements } from "./verdicts.js";

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
      stricter: true,
      description:
        "Also require KmsKeyId to name a customer-managed KMS key (not the AWS-owned key or the AWS-managed aws/rds key).",
    },
    {
      name: "requireKeyRotation",
      type: "boolean",
      default: true,
      stricter: true,
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

/**
 * Where encryption is decided, by resource: an Aurora or Multi-AZ DB cluster member inherits it from the cluster
 * (judged there); a read replica from its source, a restore from its snapshot or source cluster, and the KMS key
 * is judged on the key itself (./storage-encrypted/*.ts hold each case).
 */
function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  switch (resource.kind) {
    case "db-cluster":
      return results(resource, clusterAlternatives(resource, ctx, new Set()), ctx);
    case "db-instance":
      if (isClusterMember(resource)) return [judgedOnCluster(resource, ctx, P, "Storage encryption")];
      return results(resource, instanceAlternatives(resource, ctx, new Set()), ctx);
    case "global-cluster":
      return [judgeGlobalCluster(resource, ctx)];
    case "kms-key":
      return judgeKmsKey(resource, ctx);
  }
}

/** The StorageEncrypted result, and the KmsKeyId result when the policy requires a customer-managed key. */
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

export const rule: Rule = { meta, evaluate };
export default rule;
