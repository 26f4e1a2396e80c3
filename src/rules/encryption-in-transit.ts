/**
 * encryption-in-transit: the database refuses connections without TLS.
 * - RDS for PostgreSQL and SQL Server: rds.force_ssl = 1; MySQL, MariaDB 10.5+ and Aurora MySQL:
 *   require_secure_transport = ON (or 1); Aurora PostgreSQL: rds.force_ssl = 1 in the DB cluster parameter group.
 * - The group in use: DBParameterGroupName (standalone instances, read replicas) or DBClusterParameterGroupName
 *   (Aurora and Multi-AZ DB clusters, whose members are not judged). Absent, or an AWS `default.*` group: the engine's
 *   documented default for that version applies (RDS for PostgreSQL 15 and later force TLS by default).
 * - Templates: the AWS::RDS::DBParameterGroup / DBClusterParameterGroup of the same template (by Ref or literal
 *   name), with its Parameters and conditions; any other group is unknown, saying why. Live: the group's parameters
 *   read once per distinct group and region (DescribeDBParameters / DescribeDBClusterParameters, Source=user).
 * - Oracle (option groups) and Db2 have no such parameter: unknown, with the reason.
 */

import { isClusterMember, sourceOf } from "../model/relations.js";
import type {
  ConditionAssumption,
  DbCluster,
  DbInstance,
  ModelResource,
  ParameterGroup,
  Resolved,
  SourceLocation,
} from "../model/types.js";
import { alternatives, combine, mergeAssumptions, resourceAssumption } from "./alternatives.js";
import { majorVersionOf } from "./data/engine-lifecycles.js";
import { forcesTls, TLS_SOURCES, type TlsParameter, tlsNote, tlsParameterFor } from "./data/tls-parameters.js";
import { describe } from "./messages.js";
import { noReferences, type Rule, type RuleContext, type RuleMeta, type RuleResult } from "./types.js";
import {
  type AlternativeJudgement,
  type Judgement,
  judgedOnCluster,
  judgement,
  mergeJudgements,
  single,
} from "./verdicts.js";

