/**
 * The parameter that makes each engine refuse connections without TLS, where it lives (DB parameter group or DB
 * cluster parameter group) and its value in the engine's default parameter group, with where AWS documents it.
 * Retrieved 2026-12-02.
 */

export interface TlsParameter {
  /** Parameter name as AWS spells it. */
  name: "rds.force_ssl" | "require_secure_transport";
  /** The value in the default parameter group for this major version (undefined version: a new database's default). */
  defaultFor(majorVersion: number | undefined): { value: string; source: string };
  source: string;
}

const PG_SOURCE =
  "RDS User Guide, Using SSL with a PostgreSQL DB instance: 1 from RDS for PostgreSQL 15 on, 0 for 14 and older";
const AURORA_PG_SOURCE = "Aurora User Guide, Securing Aurora PostgreSQL data with SSL/TLS: 0 by default";
const MYSQL_SOURCE = "RDS User Guide, Requiring SSL/TLS for all connections to a MySQL DB instance: OFF by default";
const MARIADB_SOURCE =
  "RDS User Guide, Requiring SSL/TLS for all connections to a MariaDB DB instance: OFF by default (MariaDB 10.5 and later)";
const AURORA_MYSQL_SOURCE =
  "Aurora User Guide, TLS connections to Aurora MySQL DB clusters: a DB cluster parameter, OFF by default";
const SQLSERVER_SOURCE = "RDS User Guide, Using SSL with a Microsoft SQL Server DB instance: 0 by default";

export const TLS_SOURCES: readonly string[] = [
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html",
  "https://repost.aws/knowledge-center/aurora-postgresql-ssl-certificates",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mariadb-ssl-connections.require-ssl.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Concepts.General.SSL.Using.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.Oracle.Options.SSL.html",
  "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbparametergroup.html",
  "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbclusterparametergroup.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBParameters.html",
];

const fixed =
  (value: string, source: string): TlsParameter["defaultFor"] =>
  () => ({ value, source });

/** undefined: the engine has no such parameter (Oracle, Db2, MariaDB before 10.5, Aurora MySQL 1); see `tlsNote`. */
export function tlsParameterFor(engine: string, majorVersion: string | undefined): TlsParameter | undefined {
  const e = engine.trim().toLowerCase();
  if (e === "postgres") {
    return {
      name: "rds.force_ssl",
      defaultFor: (major) =>
        major === undefined || major >= 15 ? { value: "1", source: PG_SOURCE } : { value: "0", source: PG_SOURCE },
      source: PG_SOURCE,
    };
  }
  if (e === "aurora-postgresql") {
    return { name: "rds.force_ssl", defaultFor: fixed("0", AURORA_PG_SOURCE), source: AURORA_PG_SOURCE };
  }
  if (e.startsWith("sqlserver-")) {
    return { name: "rds.force_ssl", defaultFor: fixed("0", SQLSERVER_SOURCE), source: SQLSERVER_SOURCE };
  }
  if (e === "mysql") {
    return { name: "require_secure_transport", defaultFor: fixed("OFF", MYSQL_SOURCE), source: MYSQL_SOURCE };
  }
  if (e === "mariadb") {
    const [maj, min] = (majorVersion ?? "").split(".").map(Number);
    if (majorVersion !== undefined && (maj ?? 0) === 10 && (min ?? 0) < 5) return undefined;
    return { name: "require_secure_transport", defaultFor: fixed("OFF", MARIADB_SOURCE), source: MARIADB_SOURCE };
  }
  if (e === "aurora-mysql") {
    if (majorVersion === "5.6") return undefined;
    return {
      name: "require_secure_transport",
      defaultFor: fixed("OFF", AURORA_MYSQL_SOURCE),
      source: AURORA_MYSQL_SOURCE,
    };
  }
  return undefined;
}

/** Why an engine without a TLS-forcing parameter cannot be judged from its parameter group. */
export function tlsNote(engine: string): string {
  const e = engine.trim().toLowerCase();
  if (e.startsWith("oracle-"))
    return "RDS for Oracle encrypts connections with the SSL option of an option group (port and listener), not a parameter group; rdsguard does not read option groups";
  if (e.startsWith("db2-"))
    return "RDS for Db2 enables TLS with the ssl_svcename parameter but has no parameter that refuses connections without it";
  if (e === "mariadb")
    return "RDS for MariaDB before 10.5 has no require_secure_transport: TLS can be required only per user (REQUIRE SSL)";
  if (e === "aurora-mysql" || e === "aurora")
    return "Aurora MySQL version 1 has no require_secure_transport: TLS can be required only per user (REQUIRE SSL)";
  return "not an engine rdsguard knows the TLS parameters of";
}

/** true: the value forces TLS; false: it does not; undefined: not a value RDS accepts for the parameter. */
export function forcesTls(parameter: TlsParameter["name"], value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (parameter === "rds.force_ssl") return v === "1" ? true : v === "0" ? false : undefined;
  if (v === "on" || v === "1" || v === "true") return true;
  if (v === "off" || v === "0" || v === "false") return false;
  return undefined;
}
