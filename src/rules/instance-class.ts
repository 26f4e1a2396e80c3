/**
 * instance-class: the DB instance class exists for the engine (and Aurora MySQL major version), is not deprecated
 * or past end of life, is not burstable where the policy profile forbids it, and db.serverless members have a sane
 * Serverless v2 capacity range on their cluster. Aurora Serverless v1 and Aurora MySQL version 1 are past end of
 * life and fail here.
 *
 * `allowBurstable` defaults to true (the development-friendly answer, as AWS documents T classes as fine for
 * development and test); the shipped production profile sets it to false.
 */

import { isAuroraEngine, isServerlessV1 } from "../model/engines.js";
import { clusterOf, membersOf } from "../model/relations.js";
import type { Attr, DbCluster, DbInstance, ModelResource, Resolved, SourceLocation } from "../model/types.js";
import { isSet } from "../model/values.js";
import { alternatives, combine, presenceOf, resourceAssumption } from "./alternatives.js";
import {
  AURORA_MYSQL_1_END_OF_LIFE,
  AUTO_PAUSE_MIN_VERSIONS,
  auroraMysqlMajor,
  auroraMysqlVersion,
  compareVersions,
  DATA_AS_OF,
  type EngineGroup,
  engineGroup,
  type FamilyEntry,
  INSTANCE_CLASS_TABLE,
  isBurstable,
  isKnownSize,
  parseInstanceClass,
  SERVERLESS_V1_END_OF_LIFE,
  SERVERLESS_V2_MAX_ACU,
  SERVERLESS_V2_MIN_ACU_WITHOUT_AUTOPAUSE,
  SERVERLESS_V2_MIN_MAX_ACU,
  SERVERLESS_V2_OLDER_MAX_ACU,
  SOURCES,
} from "./data/instance-classes.js";
import { describe } from "./messages.js";
import { booleanParam, numberParam } from "./parameters.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import { type Judgement, judgeAcross, judgement, mergeJudgements, single } from "./verdicts.js";

const P = "ServerlessV2ScalingConfiguration";

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
      description:
        "Allow burstable db.t* classes. The production profile of the default policy sets this to false; development keeps it true.",
    },
    {
      name: "minServerlessV2MaxCapacity",
      type: "integer",
      default: 2,
      description: "Smallest acceptable Serverless v2 MaxCapacity in ACU (1 ACU is about 2 GiB of memory).",
    },
  ],
  references: {
    securityHub: [],
    awsConfig: [],
    checkov: [],
    cfnNag: [],
    cfnGuard: [],
    cdkNag: [],
  },
  appliesTo: ["db-cluster", "db-instance"],
  tags: ["reliability", "performance", "lifecycle"],
  sources: [...SOURCES],
};

// ------------------------------------------------------------------------------------------ class judgement

interface ClassContext {
  resource: ModelResource;
  property: string;
  allowBurstable: boolean;
  /** Aurora cluster that judges this member's Serverless v2 capacity. */
  clusterName?: string;
}

function groupLabel(group: EngineGroup): string {
  switch (group) {
    case "aurora-mysql-1":
      return "Aurora MySQL version 1";
    case "aurora-mysql-2":
      return "Aurora MySQL version 2";
    case "aurora-mysql-3":
      return "Aurora MySQL version 3";
    case "aurora-postgresql":
      return "Aurora PostgreSQL";
    case "mysql":
      return "RDS for MySQL";
    case "postgres":
      return "RDS for PostgreSQL";
    case "mariadb":
      return "RDS for MariaDB";
    case "oracle":
      return "RDS for Oracle";
    case "sqlserver":
      return "RDS for SQL Server";
    case "db2":
      return "RDS for Db2";
  }
}

