/**
 * multi-az: high availability across Availability Zones.
 * - Standalone DB instance: MultiAZ (a synchronous standby in another AZ).
 * - Aurora cluster: at least two DB instances that can sit in different AZs (the writer and a reader to fail over
 *   to); MultiAZ on an Aurora instance is not how Aurora expresses it. Members whose own Condition is undecidable
 *   count only under that condition.
 * - Multi-AZ DB cluster (non-Aurora, DBClusterInstanceClass set): multi-AZ by construction.
 * - Aurora Serverless v1: storage spans AZs and the compute fails over to another AZ; passes (v1 itself is
 *   flagged as end of life by instance-class).
 * - Members are not judged (the cluster is). Read replicas are not judged: a replica is itself the extra copy,
 *   and whether it needs a standby of its own is a DR design decision a template does not show.
 */
import type { ConditionAssumption, DbCluster, DbInstance, ModelResource, Resolved } from "../model/types.js";
import {
  type AlternativeJudgement,
  combine,
  describe,
  effective,
  isAuroraEngine,
  isServerlessV1,
  isSet,
  type Judgement,
  judgeAcross,
  judgedOnCluster,
  judgement,
  knownValue,
  membersOf,
  mergeAssumptions,
  mergeJudgements,
  resourceAssumption,
  single,
  sourceOf,
} from "./support.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";

const DEFAULT_SOURCE = "CreateDBInstance MultiAZ: single-AZ by default";
/** Beyond this many independent member conditions, assignments are not enumerated one by one. */
const MAX_ENUMERATED_CONDITIONS = 6;

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

// ------------------------------------------------------------------------------------------------ instances

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  if (instance.role === "aurora-member" || instance.role === "cluster-member") {
    return judgedOnCluster(instance, ctx, "MultiAZ", "Availability across AZs");
  }
  if (instance.role === "read-replica") {
    const source = sourceOf(instance, ctx)?.name ?? knownValue(instance.sourceDbInstanceIdentifier) ?? "its source";
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
  return judgeAcross<[boolean]>(instance, [instance.multiAZ], ([multiAz]) => {
    const loc = multiAz.loc ?? instance.loc;
    const value = multiAz.state === "absent" ? (multiAz.default ?? false) : effective(multiAz);
    const what =
      multiAz.state === "absent" && multiAz.default === undefined
        ? `MultiAZ is not set: AWS default false (${DEFAULT_SOURCE})`
        : describe("MultiAZ", multiAz);
    if (value === undefined) return judgement("unknown", what, "MultiAZ", loc);
    return judgement(value ? "pass" : "fail", value ? what : `${what}: a single-AZ instance`, "MultiAZ", loc);
  });
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
      "pass",
      `${describe("EngineMode", mode)}: Aurora Serverless v1 keeps storage in several AZs and fails compute over to another AZ`,
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

/** Judgements for every assignment of the members' undecidable conditions. */
function judgeMembers(cluster: DbCluster, ctx: RuleContext): AlternativeJudgement[] {
  const members = membersOf(cluster, ctx);
  const own = cluster.condition?.value === "unknown" ? cluster.condition.name : undefined;
  const conditionNames = [
    ...new Set(
      members
        .filter((m) => m.condition?.value === "unknown" && m.condition.name !== own)
        .map((m) => (m.condition as { name: string }).name),
    ),
  ];
  const present = (m: DbInstance, assignment: ConditionAssumption): boolean =>
    m.condition === undefined ||
    m.condition.value === true ||
    (m.condition.value === "unknown" && (m.condition.name === own || assignment[m.condition.name] === true));

  if (conditionNames.length > MAX_ENUMERATED_CONDITIONS) {
    // Too many to enumerate: judge the guaranteed members, and say that more may exist.
    const sure = members.filter((m) => present(m, {}));
    return [{ when: {}, judgement: judgeCount(cluster, ctx, sure, members.length - sure.length) }];
  }
  const out: AlternativeJudgement[] = [];
  for (let mask = 0; mask < 1 << conditionNames.length; mask++) {
    const assignment: ConditionAssumption = {};
    conditionNames.forEach((name, i) => {
      assignment[name] = (mask & (1 << i)) !== 0;
    });
    out.push({
      when: assignment,
      judgement: judgeCount(
        cluster,
        ctx,
        members.filter((m) => present(m, assignment)),
        0,
      ),
    });
  }
  return out;
}

function judgeCount(cluster: DbCluster, ctx: RuleContext, present: DbInstance[], maybeMore: number): Judgement {
  const P = "DBClusterMembers";
  const names = present.map((m) => m.name).join(", ");
  if (present.length === 0) {
    if (ctx.model.source === "live") {
      return judgement(
        "fail",
        "the cluster has no DB instances: add a writer and a reader in different AZs",
        P,
        cluster.loc,
      );
    }
    return judgement(
      "unknown",
      "no DB instances of this cluster are in this template: they may be defined in another stack, so the number of AZs cannot be told",
      P,
      cluster.loc,
    );
  }
  if (present.length === 1) {
    const extra = maybeMore > 0 ? ` (${maybeMore} more exist only under undecided conditions)` : "";
    return judgement(
      maybeMore > 0 ? "unknown" : "fail",
      `the cluster has 1 DB instance (${names})${extra}: add a reader in another AZ so the cluster can fail over`,
      P,
      cluster.loc,
    );
  }
  const zones = present.map((m) => knownValue(m.availabilityZone));
  if (zones.every((z) => z !== undefined) && new Set(zones).size === 1) {
    return judgement(
      "fail",
      `the cluster's ${present.length} DB instances (${names}) are all pinned to AvailabilityZone ${zones[0]}: move a reader to another AZ`,
      "AvailabilityZone",
      present[1]?.availabilityZone.loc ?? cluster.loc,
    );
  }
  const pinned = zones.filter((z) => z !== undefined);
  const placement =
    pinned.length === present.length
      ? `in AZs ${[...new Set(pinned)].join(", ")}`
      : "not all pinned to an AvailabilityZone, so RDS can place them in different AZs";
  return judgement("pass", `the cluster has ${present.length} DB instances (${names}), ${placement}`, P, cluster.loc);
}

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  if (resource.kind === "db-cluster") return [evaluateCluster(resource, ctx)];
  return [single(resource, judgement("not-applicable", "Multi-AZ applies to DB clusters and DB instances"))];
}

export const rule: Rule = { meta, evaluate };
export default rule;
