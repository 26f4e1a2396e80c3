/**
 * instance-class: the DB instance class exists for the engine (and Aurora MySQL major version), is not deprecated
 * or past end of life, is not burstable where the policy profile forbids it, and db.serverless members have a sane
 * Serverless v2 capacity range on their cluster. Aurora Serverless v1 is past end of life and fails here. Engine
 * versions (Aurora MySQL version 1, RDS for PostgreSQL 10) are judged by engine-version, not here.
 *
 * `allowBurstable` defaults to true (the development-friendly answer, as AWS documents T classes as fine for
 * development and test); the shipped production profile sets it to false.
 */

import { isAuroraEngine, isServerlessV1 } from "../model/engines.js";
import { clusterOf, isClusterMember, membersOf } from "../model/relations.js";
import type { DbCluster, DbInstance, ModelResource } from "../model/types.js";
import { isSet } from "../model/values.js";
import { alternatives } from "./alternatives.js";
import { SERVERLESS_V1_END_OF_LIFE, SOURCES } from "./data/instance-classes.js";
import { type ClassContext, judgeClass } from "./instance-class/classes.js";
import { judgeServerlessV2 } from "./instance-class/serverless.js";
import { describe } from "./messages.js";
import { booleanParam } from "./parameters.js";
import { noReferences, type Rule, type RuleContext, type RuleMeta, type RuleResult } from "./types.js";
import { judgeAcross, judgement, single } from "./verdicts.js";

export const meta: RuleMeta = {
  id: "instance-class",
  title: "Instance class is supported, current and fit for the profile",
  severity: "medium",
  description:
    "DB instance classes exist for the engine and version, are not deprecated or past end of life, are not burstable (db.t*) where the policy forbids it, and Aurora Serverless v2 capacity ranges are sane; Aurora Serverless v1 is past end of life.",
  rationale:
    "An unsupported class fails at deploy time; a retired or previous-generation class is slower, dearer and will be migrated by AWS on its own schedule. Burstable classes run out of CPU credits under sustained load, which AWS says suits development and test only. A Serverless v2 cluster without a capacity range cannot host db.serverless instances, and a range that is too small throttles the database.",
  remediation: {
    text: "Use a current memory-optimized class (for example db.r7g or db.r6i) for production, db.t4g/db.t3 only where the profile allows burstable classes, and for db.serverless members set ServerlessV2ScalingConfiguration on the cluster (0.5 to 256 ACU; 0 only on versions with auto-pause). Migrate Aurora Serverless v1 clusters to Serverless v2.",
    snippet: [
      "Resources:",
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-postgresql",
      '      EngineVersion: "16.4"',
      "      StorageEncrypted: true",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
      "      ServerlessV2ScalingConfiguration:",
      "        MinCapacity: 0.5",
      "        MaxCapacity: 16",
      "  Writer:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      DBClusterIdentifier: !Ref Cluster",
      "      DBInstanceClass: db.serverless",
      "  Reader:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      DBClusterIdentifier: !Ref Cluster",
      "      DBInstanceClass: db.r7g.large",
    ].join("\n"),
  },
  parameters: [
    {
      name: "allowBurstable",
      type: "boolean",
      default: true,
      stricter: false,
      description:
        "Allow burstable db.t* classes. The production profile of the default policy sets this to false; development keeps it true.",
    },
    {
      name: "minServerlessV2MaxCapacity",
      type: "integer",
      default: 2,
      stricter: "higher",
      description: "Smallest acceptable Serverless v2 MaxCapacity in ACU (1 ACU is about 2 GiB of memory).",
    },
  ],
  references: noReferences(),
  appliesTo: ["db-cluster", "db-instance"],
  tags: ["reliability", "performance", "lifecycle"],
  sources: [...SOURCES],
};

/**
 * DB instances are judged on their class; a Multi-AZ DB cluster member without a class of its own is judged on the
 * cluster's DBClusterInstanceClass; an Aurora member takes Engine and EngineVersion from its cluster. DB clusters
 * are judged on Serverless v1 end of life, DBClusterInstanceClass (Multi-AZ DB clusters) and the Serverless v2
 * capacity range their db.serverless members need.
 */
