/**
 * multi-az: high availability across Availability Zones.
 * - Standalone DB instance: MultiAZ (a synchronous standby in another AZ).
 * - Aurora cluster: at least two DB instances that can sit in different AZs (the writer and a reader to fail over
 *   to); MultiAZ on an Aurora instance is not how Aurora expresses it. Members whose own Condition is undecidable
 *   count only under that condition.
 * - Multi-AZ DB cluster (non-Aurora, DBClusterInstanceClass set): multi-AZ by construction.
 * - Aurora Serverless v1: a single DB instance in a single AZ, re-created elsewhere only after a failure; fails.
 * - A template cluster whose members are all switched off (a false Condition): a headless cluster; fails.
 * - Members are not judged (the cluster is). Read replicas are not judged: a replica is itself the extra copy,
 *   and whether it needs a standby of its own is a DR design decision a template does not show.
 */

import { isAuroraEngine, isServerlessV1 } from "../model/engines.js";
import { isClusterMember, sourceOf } from "../model/relations.js";
import type { DbCluster, DbInstance, ModelResource, Resolved } from "../model/types.js";
import { isSet, knownValue } from "../model/values.js";
import { combine, mergeAssumptions, resourceAssumption } from "./alternatives.js";
import { describe } from "./messages.js";
import { judgeMembers } from "./multi-az/members.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import {
  type AlternativeJudgement,
  type Judgement,
  judgeAcross,
  judgedOnCluster,
  judgeFlag,
  judgement,
  mergeJudgements,
  single,
} from "./verdicts.js";

export const meta: RuleMeta = {
  id: "multi-az",
  title: "Database survives the loss of an Availability Zone",
  severity: "medium",
  description:
    "Standalone DB instances run Multi-AZ; Aurora clusters have at least two DB instances that can sit in different Availability Zones; Multi-AZ DB clusters pass by design.",
  rationale:
    "A single-AZ database is down for as long as its AZ or host is impaired. A Multi-AZ standby or an Aurora reader in another AZ turns that outage into an automatic failover of about a minute or less.",
  remediation: {
    text: "Standalone DB instance: set MultiAZ: true. Aurora: add a second AWS::RDS::DBInstance with the same DBClusterIdentifier (a reader; failover target), and if you pin AvailabilityZone, use different zones.",
    snippet: [
      "Resources:",
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      StorageEncrypted: true",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
      "  Writer:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      DBClusterIdentifier: !Ref Cluster",
      "      DBInstanceClass: db.r6g.large",
      "  Reader:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      DBClusterIdentifier: !Ref Cluster",
      "      DBInstanceClass: db.r6g.large",
    ].join("\n"),
  },
  parameters: [],
  references: {
    securityHub: ["RDS.5", "RDS.15"],
    awsConfig: ["rds-multi-az-support", "rds-cluster-multi-az-enabled"],
    checkov: ["CKV_AWS_157"],
    cfnNag: [],
    cfnGuard: ["RDS_MULTI_AZ_SUPPORT"],
    cdkNag: ["AwsSolutions-RDS3", "HIPAA.Security-RDSMultiAZSupport"],
  },
  appliesTo: ["db-cluster", "db-instance"],
  tags: ["reliability", "availability"],
  sources: [
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v1.how-it-works.html",
  ],
};

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  if (resource.kind === "db-cluster") return [evaluateCluster(resource, ctx)];
  return [single(resource, judgement("not-applicable", "Multi-AZ applies to DB clusters and DB instances"))];
}

