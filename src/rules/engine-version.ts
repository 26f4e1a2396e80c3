/**
 * engine-version: the engine's major version is inside standard support, and stays so for warnDays.
 * - Past the end of standard support: fail (the account pays RDS Extended Support, or, with
 *   EngineLifecycleSupport ...-disabled or without Extended Support, RDS upgrades the major version itself); past the
 *   end of Extended Support too: fail, end of life.
 * - Standard support ends within warnDays: a warning (a failing result at the lower warningSeverity).
 * - Aurora is judged on the cluster (members are not applicable); standalone instances, read replicas and Multi-AZ
 *   DB clusters on themselves. Commercial engines publish no such lifecycle: not applicable.
 * Dates: live, the region's DescribeDBMajorEngineVersions answer (model.engineLifecycles); otherwise rdsguard's table
 * (data/engine-lifecycles.ts), which is not trusted once it is older than maxTableAgeDays.
 */

import { isClusterMember, sourceOf } from "../model/relations.js";
import type { Attr, DbCluster, DbInstance, EngineLifecycle, ModelResource, Resolved } from "../model/types.js";
import {
  COMMERCIAL_ENGINE_NOTE,
  ENGINE_LIFECYCLES,
  isCommercialEngine,
  LIFECYCLE_ENGINES,
  LIFECYCLE_SOURCES,
  LIFECYCLES_RETRIEVED,
  lifecycleEngine,
  majorVersionOf,
  tableLifecycle,
} from "./data/engine-lifecycles.js";
import { describe } from "./messages.js";
import { numberParam } from "./parameters.js";
import {
  noReferences,
  type Rule,
  type RuleContext,
  type RuleMeta,
  type RuleResult,
  SEVERITIES,
  type Severity,
} from "./types.js";
import { type Judgement, judgeAcross, judgedOnCluster, judgement, single } from "./verdicts.js";

const P = "EngineVersion";
const DAY_MS = 86_400_000;
const DISABLED = "open-source-rds-extended-support-disabled";

