/**
 * Support dates of major engine versions, for templates (and for live scans where DescribeDBMajorEngineVersions is
 * denied). Live scans prefer the region's own answer.
 *
 * Each row names the AWS page it comes from and the day it was read. `scripts/refresh-engine-lifecycles.mjs` turns
 * `aws rds describe-db-major-engine-versions --engine <engine>` output into rows for this file. A test fails when
 * LIFECYCLES_RETRIEVED is older than the age the policy allows (rule parameter maxTableAgeDays), so a stale table is
 * seen, not trusted.
 *
 * Dates are the last day of support (AWS writes "RDS end of standard support date: February 28, 2030"; the API
 * answers LifecycleSupportEndDate 2030-02-28T23:59:59.999Z). `extendedSupportEnd` undefined: no RDS Extended Support
 * for that version (MariaDB, and versions retired before Extended Support existed).
 */

export interface LifecycleRow {
  engine: "mysql" | "postgres" | "mariadb" | "aurora-mysql" | "aurora-postgresql";
  /** As DescribeDBMajorEngineVersions spells it: "8.0", "17", Aurora MySQL "8.0" (version 3). */
  majorVersion: string;
  standardSupportEnd: string;
  extendedSupportEnd?: string;
  source: string;
  /** The day the row was read from `source` (YYYY-MM-DD). */
  retrieved: string;
}

/** The oldest `retrieved` date in the table: what the staleness check measures. */
export const LIFECYCLES_RETRIEVED = "2026-12-02";

const MYSQL = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html";
const POSTGRES = "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html";
const MARIADB = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MariaDB.Concepts.VersionMgmt.html";
const AURORA_MYSQL =
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.release-calendars.html";
const AURORA_POSTGRES =
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html";
const R = LIFECYCLES_RETRIEVED;

export const ENGINE_LIFECYCLES: readonly LifecycleRow[] = [
  // RDS for MySQL. 5.6 was retired in 2022, before RDS Extended Support existed.
  { engine: "mysql", majorVersion: "5.6", standardSupportEnd: "2022-03-01", source: MYSQL, retrieved: R },
  {
    engine: "mysql",
    majorVersion: "5.7",
    standardSupportEnd: "2024-02-29",
    extendedSupportEnd: "2027-02-28",
    source: MYSQL,
    retrieved: R,
  },
  {
    engine: "mysql",
    majorVersion: "8.0",
    standardSupportEnd: "2026-07-31",
    extendedSupportEnd: "2029-07-31",
    source: MYSQL,
    retrieved: R,
  },
  {
    engine: "mysql",
    majorVersion: "8.4",
    standardSupportEnd: "2029-07-31",
    extendedSupportEnd: "2032-07-31",
    source: MYSQL,
    retrieved: R,
  },
  // RDS for PostgreSQL. 9.6 and 10 were retired before RDS Extended Support (which starts with 11).
  { engine: "postgres", majorVersion: "9.6", standardSupportEnd: "2022-04-26", source: POSTGRES, retrieved: R },
  { engine: "postgres", majorVersion: "10", standardSupportEnd: "2023-04-17", source: POSTGRES, retrieved: R },
  {
    engine: "postgres",
    majorVersion: "11",
    standardSupportEnd: "2024-02-29",
    extendedSupportEnd: "2027-03-31",
    source: POSTGRES,
    retrieved: R,
  },
  {
    engine: "postgres",
    majorVersion: "12",
    standardSupportEnd: "2025-02-28",
    extendedSupportEnd: "2028-02-29",
    source: POSTGRES,
    retrieved: R,
  },
  {
    engine: "postgres",
    majorVersion: "13",
    standardSupportEnd: "2026-02-28",
    extendedSupportEnd: "2029-02-28",
    source: POSTGRES,
    retrieved: R,
  },
  {
    engine: "postgres",
    majorVersion: "14",
    standardSupportEnd: "2027-02-28",
    extendedSupportEnd: "2030-02-28",
    source: POSTGRES,
    retrieved: R,
  },
  {
    engine: "postgres",
    majorVersion: "15",
    standardSupportEnd: "2028-02-29",
    extendedSupportEnd: "2031-02-28",
    source: POSTGRES,
    retrieved: R,
  },
  {
    engine: "postgres",
    majorVersion: "16",
    standardSupportEnd: "2029-02-28",
    extendedSupportEnd: "2032-02-29",
    source: POSTGRES,
    retrieved: R,
  },
  {
    engine: "postgres",
    majorVersion: "17",
    standardSupportEnd: "2030-02-28",
    extendedSupportEnd: "2033-02-28",
    // Also the AWS CLI's own describe-db-major-engine-versions example (aws/aws-cli awscli/examples/rds).
    source: POSTGRES,
    retrieved: R,
  },
  // RDS for MariaDB: standard support only (DescribeDBMajorEngineVersions returns no Extended Support lifecycle).
  { engine: "mariadb", majorVersion: "10.3", standardSupportEnd: "2023-10-23", source: MARIADB, retrieved: R },
  { engine: "mariadb", majorVersion: "10.4", standardSupportEnd: "2025-02-28", source: MARIADB, retrieved: R },
  { engine: "mariadb", majorVersion: "10.5", standardSupportEnd: "2026-02-28", source: MARIADB, retrieved: R },
  { engine: "mariadb", majorVersion: "10.6", standardSupportEnd: "2026-07-31", source: MARIADB, retrieved: R },
  { engine: "mariadb", majorVersion: "10.11", standardSupportEnd: "2028-02-29", source: MARIADB, retrieved: R },
  { engine: "mariadb", majorVersion: "11.4", standardSupportEnd: "2029-05-31", source: MARIADB, retrieved: R },
  // Aurora MySQL: version 1 (5.6), 2 (5.7), 3 (8.0), as DescribeDBMajorEngineVersions names them.
  { engine: "aurora-mysql", majorVersion: "5.6", standardSupportEnd: "2023-02-28", source: AURORA_MYSQL, retrieved: R },
  {
    engine: "aurora-mysql",
    majorVersion: "5.7",
    standardSupportEnd: "2024-10-31",
    // Three years and four months: Aurora User Guide, Using Amazon RDS Extended Support.
    extendedSupportEnd: "2027-02-28",
    source: AURORA_MYSQL,
    retrieved: R,
  },
  {
    engine: "aurora-mysql",
    majorVersion: "8.0",
    standardSupportEnd: "2028-04-30",
    extendedSupportEnd: "2029-07-31",
    source: AURORA_MYSQL,
    retrieved: R,
  },
  // Aurora PostgreSQL.
  {
    engine: "aurora-postgresql",
    majorVersion: "10",
    standardSupportEnd: "2023-01-31",
    source: AURORA_POSTGRES,
    retrieved: R,
  },
  {
    engine: "aurora-postgresql",
    majorVersion: "11",
    standardSupportEnd: "2024-02-29",
    extendedSupportEnd: "2027-03-31",
    source: AURORA_POSTGRES,
    retrieved: R,
  },
  {
    engine: "aurora-postgresql",
    majorVersion: "12",
    standardSupportEnd: "2025-02-28",
    extendedSupportEnd: "2028-02-29",
    source: AURORA_POSTGRES,
    retrieved: R,
  },
  {
    engine: "aurora-postgresql",
    majorVersion: "13",
    standardSupportEnd: "2026-02-28",
    extendedSupportEnd: "2029-02-28",
    source: AURORA_POSTGRES,
    retrieved: R,
  },
  {
    engine: "aurora-postgresql",
    majorVersion: "14",
    standardSupportEnd: "2027-02-28",
    extendedSupportEnd: "2030-02-28",
    source: AURORA_POSTGRES,
    retrieved: R,
  },
  {
    engine: "aurora-postgresql",
    majorVersion: "15",
    standardSupportEnd: "2028-02-29",
    extendedSupportEnd: "2031-02-28",
    source: AURORA_POSTGRES,
    retrieved: R,
  },
  {
    engine: "aurora-postgresql",
    majorVersion: "16",
    standardSupportEnd: "2029-02-28",
    extendedSupportEnd: "2032-02-29",
    source: AURORA_POSTGRES,
    retrieved: R,
  },
  {
    engine: "aurora-postgresql",
    majorVersion: "17",
    standardSupportEnd: "2030-02-28",
    extendedSupportEnd: "2033-02-28",
    source: AURORA_POSTGRES,
    retrieved: R,
  },
];

