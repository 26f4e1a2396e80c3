/**
 * deletion-protection: DeletionProtection on DB clusters, standalone DB instances, read replicas and global
 * clusters. Cluster members are not judged: on Aurora the cluster's setting protects the data, and asking for
 * DeletionProtection on a member would ask for a change that does not protect anything (or does not deploy).
 * Read replicas are judged like standalone instances: the setting is supported on them, and an accidental delete
 * takes away read capacity or the disaster-recovery copy.
 */
import { isClusterMember } from "../model/relations.js";
import type { ModelResource, Resolved } from "../model/types.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import { type Judgement, judgeAcross, judgedOnCluster, judgeFlag, judgement, single } from "./verdicts.js";

const P = "DeletionProtection";

export const meta: RuleMeta = {
  id: "deletion-protection",
  title: "Deletion protection is enabled",
  severity: "medium",
  description:
    "DB clusters, standalone DB instances, read replicas and global clusters have DeletionProtection enabled; Aurora and Multi-AZ DB cluster members are judged through their cluster.",
  rationale:
    "Deletion protection makes the API refuse to delete the database until the setting is turned off, which stops an accidental console click, script or stack operation from destroying it.",
  remediation: {
    text: "Set DeletionProtection: true on the DB cluster (Aurora, Multi-AZ DB cluster), the standalone DB instance or read replica, and the global cluster. Do not set it on Aurora member instances; the cluster's setting applies.",
    snippet: [
      "Resources:",
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      DeletionProtection: true",
      "      StorageEncrypted: true",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [],
  references: {
    securityHub: ["RDS.7", "RDS.8"],
    awsConfig: ["rds-cluster-deletion-protection-enabled", "rds-instance-deletion-protection-enabled"],
    checkov: ["CKV_AWS_139 (Terraform)", "CKV_AWS_293 (Terraform)"],
    cfnNag: ["F80"],
    cfnGuard: ["RDS_INSTANCE_DELETION_PROTECTION_ENABLED"],
    cdkNag: ["AwsSolutions-RDS10", "AwsSolutions-RDS15"],
  },
  appliesTo: ["db-cluster", "db-instance", "global-cluster"],
  tags: ["reliability", "data-protection"],
  sources: [
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-globalcluster.html",
    "https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-deletion-protection-enabled.html",
  ],
};

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  switch (resource.kind) {
    case "db-instance":
      if (isClusterMember(resource)) {
        return [judgedOnCluster(resource, ctx, P, "Deletion protection")];
      }
      return [judgeAcross<[boolean]>(resource, [resource.deletionProtection], ([p]) => judgeProtection(resource, p))];
    case "db-cluster":
    case "global-cluster":
      return [judgeAcross<[boolean]>(resource, [resource.deletionProtection], ([p]) => judgeProtection(resource, p))];
    case "kms-key":
      return [single(resource, judgement("not-applicable", "deletion protection applies to databases"))];
  }
}

function judgeProtection(resource: ModelResource, protection: Resolved<boolean>): Judgement {
  return judgeFlag(P, protection, protection.loc ?? resource.loc);
}

export const rule: Rule = { meta, evaluate };
export default rule;