export const meta: RuleMeta = {
  id: "engine-version",
  title: "Engine version is in standard support",
  severity: "high",
  description:
    "The major engine version of each DB cluster and standalone DB instance is inside RDS (Aurora) standard support, warned warnDays ahead of its end; EngineLifecycleSupport is reported.",
  rationale:
    "After the end of standard support a database either runs on RDS Extended Support, billed per vCPU-hour from the next day, or (with EngineLifecycleSupport open-source-rds-extended-support-disabled, and for MariaDB) is upgraded to a new major version by RDS on its own schedule, which can break applications. Past the end of Extended Support the version gets no fixes at all and is upgraded regardless.",
  remediation: {
    text: "Upgrade to a major version in standard support (for example Aurora PostgreSQL 16 or 17, RDS for MySQL 8.4) before the date, testing the upgrade with a blue/green deployment. Set EngineLifecycleSupport: open-source-rds-extended-support-disabled where an automatic major upgrade is preferred to Extended Support charges.",
    snippet: [
      "Resources:",
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-postgresql",
      '      EngineVersion: "17.4"',
      "      EngineLifecycleSupport: open-source-rds-extended-support-disabled",
      "      StorageEncrypted: true",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [
    {
      name: "warnDays",
      type: "integer",
      default: 180,
      stricter: "higher",
      description: "Warn (at warningSeverity) when standard support ends within this many days.",
    },
    {
      name: "warningSeverity",
      type: "string",
      default: "low",
      description:
        "Severity of the warning ahead of the end of standard support (critical, high, medium, low or info); never above the rule's own severity.",
    },
    {
      name: "maxTableAgeDays",
      type: "integer",
      default: 180,
      stricter: "lower",
      description:
        "Where dates come from rdsguard's lifecycle table (templates; live when DescribeDBMajorEngineVersions is denied): a table older than this many days is not trusted, and a pass becomes unknown.",
    },
  ],
  references: noReferences(),
  appliesTo: ["db-cluster", "db-instance"],
  tags: ["lifecycle", "cost", "security"],
  sources: [...LIFECYCLE_SOURCES],
};

// ------------------------------------------------------------------------------------------------ dates

interface Dates {
  standardSupportEnd?: string;
  extendedSupportEnd?: string;
  /** Where the dates come from, for the message. */
  from: string;
  /** Set when the dates come from rdsguard's table and that table is older than maxTableAgeDays. */
  stale?: string;
}

function tableAgeNote(ctx: RuleContext): string | undefined {
  const maxAge = numberParam(ctx, "maxTableAgeDays", 180);
  const age = Math.floor((ctx.now.getTime() - Date.parse(`${LIFECYCLES_RETRIEVED}T00:00:00Z`)) / DAY_MS);
  return age > maxAge
    ? `rdsguard's lifecycle table was retrieved on ${LIFECYCLES_RETRIEVED}, ${age} days ago, more than maxTableAgeDays (${maxAge}): refresh it (scripts/refresh-engine-lifecycles.mjs) or scan live`
    : undefined;
}

function datesFor(engine: string, major: string, ctx: RuleContext): Dates | undefined {
  const e = lifecycleEngine(engine);
  const live: EngineLifecycle | undefined = ctx.model.engineLifecycles?.get(`${e}:${major}`);
  if (live) {
    return {
      ...(live.standardSupportEnd ? { standardSupportEnd: live.standardSupportEnd } : {}),
      ...(live.extendedSupportEnd ? { extendedSupportEnd: live.extendedSupportEnd } : {}),
      from: "DescribeDBMajorEngineVersions",
    };
  }
  const row = tableLifecycle(e, major);
  if (!row) return undefined;
  const denied = ctx.model.engineLifecycleErrors?.get(e);
  const from = `rdsguard's lifecycle table, retrieved ${row.retrieved}${
    denied ? `; DescribeDBMajorEngineVersions could not be read (${denied})` : ""
  }`;
  const stale = tableAgeNote(ctx);
  return {
    standardSupportEnd: row.standardSupportEnd,
    ...(row.extendedSupportEnd ? { extendedSupportEnd: row.extendedSupportEnd } : {}),
    from,
    ...(stale ? { stale } : {}),
  };
}

/** True when `major` is newer than every major version the table knows for the engine (released after it). */
function newerThanTable(engine: string, major: string): boolean {
  const e = lifecycleEngine(engine);
  const known = ENGINE_LIFECYCLES.filter((r) => r.engine === e).map((r) => r.majorVersion);
  if (known.length === 0) return false;
  return known.every((k) => compareMajor(major, k) > 0);
}

function compareMajor(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whole days from now until the end of `date` (UTC); negative once it has passed. */
function daysUntil(date: string, now: Date): number {
  const end = Date.parse(`${date}T23:59:59.999Z`);
  return Math.ceil((end - now.getTime()) / DAY_MS);
}

function warningSeverity(ctx: RuleContext): Severity {
  const v = ctx.params.warningSeverity;
  return typeof v === "string" && (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : "low";
}

// ------------------------------------------------------------------------------------------------ judgement

function engineLabel(engine: string): string {
  switch (lifecycleEngine(engine)) {
    case "aurora-mysql":
      return "Aurora MySQL";
    case "aurora-postgresql":
      return "Aurora PostgreSQL";
    case "mysql":
      return "RDS for MySQL";
    case "postgres":
      return "RDS for PostgreSQL";
    case "mariadb":
      return "RDS for MariaDB";
    default:
      return engine;
  }
}

function judgeVersion(
  resource: ModelResource,
  ctx: RuleContext,
  engine: Resolved<string>,
  version: Resolved<string>,
  lifecycle: Resolved<string>,
  warnings?: Set<Judgement>,
): Judgement {
  const loc = version.loc ?? resource.loc;
  if (engine.state !== "known") {
    return judgement("unknown", `${describe("Engine", engine)}: the engine's lifecycle cannot be told`, P, loc);
  }
  const e = engine.value.trim().toLowerCase();
  if (isCommercialEngine(e)) {
    return judgement("not-applicable", `engine ${engine.value}: ${COMMERCIAL_ENGINE_NOTE}`, P, engine.loc ?? loc);
  }
  if (!LIFECYCLE_ENGINES.has(lifecycleEngine(e))) {
    return judgement(
      "unknown",
      `${describe("Engine", engine)}: not an engine rdsguard knows a lifecycle for`,
      P,
      engine.loc ?? loc,
    );
  }
  const label = engineLabel(e);
  if (version.state === "absent") {
    return judgement(
      "pass",
      `EngineVersion is not set: RDS creates a new database with the default version of ${label}, which is in standard support (pin a version to have it judged)`,
      P,
      loc,
    );
  }
  if (version.state === "unknown") return judgement("unknown", describe(P, version), P, loc);
  const major = majorVersionOf(e, version.value);
  if (major === undefined) {
    return judgement("unknown", `${describe(P, version)}: not a ${label} version rdsguard can read`, P, loc);
  }
  const what = `${describe(P, version)}: ${label} ${major}`;
  const dates = datesFor(e, major, ctx);
  if (!dates?.standardSupportEnd) {
    if (newerThanTable(e, major)) {
      return judgement(
        "pass",
        `${what} is newer than every major version in rdsguard's lifecycle table (retrieved ${LIFECYCLES_RETRIEVED}), so it is in standard support`,
        P,
        loc,
      );
    }
    return judgement(
      "unknown",
      `${what}: no support dates are known for this major version (not in DescribeDBMajorEngineVersions or rdsguard's table, retrieved ${LIFECYCLES_RETRIEVED})`,
      P,
      loc,
    );
  }
  const std = dates.standardSupportEnd;
  const ext = dates.extendedSupportEnd;
  const disabled =
    lifecycle.state !== "unknown" && (lifecycle.state === "known" ? lifecycle.value : lifecycle.default) === DISABLED;
  const lifecycleNote =
    lifecycle.state === "unknown"
      ? `; ${describe("EngineLifecycleSupport", lifecycle)}`
      : lifecycle.state === "absent"
        ? `; EngineLifecycleSupport is not set (default ${lifecycle.default ?? "open-source-rds-extended-support"})`
        : disabled
          ? `; ${describe("EngineLifecycleSupport", lifecycle)}: RDS will upgrade the major version at the end of standard support`
          : `; ${describe("EngineLifecycleSupport", lifecycle)}`;
  const source = ` (dates: ${dates.from})`;
  const toStd = daysUntil(std, ctx.now);

  if (ext !== undefined && daysUntil(ext, ctx.now) < 0) {
    return judgement(
      "fail",
      `${what} is past end of life: standard support ended on ${std} and RDS Extended Support on ${ext}; upgrade to a supported major version${source}`,
      P,
      loc,
    );
  }
  if (toStd < 0) {
    if (ext === undefined) {
      return judgement(
        "fail",
        `${what} is past the end of standard support on ${std}, and has no RDS Extended Support: RDS upgrades it to a newer major version; upgrade yourself first${source}`,
        P,
        loc,
      );
    }
    if (disabled) {
      return judgement(
        "fail",
        `${what} is past the end of standard support on ${std}${lifecycleNote}, on its own schedule; upgrade yourself first${source}`,
        P,
        loc,
      );
    }
    return judgement(
      "fail",
      `${what} is past the end of standard support on ${std}: the account pays RDS Extended Support (available until ${ext})${lifecycleNote}${source}`,
      P,
      loc,
    );
  }
  const warnDays = numberParam(ctx, "warnDays", 180);
  if (toStd <= warnDays) {
    const after =
      ext === undefined
        ? "RDS then upgrades the major version"
        : disabled
          ? "RDS then upgrades the major version"
          : `from the next day RDS Extended Support is billed (until ${ext})`;
    const warning = judgement(
      "fail",
      `${what}: standard support ends on ${std}, in ${toStd} days (warnDays ${warnDays}); ${after}${lifecycleNote}${source}`,
      P,
      loc,
    );
    warnings?.add(warning);
    return warning;
  }
  const passed = judgement(
    "pass",
    `${what}: in standard support until ${std} (${toStd} days)${lifecycleNote}${source}`,
    P,
    loc,
  );
  if (dates.stale) return judgement("unknown", `${passed.message}; but ${dates.stale}`, P, loc);
  return passed;
}

// ------------------------------------------------------------------------------------------------ resources

/**
 * Judges every alternative; a failing result whose every failing alternative is only the warning ahead of the end
 * of standard support carries the lower warningSeverity.
 */
function judgeResource(
  resource: ModelResource,
  ctx: RuleContext,
  engine: Attr<string>,
  version: Attr<string>,
  lifecycle: Attr<string>,
): RuleResult {
  const warnings = new Set<Judgement>();
  const failures: Judgement[] = [];
  const result = judgeAcross<[string, string, string]>(
    resource,
    [engine, version, lifecycle],
    ([e, v, l]) => {
      const j = judgeVersion(resource, ctx, e, v, l, warnings);
      if (j.verdict === "fail") failures.push(j);
      return j;
    },
    { property: P },
  );
  if (result.verdict === "fail" && failures.length > 0 && failures.every((f) => warnings.has(f))) {
    result.severity = warningSeverity(ctx);
  }
  return result;
}

function evaluateCluster(cluster: DbCluster, ctx: RuleContext): RuleResult {
  return judgeResource(cluster, ctx, cluster.engine, cluster.engineVersion, cluster.engineLifecycleSupport);
}

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  if (isClusterMember(instance)) {
    return judgedOnCluster(instance, ctx, P, "The engine version");
  }
  // A read replica runs its source's engine and version unless it names one of its own.
  const source = instance.role === "read-replica" ? sourceOf(instance, ctx.model) : undefined;
  const engine = source && instance.engine.state === "absent" ? source.engine : instance.engine;
  const version = source && instance.engineVersion.state === "absent" ? source.engineVersion : instance.engineVersion;
  return judgeResource(instance, ctx, engine, version, instance.engineLifecycleSupport);
}

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-cluster") return [evaluateCluster(resource, ctx)];
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  return [single(resource, judgement("not-applicable", "engine versions are judged on DB clusters and DB instances"))];
}

export const rule: Rule = { meta, evaluate };
export default rule;