/** Aurora MySQL major version from EngineVersion; absent means today's default (version 3). */
function mysqlMajorOf(version: Resolved<string>): { major?: number; note: string } {
  if (version.state === "known") {
    const major = auroraMysqlMajor(version.value);
    return major === undefined
      ? { note: `EngineVersion ${version.value} is not a version rdsguard can read` }
      : { major, note: "" };
  }
  if (version.state === "absent")
    return { major: 3, note: " (EngineVersion not set: the default is Aurora MySQL version 3)" };
  return { note: describe("EngineVersion", version) };
}

function judgeClass(
  c: ClassContext,
  engine: Resolved<string>,
  version: Resolved<string>,
  instanceClass: Resolved<string>,
): Judgement {
  const P = c.property;
  const loc: SourceLocation | undefined = instanceClass.loc ?? c.resource.loc;
  if (instanceClass.state === "unknown") return judgement("unknown", describe(P, instanceClass), P, loc);
  if (instanceClass.state === "absent") return judgement("unknown", `${P} is not set`, P, loc);
  const value = instanceClass.value;
  const parsed = parseInstanceClass(value);
  const what = describe(P, instanceClass);
  if (!parsed) {
    return judgement(
      "fail",
      `${what}: not a DB instance class name; RDS expects db.<family>.<size> (for example db.r6g.large) or db.serverless${value.trim().toLowerCase().startsWith("db.") ? "" : ", starting with db."}`,
      P,
      loc,
    );
  }
  const burstable = isBurstable(parsed.family);
  const burstableFail = (): Judgement =>
    judgement(
      "fail",
      `${what}: a burstable class, which AWS recommends only for development and test; this policy profile does not allow it (parameter allowBurstable)`,
      P,
      loc,
    );

  if (engine.state !== "known") {
    if (burstable && !c.allowBurstable) return burstableFail();
    return judgement(
      "unknown",
      `${what}, but ${describe("Engine", engine)}: support for the engine cannot be checked`,
      P,
      loc,
    );
  }
  let group: ReturnType<typeof engineGroup>;
  let versionNote = "";
  if (engine.value.trim().toLowerCase() === "aurora-mysql") {
    const m = mysqlMajorOf(version);
    group = engineGroup(engine.value, m.major);
    versionNote = m.note;
  } else {
    group = engineGroup(engine.value, undefined);
  }
  if (group === "aurora-mysql-1") {
    return judgement(
      "fail",
      `engine ${engine.value} is Aurora MySQL version 1 (MySQL 5.6 compatible), which reached end of life on ${AURORA_MYSQL_1_END_OF_LIFE}`,
      "Engine",
      engine.loc ?? loc,
    );
  }
  if (group === undefined) {
    if (burstable && !c.allowBurstable) return burstableFail();
    return judgement(
      "unknown",
      `${what}: engine ${engine.value} is not covered by rdsguard's instance class table (RDS Custom or an unknown engine)`,
      P,
      loc,
    );
  }
  let entry: FamilyEntry | undefined;
  let label: string;
  if (group === "aurora-mysql-unknown-version") {
    const v2 = INSTANCE_CLASS_TABLE["aurora-mysql-2"][parsed.family];
    const v3 = INSTANCE_CLASS_TABLE["aurora-mysql-3"][parsed.family];
    if (JSON.stringify(v2) !== JSON.stringify(v3)) {
      if (burstable && !c.allowBurstable) return burstableFail();
      return judgement(
        "unknown",
        `${what}: support differs between Aurora MySQL versions 2 and 3, and ${versionNote || "the version is unknown"}`,
        P,
        loc,
      );
    }
    entry = v3;
    label = "Aurora MySQL";
  } else {
    entry = INSTANCE_CLASS_TABLE[group][parsed.family];
    label = groupLabel(group);
  }
  if (parsed.oracleVariant && group !== "oracle") {
    return judgement(
      "fail",
      `${what}: preconfigured memory classes (.${parsed.oracleVariant}) are offered only by RDS for Oracle, not ${label}`,
      P,
      loc,
    );
  }
  if (!entry) {
    if (burstable && !c.allowBurstable) return burstableFail();
    return judgement(
      "unknown",
      `${what}: family db.${parsed.family} is not in rdsguard's instance class table for ${label} (data as of ${DATA_AS_OF}); check the AWS documentation`,
      P,
      loc,
    );
  }
  const note = entry.note ? ` (${entry.note})` : "";
  switch (entry.status) {
    case "unsupported":
      return judgement("fail", `${what}: not offered for ${label}${versionNote}${note}`, P, loc);
    case "end-of-life":
      return judgement(
        "fail",
        `${what}: end of life for ${label}${entry.date ? ` since ${entry.date}` : ""}${note}`,
        P,
        loc,
      );
    case "deprecated":
      return judgement("fail", `${what}: deprecated for ${label}${versionNote}${note}`, P, loc);
    case "current":
      break;
  }
  if (parsed.size && !isKnownSize(parsed.size)) {
    if (burstable && !c.allowBurstable) return burstableFail();
    return judgement(
      "unknown",
      `${what}: size ${parsed.size} is not one rdsguard knows for db.${parsed.family} (data as of ${DATA_AS_OF}); check the AWS documentation`,
      P,
      loc,
    );
  }
  if (entry.sizes && parsed.size && !entry.sizes.includes(parsed.size)) {
    return judgement(
      "fail",
      `${what}: ${label} offers db.${parsed.family} only in sizes ${entry.sizes.join(", ")}${versionNote}`,
      P,
      loc,
    );
  }
  if (burstable && !c.allowBurstable) return burstableFail();
  if (parsed.family === "serverless") {
    return judgement(
      "pass",
      `${what}: Aurora Serverless v2 for ${label}${c.clusterName ? `; capacity is judged on cluster ${c.clusterName}` : ""}`,
      P,
      loc,
    );
  }
  return judgement(
    "pass",
    `${what}: a current class for ${label}${versionNote}${burstable ? " (burstable, allowed by this profile)" : ""}`,
    P,
    loc,
  );
}