/**
 * What AWS publishes for the commercial engines: no standard/Extended Support lifecycle. DescribeDBMajorEngineVersions
 * returns no SupportedEngineLifecycles for them, and RDS Extended Support covers MySQL and PostgreSQL (RDS, Aurora)
 * only; their versions follow the vendor's support policy.
 */
export const COMMERCIAL_ENGINE_NOTE =
  "RDS publishes no standard-support or Extended Support dates for commercial engines (Oracle, SQL Server, Db2): DescribeDBMajorEngineVersions returns no SupportedEngineLifecycles for them, and RDS Extended Support does not apply";

export const LIFECYCLE_SOURCES: readonly string[] = [
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/extended-support.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support-viewing-support-dates.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support-creating-db-instance.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBMajorEngineVersions.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SupportedEngineLifecycle.html",
  MYSQL,
  POSTGRES,
  MARIADB,
  AURORA_MYSQL,
  AURORA_POSTGRES,
];

export { LIFECYCLE_ENGINES } from "../../model/engines.js";

/**
 * The major version as DescribeDBMajorEngineVersions names it: PostgreSQL 10 and later "17" (9.x "9.6"); MySQL and
 * MariaDB "8.0"/"10.11"; Aurora MySQL "5.7.mysql_aurora.2.11.2" and "8.0.mysql_aurora.3.05.2" by their MySQL version,
 * and the Aurora MySQL 1 spelling "5.6.10a" as 5.6. Undefined when the version cannot be read.
 */
export function majorVersionOf(engine: string, version: string): string | undefined {
  const e = engine.trim().toLowerCase();
  const v = version.trim();
  if (e === "postgres" || e === "aurora-postgresql") {
    const m = /^(\d+)(?:\.(\d+))?/.exec(v);
    if (!m) return undefined;
    const major = Number(m[1]);
    return major >= 10 ? String(major) : m[2] !== undefined ? `${major}.${m[2]}` : undefined;
  }
  if (e === "mysql" || e === "mariadb" || e === "aurora-mysql" || e === "aurora") {
    const m = /^(\d+)\.(\d+)/.exec(v);
    return m ? `${m[1]}.${m[2]}` : undefined;
  }
  return undefined;
}

/** Engine name used in the lifecycle table ("aurora", the retired MySQL 5.6 compatible Aurora, is Aurora MySQL 1). */
export function lifecycleEngine(engine: string): string {
  const e = engine.trim().toLowerCase();
  return e === "aurora" ? "aurora-mysql" : e;
}

export function tableLifecycle(engine: string, majorVersion: string): LifecycleRow | undefined {
  const e = lifecycleEngine(engine);
  return ENGINE_LIFECYCLES.find((r) => r.engine === e && r.majorVersion === majorVersion);
}

/** Commercial engines (no published lifecycle), by engine name prefix. */
export function isCommercialEngine(engine: string): boolean {
  return /^(oracle-|sqlserver-|db2-|custom-)/.test(engine.trim().toLowerCase());
}