// ------------------------------------------------------------------------------------------------ instances

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  if (isClusterMember(instance)) {
    return judgedOnCluster(instance, ctx, "MultiAZ", "Availability across AZs");
  }
  if (instance.role === "read-replica") {
    const source =
      sourceOf(instance, ctx.model)?.name ?? knownValue(instance.sourceDbInstanceIdentifier) ?? "its source";
    return single(
      instance,
      judgement(
        "not-applicable",
        `read replica of ${source}: the replica is itself an extra copy; its own Multi-AZ standby is not required by this policy`,
        "MultiAZ",
        instance.loc,
      ),
    );
  }
  return judgeAcross<[boolean]>(instance, [instance.multiAZ], ([multiAz]) =>
    judgeFlag("MultiAZ", multiAz, multiAz.loc ?? instance.loc, "a single-AZ instance"),
  );
}

// ------------------------------------------------------------------------------------------------- clusters

const NOT_REPORTED: Resolved<boolean> = { state: "absent", default: undefined, defaultSource: "not reported" };

function evaluateCluster(cluster: DbCluster, ctx: RuleContext): RuleResult {
  const combos = combine<[string, string, string, boolean]>(
    resourceAssumption(cluster),
    cluster.engine,
    cluster.engineMode,
    cluster.dbClusterInstanceClass,
    cluster.multiAZ ?? NOT_REPORTED,
  );
  const items: AlternativeJudgement[] = [];
  for (const { when, values } of combos) {
    const [engine, mode, clusterClass, liveMultiAz] = values;
    const byDesign = judgeClusterByDesign(cluster, engine, mode, clusterClass, liveMultiAz);
    if (byDesign) {
      items.push({ when, judgement: byDesign });
      continue;
    }
    for (const member of judgeMembers(cluster, ctx)) {
      const merged = mergeAssumptions(when, member.when);
      if (merged) items.push({ when: merged, judgement: member.judgement });
    }
  }
  return mergeJudgements(items, cluster, { property: "DBClusterMembers" });
}

function judgeClusterByDesign(
  cluster: DbCluster,
  engine: Resolved<string>,
  mode: Resolved<string>,
  clusterClass: Resolved<string>,
  liveMultiAz: Resolved<boolean>,
): Judgement | undefined {
  if (mode.state === "known" && isServerlessV1(mode.value)) {
    return judgement(
      "fail",
      `${describe("EngineMode", mode)}: an Aurora Serverless v1 cluster is a single DB instance in a single AZ, re-created in another AZ only after a failure (Aurora User Guide, Aurora Serverless v1 high availability); move to Serverless v2 or provisioned instances with a reader in another AZ`,
      "EngineMode",
      mode.loc ?? cluster.loc,
    );
  }
  const aurora = engine.state === "known" ? isAuroraEngine(engine.value) : undefined;
  if (clusterClass.state !== "absent" && aurora !== true) {
    if (aurora === undefined) {
      return judgement(
        "unknown",
        `${describe("DBClusterInstanceClass", clusterClass)} but ${describe("Engine", engine)}: cannot tell whether this is a Multi-AZ DB cluster`,
        "DBClusterInstanceClass",
        clusterClass.loc ?? cluster.loc,
      );
    }
    return judgement(
      "pass",
      `Multi-AZ DB cluster (${describe("DBClusterInstanceClass", clusterClass)}): one writer and two readers in three AZs by design`,
      "DBClusterInstanceClass",
      clusterClass.loc ?? cluster.loc,
    );
  }
  if (liveMultiAz.state === "known") {
    return judgement(
      liveMultiAz.value ? "pass" : "fail",
      liveMultiAz.value
        ? describe("MultiAZ", liveMultiAz)
        : `${describe("MultiAZ", liveMultiAz)}: the cluster's instances are all in one AZ (or there is only one); add a reader in another AZ`,
      "MultiAZ",
      cluster.loc,
    );
  }
  if (aurora === false && !isSet(cluster.dbClusterInstanceClass)) {
    return judgement(
      "unknown",
      `${describe("Engine", engine)} on a DB cluster without DBClusterInstanceClass: not an Aurora or Multi-AZ DB cluster rdsguard knows`,
      "Engine",
      engine.loc ?? cluster.loc,
    );
  }
  return undefined;
}

export const rule: Rule = { meta, evaluate };
export default rule;