// ------------------------------------------------------------------------------------------------ instances

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  const cluster =
    instance.role === "aurora-member" || instance.role === "cluster-member"
      ? clusterOf(instance, ctx.model)
      : undefined;
  // Aurora members often leave Engine/EngineVersion to the cluster.
  const engine = cluster && instance.engine.state === "absent" ? cluster.engine : instance.engine;
  const version = cluster && instance.engineVersion.state === "absent" ? cluster.engineVersion : instance.engineVersion;
  const c: ClassContext = {
    resource: instance,
    property: "DBInstanceClass",
    allowBurstable: booleanParam(ctx, "allowBurstable", true),
  };
  if (cluster) c.clusterName = cluster.name;
  if (instance.role === "cluster-member" && instance.dbInstanceClass.state === "absent") {
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
  return judgeAcross<[string, string, string]>(
    instance,
    [engine, version, instance.dbInstanceClass],
    ([e, v, cls]) => judgeClass(c, e, v, cls),
    { property: "DBInstanceClass" },
  );
}

// ------------------------------------------------------------------------------------------------- clusters

function evaluateCluster(cluster: DbCluster, ctx: RuleContext): RuleResult[] {
  const results: RuleResult[] = [];
  const allowBurstable = booleanParam(ctx, "allowBurstable", true);

  if (alternatives(cluster.engineMode).some((a) => a.attr.state === "known" && isServerlessV1(a.attr.value))) {
    results.push(
      judgeAcross<[string]>(
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
      ),
    );
  }

  if (isSet(cluster.dbClusterInstanceClass)) {
    results.push(
      judgeAcross<[string, string, string]>(
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
            : judgeClass(
                { resource: cluster, property: "DBClusterInstanceClass", allowBurstable },
                engine,
                version,
                cls,
              ),
        { property: "DBClusterInstanceClass" },
      ),
    );
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

function judgeServerlessV2(cluster: DbCluster, ctx: RuleContext, serverlessMembers: DbInstance[]): RuleResult {
  const floor = numberParam(ctx, "minServerlessV2MaxCapacity", 2);
  const own = cluster.condition?.value === "unknown" ? cluster.condition.name : undefined;
  // A member counts where it exists (its own Condition) and where its class is db.serverless (an Fn::If on
  // DBInstanceClass), so a missing capacity range fails only under the conditions that create such a member.
  const memberAttrs: Attr<unknown>[] = serverlessMembers.flatMap((m) => [
    presenceOf(m, own),
    m.dbInstanceClass as Attr<unknown>,
  ]);
  const combos = combine<unknown[]>(
    resourceAssumption(cluster),
    cluster.serverlessV2MinCapacity,
    cluster.serverlessV2MaxCapacity,
    cluster.engine,
    cluster.engineVersion,
    ...memberAttrs,
  );
  const items = combos.map(({ when, values }) => {
    const [min, max, engine, version] = values as [
      Resolved<number>,
      Resolved<number>,
      Resolved<string>,
      Resolved<string>,
    ];
    const users = serverlessMembers
      .filter((_, i) => {
        const present = values[4 + 2 * i] as Resolved<boolean>;
        const cls = values[5 + 2 * i] as Resolved<string>;
        return (
          present.state === "known" &&
          present.value &&
          cls.state === "known" &&
          cls.value.trim().toLowerCase() === "db.serverless"
        );
      })
      .map((m) => m.name);
    return { when, judgement: judgeCapacity(cluster, floor, users, min, max, engine, version) };
  });
  return mergeJudgements(items, cluster, { property: P });
}

function judgeCapacity(
  cluster: DbCluster,
  floor: number,
  users: string[],
  min: Resolved<number>,
  max: Resolved<number>,
  engine: Resolved<string>,
  version: Resolved<string>,
): Judgement {
  const loc = max.loc ?? min.loc ?? cluster.loc;
  if (min.state === "absent" && max.state === "absent") {
    if (users.length === 0) {
      return judgement("not-applicable", `${P} is not set and no DB instance uses db.serverless`, P, cluster.loc);
    }
    return judgement(
      "fail",
      `${P} is not set, but ${users.join(", ")} ${users.length === 1 ? "uses" : "use"} db.serverless: a cluster needs a capacity range before it can host Aurora Serverless v2 instances`,
      P,
      cluster.loc,
    );
  }
  if (min.state === "absent" || max.state === "absent") {
    return judgement(
      "fail",
      `${P} needs both MinCapacity and MaxCapacity (${describe("MinCapacity", min)}; ${describe("MaxCapacity", max)})`,
      P,
      loc,
    );
  }
  if (min.state === "unknown" || max.state === "unknown") {
    return judgement("unknown", `${describe("MinCapacity", min)}; ${describe("MaxCapacity", max)}`, P, loc);
  }
  const both = `${describe("MinCapacity", min)}, ${describe("MaxCapacity", max)}`;
  const lo = min.value;
  const hi = max.value;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo * 2 !== Math.round(lo * 2) || hi * 2 !== Math.round(hi * 2)) {
    return judgement("fail", `${both}: capacities are set in steps of 0.5 ACU`, P, loc);
  }
  if (lo < 0 || hi > SERVERLESS_V2_MAX_ACU) {
    return judgement("fail", `${both}: Serverless v2 capacity ranges from 0 to ${SERVERLESS_V2_MAX_ACU} ACU`, P, loc);
  }
  if (hi < SERVERLESS_V2_MIN_MAX_ACU) {
    return judgement("fail", `${both}: MaxCapacity is at least ${SERVERLESS_V2_MIN_MAX_ACU} ACU`, P, max.loc ?? loc);
  }
  if (lo > hi) return judgement("fail", `${both}: MinCapacity is larger than MaxCapacity`, P, min.loc ?? loc);
  if (hi < floor) {
    return judgement(
      "fail",
      `${both}: MaxCapacity below the policy floor of ${floor} ACU (parameter minServerlessV2MaxCapacity) leaves the database no room to scale`,
      P,
      max.loc ?? loc,
    );
  }
  if (lo > 0 && lo < SERVERLESS_V2_MIN_ACU_WITHOUT_AUTOPAUSE) {
    return judgement("fail", `${both}: MinCapacity is either 0 (auto-pause) or at least 0.5 ACU`, P, min.loc ?? loc);
  }
  const bigNote =
    hi > SERVERLESS_V2_OLDER_MAX_ACU
      ? `; MaxCapacity above ${SERVERLESS_V2_OLDER_MAX_ACU} ACU needs a recent engine version`
      : "";
  if (lo === 0) {
    const autoPause = supportsAutoPause(engine, version);
    if (autoPause.verdict !== "pass") {
      return judgement(autoPause.verdict, `${both}: MinCapacity 0 (auto-pause) ${autoPause.text}`, P, min.loc ?? loc);
    }
    return judgement("pass", `${both}: auto-pause at 0 ACU ${autoPause.text}${bigNote}`, P, loc);
  }
  return judgement("pass", `${both}${bigNote}`, P, loc);
}

function supportsAutoPause(
  engine: Resolved<string>,
  version: Resolved<string>,
): { verdict: "pass" | "fail" | "unknown"; text: string } {
  if (engine.state !== "known")
    return { verdict: "unknown", text: `depends on the engine version; ${describe("Engine", engine)}` };
  if (version.state !== "known") {
    return {
      verdict: "unknown",
      text: `needs Aurora MySQL 3.08.0+ or Aurora PostgreSQL 13.15/14.12/15.7/16.3+, and ${version.state === "absent" ? "EngineVersion is not set (the default version decides)" : describe("EngineVersion", version)}`,
    };
  }
  const e = engine.value.trim().toLowerCase();
  if (e === "aurora-mysql") {
    const v = auroraMysqlVersion(version.value);
    if (!v)
      return {
        verdict: "unknown",
        text: `needs Aurora MySQL 3.08.0 or higher; EngineVersion ${version.value} cannot be read`,
      };
    const ok = compareVersions(v, AUTO_PAUSE_MIN_VERSIONS["aurora-mysql"]) >= 0;
    return ok
      ? { verdict: "pass", text: `(supported by Aurora MySQL ${v})` }
      : { verdict: "fail", text: `needs Aurora MySQL 3.08.0 or higher, but EngineVersion is ${version.value}` };
  }
  if (e === "aurora-postgresql") {
    const major = Number.parseInt(version.value, 10);
    if (!Number.isFinite(major)) return { verdict: "unknown", text: `EngineVersion ${version.value} cannot be read` };
    const floors = AUTO_PAUSE_MIN_VERSIONS["aurora-postgresql"];
    const maxKnownMajor = Math.max(...Object.keys(floors).map(Number));
    const floor = floors[major];
    const ok = major > maxKnownMajor || (floor !== undefined && compareVersions(version.value, floor) >= 0);
    return ok
      ? { verdict: "pass", text: `(supported by Aurora PostgreSQL ${version.value})` }
      : {
          verdict: "fail",
          text: `needs Aurora PostgreSQL ${floor ?? "13.15"} or higher${floor ? ` in major version ${major}` : ""}, but EngineVersion is ${version.value}`,
        };
  }
  return { verdict: "fail", text: `is an Aurora Serverless v2 feature; engine ${engine.value} is not Aurora` };
}

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  if (resource.kind === "db-cluster") return evaluateCluster(resource, ctx);
  return [single(resource, judgement("not-applicable", "instance classes apply to DB clusters and DB instances"))];
}

export const rule: Rule = { meta, evaluate };
export default rule;
