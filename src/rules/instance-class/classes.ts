import type { ModelResource, Resolved, SourceLocation } from "../../model/types.js";
import {
  auroraMysqlMajor,
  DATA_AS_OF,
  type EngineGroup,
  engineGroup,
  type FamilyEntry,
  INSTANCE_CLASS_TABLE,
  isBurstable,
  isKnownSize,
  parseInstanceClass,
} from "../data/instance-classes.js";
import { describe } from "../messages.js";
import { type Judgement, judgement } from "../verdicts.js";

export interface ClassContext {
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

export function judgeClass(
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
  // An engine version past end of life (Aurora MySQL version 1, RDS for PostgreSQL 10) is judged by engine-version,
  // once; here only the class is.
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
