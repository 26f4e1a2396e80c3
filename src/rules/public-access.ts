/**
 * public-access: the database is not reachable from the internet (PubliclyAccessible is false).
 * - PubliclyAccessible is per DB instance, so standalone instances, read replicas and Aurora members are each judged
 *   on their own; an Aurora cluster is not applicable. A Multi-AZ DB cluster carries the setting itself (its members
 *   are not judged).
 * - Absent, AWS decides from the VPC (RDS API reference, CreateDBInstance/CreateDBCluster): without DBSubnetGroupName
 *   the database goes in the Region's default VPC, which AWS creates with an internet gateway attached, so it is
 *   public: fail. With a DB subnet group it is public when that VPC has an internet gateway, which a template does
 *   not show: unknown, saying so.
 * - Live: the PubliclyAccessible that DescribeDBInstances / DescribeDBClusters report.
 */

import { isAuroraEngine } from "../model/engines.js";
import { clusterOf } from "../model/relations.js";
import type { Attr, DbCluster, DbInstance, ModelResource, Resolved } from "../model/types.js";
import { describe } from "./messages.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import { type Judgement, judgeAcross, judgedOnCluster, judgement, single } from "./verdicts.js";

const P = "PubliclyAccessible";

export const meta: RuleMeta = {
  id: "public-access",
  title: "Database is not publicly accessible",
  severity: "high",
  description:
    "DB instances (including Aurora members and read replicas) and Multi-AZ DB clusters have PubliclyAccessible false; left unset, AWS's default (public in a VPC with an internet gateway, such as the default VPC) is judged.",
  rationale:
    "A publicly accessible database gets a DNS name that resolves to a public IP address; then only its security group stands between the database port and the whole internet, and one over-broad rule exposes it to password guessing and to exploits of the engine.",
  remediation: {
    text: "Set PubliclyAccessible: false on every DB instance (each Aurora instance has its own setting) and on Multi-AZ DB clusters, and place them in a DB subnet group of private subnets. Reach the database through a bastion, AWS Systems Manager, a VPN or RDS Proxy instead.",
    snippet: [
      "Resources:",
      "  Database:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      Engine: postgres",
      "      DBInstanceClass: db.r7g.large",
      '      AllocatedStorage: "100"',
      "      StorageEncrypted: true",
      "      PubliclyAccessible: false",
      "      DBSubnetGroupName: private-db-subnets",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [],
  references: {
    securityHub: ["RDS.2"],
    awsConfig: ["rds-instance-public-access-check"],
    checkov: ["CKV_AWS_17"],
    cfnNag: ["F22"],
    cfnGuard: ["RDS_INSTANCE_PUBLIC_ACCESS_CHECK"],
    cdkNag: ["HIPAA.Security-RDSInstancePublicAccess", "NIST.800.53.R5-RDSInstancePublicAccess"],
  },
  appliesTo: ["db-cluster", "db-instance"],
  tags: ["security", "network"],
  sources: [
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html",
    "https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
  ],
};

function judgePublic(
  resource: ModelResource,
  ctx: RuleContext,
  publicAttr: Resolved<boolean>,
  subnetGroup: Resolved<string>,
  kind: string,
): Judgement {
  const loc = publicAttr.loc ?? resource.loc;
  if (publicAttr.state === "known") {
    return publicAttr.value
      ? judgement(
          "fail",
          `${describe(P, publicAttr)}: the ${kind} has a public IP address and only its security group keeps the internet out`,
          P,
          loc,
        )
      : judgement("pass", describe(P, publicAttr), P, loc);
  }
  if (publicAttr.state === "unknown") return judgement("unknown", describe(P, publicAttr), P, loc);
  if (ctx.model.source === "live" || resource.origin.source === "live") {
    return judgement("unknown", `${P} was not reported (${publicAttr.defaultSource})`, P, loc);
  }
  if (subnetGroup.state === "absent") {
    return judgement(
      "fail",
      `${P} is not set and there is no DBSubnetGroupName: the ${kind} is created in the Region's default VPC, which AWS creates with an internet gateway attached, so RDS makes it publicly accessible (RDS API reference, CreateDBInstance; Amazon VPC User Guide, Default VPCs); set PubliclyAccessible: false`,
      P,
      loc,
    );
  }
  return judgement(
    "unknown",
    `${P} is not set, and ${describe("DBSubnetGroupName", subnetGroup)}: RDS makes the ${kind} public if that subnet group's VPC has an internet gateway attached, which the template does not show (RDS API reference, CreateDBInstance); set PubliclyAccessible: false to decide it`,
    P,
    loc,
  );
}

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  if (instance.role === "cluster-member") {
    return judgedOnCluster(instance, ctx, P, "Public accessibility");
  }
  // An Aurora instance sits in its cluster's DB subnet group.
  const cluster = instance.role === "aurora-member" ? clusterOf(instance, ctx.model) : undefined;
  const subnetGroup: Attr<string> =
    cluster && instance.dbSubnetGroupName.state === "absent" ? cluster.dbSubnetGroupName : instance.dbSubnetGroupName;
  return judgeAcross<[boolean, string]>(
    instance,
    [instance.publiclyAccessible, subnetGroup],
    ([pub, subnets]) => judgePublic(instance, ctx, pub, subnets, "DB instance"),
    { property: P },
  );
}

function evaluateCluster(cluster: DbCluster, ctx: RuleContext): RuleResult {
  return judgeAcross<[string, string, boolean, string]>(
    cluster,
    [cluster.engine, cluster.dbClusterInstanceClass, cluster.publiclyAccessible, cluster.dbSubnetGroupName],
    ([engine, clusterClass, pub, subnets]) => {
      const aurora = engine.state === "known" ? isAuroraEngine(engine.value) : undefined;
      if (aurora === true) {
        return judgement(
          "not-applicable",
          "PubliclyAccessible is set on each DB instance of an Aurora cluster: its instances are judged",
          P,
          cluster.loc,
        );
      }
      if (aurora === undefined && clusterClass.state === "absent") {
        return judgement(
          "unknown",
          `${describe("Engine", engine)}: whether this is a Multi-AZ DB cluster (judged here) or Aurora (judged on its instances) cannot be told`,
          P,
          engine.loc ?? cluster.loc,
        );
      }
      return judgePublic(cluster, ctx, pub, subnets, "Multi-AZ DB cluster");
    },
    { property: P },
  );
}

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  if (resource.kind === "db-cluster") return [evaluateCluster(resource, ctx)];
  return [
    single(
      resource,
      judgement("not-applicable", "public accessibility is set on DB instances and Multi-AZ DB clusters"),
    ),
  ];
}

export const rule: Rule = { meta, evaluate };
export default rule;
