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

import { isAuroraEngine, isServerlessV1 } from "../model/engines.js";
import { membersOf, sourceOf } from "../model/relations.js";
import type { Attr, DbCluster, DbInstance, Known, ModelResource, Resolved } from "../model/types.js";
import { isSet, knownValue } from "../model/values.js";
import { alternatives, combine, mergeAssumptions, presenceOf, resourceAssumption } from "./alternatives.js";
import { describe, describeOrigin } from "./messages.js";
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

/** Beyond this many combinations of member conditions and AZ alternatives, they are not enumerated one by one. */
const MAX_ENUMERATED_COMBINATIONS = 256;

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

/** A member that exists under one alternative, with the AvailabilityZone it has there. */
interface Placed {
  member: DbInstance;
  zone: Resolved<string>;
}

/**
 * Judgements for every consistent assignment of the members' undecidable Conditions and of their AvailabilityZone
 * alternatives (an Fn::If on AvailabilityZone can put two members in one AZ under one condition only).
 */
function judgeMembers(cluster: DbCluster, ctx: RuleContext): AlternativeJudgement[] {
  const members = membersOf(cluster, ctx.model);
  const own = cluster.condition?.value === "unknown" ? cluster.condition.name : undefined;
  const attrs: Attr<unknown>[] = members.flatMap((m) => [presenceOf(m, own), m.availabilityZone as Attr<unknown>]);
  const count = attrs.reduce((n, a) => n * alternatives(a).length, 1);
  if (count > MAX_ENUMERATED_COMBINATIONS) {
    // Too many to enumerate: judge the members that exist in every case, and say that more may exist.
    const sure = members.filter((m) => m.condition?.value !== "unknown" || m.condition.name === own);
    const placed = sure.map((m) => ({
      member: m,
      zone: m.availabilityZone.state === "conditional" ? unknownZone(m) : m.availabilityZone,
    }));
    return [{ when: {}, judgement: judgeCount(cluster, ctx, placed, members.length - sure.length) }];
  }
  return combine<unknown[]>(resourceAssumption(cluster), ...attrs).map(({ when, values }) => {
    const placed: Placed[] = [];
    members.forEach((member, i) => {
      const present = values[2 * i] as Resolved<boolean>;
      if (present.state === "known" && present.value) {
        placed.push({ member, zone: values[2 * i + 1] as Resolved<string> });
      }
    });
    return { when, judgement: judgeCount(cluster, ctx, placed, 0) };
  });
}

function unknownZone(member: DbInstance): Resolved<string> {
  return {
    state: "unknown",
    reason: "AvailabilityZone depends on conditions",
    ...(member.availabilityZone.loc ? { loc: member.availabilityZone.loc } : {}),
  };
}

function judgeCount(cluster: DbCluster, ctx: RuleContext, present: Placed[], maybeMore: number): Judgement {
  const P = "DBClusterMembers";
  const names = present.map((p) => p.member.name).join(", ");
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
  const pinned = present.filter((p) => p.zone.state === "known");
  const zones = [...new Set(pinned.map((p) => (p.zone as Known<string>).value))];
  const unpinned = present.filter((p) => p.zone.state === "absent");
  const undecided = present.filter((p) => p.zone.state === "unknown");
  if (zones.length >= 2) {
    return judgement(
      "pass",
      `the cluster has ${present.length} DB instances (${names}), in AZs ${zones.join(", ")}`,
      P,
      cluster.loc,
    );
  }
  if (unpinned.length > 0) {
    return judgement(
      "pass",
      `the cluster has ${present.length} DB instances (${names}), not all pinned to an AvailabilityZone, so RDS can place them in different AZs`,
      P,
      cluster.loc,
    );
  }
  if (undecided.length > 0) {
    const first = undecided[0] as Placed;
    const others = zones.length === 1 ? `; the others are pinned to ${zones[0]}` : "";
    return judgement(
      "unknown",
      `the cluster has ${present.length} DB instances (${names}); ${describe(`AvailabilityZone of ${first.member.name}`, first.zone)}${others}: whether they share one AZ cannot be told`,
      "AvailabilityZone",
      first.zone.loc ?? cluster.loc,
    );
  }
  const second = pinned[1] as Placed;
  return judgement(
    "fail",
    `the cluster's ${present.length} DB instances (${names}) are all pinned to AvailabilityZone ${zones[0]} (${pinned
      .map((p) => `${p.member.name}: ${describeOrigin((p.zone as Known<string>).origin)}`)
      .join("; ")}): move a reader to another AZ`,
    "AvailabilityZone",
    second.zone.loc ?? cluster.loc,
  );
}

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  if (resource.kind === "db-cluster") return [evaluateCluster(resource, ctx)];
  return [single(resource, judgement("not-applicable", "Multi-AZ applies to DB clusters and DB instances"))];
}

export const rule: Rule = { meta, evaluate };
export default rule;