export const meta: RuleMeta = {
  id: "encryption-in-transit",
  title: "Connections must use TLS",
  severity: "high",
  description:
    "The DB parameter group (instances) or DB cluster parameter group (Aurora, Multi-AZ DB clusters) forces TLS: rds.force_ssl = 1 (PostgreSQL, Aurora PostgreSQL, SQL Server) or require_secure_transport = ON (MySQL, MariaDB, Aurora MySQL), or the engine's default does.",
  rationale:
    "Without a server-side requirement every client decides for itself, and a client left at its default (libpq and JDBC use sslmode=prefer, the MySQL client falls back silently on some versions) sends passwords and data in clear text over the network. Forcing TLS on the server makes encryption in transit a property of the database, not of each application.",
  remediation: {
    text: "Give the database a parameter group that forces TLS: for Aurora and Multi-AZ DB clusters an AWS::RDS::DBClusterParameterGroup, for instances an AWS::RDS::DBParameterGroup, with rds.force_ssl: 1 (PostgreSQL, SQL Server) or require_secure_transport: 'ON' (MySQL, MariaDB, Aurora MySQL). Clients then need the RDS CA bundle to verify the server.",
    snippet: [
      "Resources:",
      "  TlsParameters:",
      "    Type: AWS::RDS::DBClusterParameterGroup",
      "    Properties:",
      "      Description: Require TLS for every connection",
      "      Family: aurora-postgresql16",
      "      Parameters:",
      '        rds.force_ssl: "1"',
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-postgresql",
      '      EngineVersion: "16.6"',
      "      DBClusterParameterGroupName: !Ref TlsParameters",
      "      StorageEncrypted: true",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [],
  references: noReferences(),
  appliesTo: ["db-cluster", "db-instance"],
  tags: ["security", "tls", "encryption-in-transit"],
  sources: [...TLS_SOURCES],
};

/** A parameter the group does not set (the engine default applies). */
const NOT_SET: Resolved<string> = { state: "absent", default: undefined, defaultSource: "not set in the group" };

type Target = { kind: "default"; what: string } | { kind: "group"; group: ParameterGroup; what: string };

/** The parameter group an alternative's group name names, or why it cannot be read. */
function targetOf(
  property: string,
  attr: Resolved<string>,
  ctx: RuleContext,
  resource: ModelResource,
): Target | Judgement {
  const loc = attr.loc;
  if (attr.state === "absent") {
    return { kind: "default", what: `${property} is not set: the engine's default parameter group is used` };
  }
  if (attr.state === "unknown") {
    return judgement(
      "unknown",
      `${describe(property, attr)}: which parameter group is used cannot be told`,
      property,
      loc,
    );
  }
  const group = attr.refersTo ? ctx.model.parameterGroups?.get(attr.refersTo) : undefined;
  if (group) {
    const what =
      group.id === attr.refersTo && ctx.model.source === "template"
        ? `${property} names ${group.name} (${group.scope === "db" ? "AWS::RDS::DBParameterGroup" : "AWS::RDS::DBClusterParameterGroup"} in this template)`
        : describe(property, attr);
    return { kind: "group", group, what };
  }
  if (attr.value.trim().toLowerCase().startsWith("default.")) {
    return {
      kind: "default",
      what: `${describe(property, attr)}: an AWS default parameter group, which keeps the engine's defaults`,
    };
  }
  if (ctx.model.source === "live") {
    const why =
      resource.origin.recordedBy === "aws-config"
        ? "its parameters are not recorded by AWS Config"
        : "its parameters were not read";
    return judgement(
      "unknown",
      `${describe(property, attr)}: ${why}, so whether it forces TLS cannot be told`,
      property,
      loc,
    );
  }
  return judgement(
    "unknown",
    `${describe(property, attr)}: the group is not defined in this template, so its parameters cannot be read (define it here, or audit the live account)`,
    property,
    loc,
  );
}

function judgeValue(
  tls: TlsParameter,
  value: Resolved<string>,
  what: string,
  property: string,
  loc: SourceLocation | undefined,
  fallback: { value: string; source: string },
): Judgement {
  const p = tls.name;
  if (value.state === "unknown") {
    return judgement("unknown", `${what}; ${describe(p, value)}`, property, value.loc ?? loc);
  }
  const setting = value.state === "known" ? value.value : fallback.value;
  const said =
    value.state === "known"
      ? describe(p, value)
      : `${p} is not set: the engine default ${fallback.value} applies (${fallback.source})`;
  const on = forcesTls(p, setting);
  const at = value.state === "known" ? (value.loc ?? loc) : loc;
  if (on === true) return judgement("pass", `${what}; ${said}: connections must use TLS`, property, at);
  if (on === false) {
    return judgement(
      "fail",
      `${what}; ${said}: connections without TLS are accepted; set ${p} to ${p === "rds.force_ssl" ? "1" : "ON"}`,
      property,
      at,
    );
  }
  return judgement(
    "fail",
    `${what}; ${said}: not a value RDS accepts for ${p} (${p === "rds.force_ssl" ? "0 or 1" : "ON/OFF or 1/0"})`,
    property,
    at,
  );
}

/** The group's setting of a parameter, ignoring case as RDS does; undefined when the group does not set it. */
function parameterIn(group: ParameterGroup, name: string) {
  const exact = group.parameters[name];
  if (exact) return exact;
  const key = Object.keys(group.parameters).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : group.parameters[key];
}

function judgeDatabase(
  resource: ModelResource,
  ctx: RuleContext,
  property: string,
  engineAttr: DbInstance["engine"],
  versionAttr: DbInstance["engineVersion"],
  groupAttr: DbInstance["dbParameterGroupName"],
): RuleResult {
  const items: AlternativeJudgement[] = [];
  const base = resourceAssumption(resource);
  for (const { when, values } of combine<[string, string, string]>(base, engineAttr, versionAttr, groupAttr)) {
    const [engine, version, groupName] = values;
    const loc = groupName.loc ?? resource.loc;
    const push = (j: Judgement, w: ConditionAssumption = when) => items.push({ when: w, judgement: j });
    if (engine.state !== "known") {
      push(
        judgement(
          "unknown",
          `${describe("Engine", engine)}: which TLS parameter applies cannot be told`,
          property,
          loc,
        ),
      );
      continue;
    }
    const major = version.state === "known" ? majorVersionOf(engine.value, version.value) : undefined;
    const tls = tlsParameterFor(engine.value, major);
    if (!tls) {
      push(judgement("unknown", `engine ${engine.value}: ${tlsNote(engine.value)}`, property, engine.loc ?? loc));
      continue;
    }
    const majorNumber = major === undefined ? undefined : Number.parseFloat(major);
    const versionKnown = version.state !== "unknown" && !(version.state === "known" && major === undefined);
    // Unknown version: the default cannot be told where it differs by version (RDS for PostgreSQL 15 on force TLS).
    const fallback =
      versionKnown || tls.defaultFor(0).value === tls.defaultFor(99).value ? tls.defaultFor(majorNumber) : undefined;
    const target = targetOf(property, groupName, ctx, resource);
    if ("verdict" in target) {
      push(target);
      continue;
    }
    const unknownDefault = (what: string) =>
      judgement(
        "unknown",
        `${what}; ${tls.name} is not set there, and its default depends on the major version: ${describe("EngineVersion", version)}`,
        property,
        loc,
      );
    if (target.kind === "default") {
      push(fallback ? judgeValue(tls, NOT_SET, target.what, property, loc, fallback) : unknownDefault(target.what));
      continue;
    }
    const group = target.group;
    const setting = parameterIn(group, tls.name);
    if (!setting) {
      if (group.parametersUnknown) {
        push(judgement("unknown", `${target.what}: ${group.parametersUnknown}`, property, group.loc ?? loc));
      } else if (fallback) {
        push(judgeValue(tls, NOT_SET, target.what, property, group.loc ?? loc, fallback));
      } else {
        push(unknownDefault(target.what));
      }
      continue;
    }
    const groupWhen =
      group.condition?.value === "unknown" ? mergeAssumptions(when, { [group.condition.name]: true }) : when;
    if (!groupWhen) continue;
    for (const alt of alternatives(setting)) {
      const w = mergeAssumptions(groupWhen, alt.when);
      if (!w) continue;
      const value = alt.attr;
      if (value.state === "absent" && !fallback) {
        push(unknownDefault(target.what), w);
        continue;
      }
      push(judgeValue(tls, value, target.what, property, group.loc ?? loc, fallback ?? { value: "", source: "" }), w);
    }
  }
  return mergeJudgements(
    items.map((i) => ({ when: withoutBase(i.when, base), judgement: i.judgement })),
    resource,
    { property },
  );
}

function withoutBase(when: ConditionAssumption, base: ConditionAssumption): ConditionAssumption {
  const out: ConditionAssumption = {};
  for (const [k, v] of Object.entries(when)) if (!(k in base)) out[k] = v;
  return out;
}

function evaluateCluster(cluster: DbCluster, ctx: RuleContext): RuleResult {
  return judgeDatabase(
    cluster,
    ctx,
    "DBClusterParameterGroupName",
    cluster.engine,
    cluster.engineVersion,
    cluster.dbClusterParameterGroupName,
  );
}

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  if (isClusterMember(instance)) {
    return judgedOnCluster(instance, ctx, "DBClusterParameterGroupName", "Forcing TLS");
  }
  const source = instance.role === "read-replica" ? sourceOf(instance, ctx.model) : undefined;
  const version = source && instance.engineVersion.state === "absent" ? source.engineVersion : instance.engineVersion;
  return judgeDatabase(instance, ctx, "DBParameterGroupName", instance.engine, version, instance.dbParameterGroupName);
}

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-cluster") {
    return [evaluateCluster(resource, ctx)];
  }
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  return [
    single(resource, judgement("not-applicable", "TLS is forced by the parameter groups of clusters and instances")),
  ];
}

export const rule: Rule = { meta, evaluate };
export default rule;