function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  if (resource.kind === "db-cluster") return evaluateCluster(resource, ctx);
  return [single(resource, judgement("not-applicable", "instance classes apply to DB clusters and DB instances"))];
}

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  const cluster = isClusterMember(instance) ? clusterOf(instance, ctx.model) : undefined;
  if (instance.role === "cluster-member" && instance.dbInstanceClass.state === "absent") {
    return judgedOnClusterClass(instance, cluster);
  }
  // Aurora members often leave Engine/EngineVersion to the cluster.
  const engine = cluster && instance.engine.state === "absent" ? cluster.engine : instance.engine;
  const version = cluster && instance.engineVersion.state === "absent" ? cluster.engineVersion : instance.engineVersion;
  const c: ClassContext = {
    resource: instance,
    property: "DBInstanceClass",
    allowBurstable: booleanParam(ctx, "allowBurstable", true),
  };
  if (cluster) c.clusterName = cluster.name;
  return judgeAcross<[string, string, string]>(
    instance,
    [engine, version, instance.dbInstanceClass],
    ([e, v, cls]) => judgeClass(c, e, v, cls),
    { property: "DBInstanceClass" },
  );
}

function evaluateCluster(cluster: DbCluster, ctx: RuleContext): RuleResult[] {
  const results: RuleResult[] = [];
  if (alternatives(cluster.engineMode).some((a) => a.attr.state === "known" && isServerlessV1(a.attr.value))) {
    results.push(judgeServerlessV1(cluster));
  }
  if (isSet(cluster.dbClusterInstanceClass)) {
    results.push(judgeClusterInstanceClass(cluster, booleanParam(ctx, "allowBurstable", true)));
  }
  const serverlessMembers = membersOf(cluster, ctx.model).filter((m) =>
    alternatives(m.dbInstanceClass).some(
      (a) => a.attr.state === "known" && a.attr.value.trim().toLowerCase() === "db.serverless",
    ),
  );
  if (
    serverlessMembers.length > 0 ||
    isSet(cluster.serverlessV2MinCapacity) ||
    isSet(cluster.serverlessV2MaxCapacity)
  ) {
    results.push(judgeServerlessV2(cluster, ctx, serverlessMembers));
  }
  if (results.length === 0) {
    results.push(
      single(
        cluster,
        judgement(
          "not-applicable",
          "provisioned Aurora cluster: instance classes are judged on its DB instances",
          undefined,
          cluster.loc,
        ),
      ),
    );
  }
  return results;
}

/** A Multi-AZ DB cluster member without a DBInstanceClass of its own. */
function judgedOnClusterClass(instance: DbInstance, cluster: DbCluster | undefined): RuleResult {
  return single(
    instance,
    judgement(
      "not-applicable",
      `member of Multi-AZ DB cluster ${cluster?.name ?? "(not in scan)"}: the class is judged on the cluster's DBClusterInstanceClass`,
      "DBInstanceClass",
      instance.loc,
    ),
  );
}

function judgeServerlessV1(cluster: DbCluster): RuleResult {
  return judgeAcross<[string]>(
    cluster,
    [cluster.engineMode],
    ([mode]) =>
      mode.state === "known" && isServerlessV1(mode.value)
        ? judgement(
            "fail",
            `${describe("EngineMode", mode)}: Aurora Serverless v1 reached end of life on ${SERVERLESS_V1_END_OF_LIFE}; move to Aurora Serverless v2 (db.serverless instances) or provisioned instances`,
            "EngineMode",
            mode.loc ?? cluster.loc,
          )
        : judgement("pass", describe("EngineMode", mode), "EngineMode", mode.loc ?? cluster.loc),
    { property: "EngineMode" },
  );
}

/** DBClusterInstanceClass of a Multi-AZ DB cluster; on an Aurora cluster its DB instances carry the class. */
function judgeClusterInstanceClass(cluster: DbCluster, allowBurstable: boolean): RuleResult {
  return judgeAcross<[string, string, string]>(
    cluster,
    [cluster.engine, cluster.engineVersion, cluster.dbClusterInstanceClass],
    ([engine, version, cls]) =>
      engine.state === "known" && isAuroraEngine(engine.value)
        ? judgement(
            "not-applicable",
            `${describe("DBClusterInstanceClass", cls)} on an Aurora cluster: classes are judged on its DB instances`,
            "DBClusterInstanceClass",
            cls.loc ?? cluster.loc,
          )
        : judgeClass({ resource: cluster, property: "DBClusterInstanceClass", allowBurstable }, engine, version, cls),
    { property: "DBClusterInstanceClass" },
  );
}

export const rule: Rule = { meta, evaluate };
export default rule;
