/**
 * DB instance class families per engine, with the families that are deprecated or past end of life.
 *
 * The table is deliberately coarse (family level, plus size limits where the docs restrict them) and says
 * "unknown" for anything it does not list, rather than guessing: a family added by AWS after this table was
 * written must not fail a build. Update it from the SOURCES below; DATA_AS_OF says when it was last checked.
 */

export type EngineGroup =
  | "aurora-mysql-1"
  | "aurora-mysql-2"
  | "aurora-mysql-3"
  | "aurora-postgresql"
  | "mysql"
  | "postgres"
  | "mariadb"
  | "oracle"
  | "sqlserver"
  | "db2";

export type FamilyStatus = "current" | "deprecated" | "end-of-life" | "unsupported";

export interface FamilyEntry {
  status: FamilyStatus;
  /** Only these sizes are offered for the engine (e.g. db.t3 on Aurora MySQL 3: medium, large). */
  sizes?: readonly string[];
  /** Date the family stopped being supported or was retired, when AWS published one. */
  date?: string;
  note?: string;
}

export const DATA_AS_OF = "2026-11";

/** Serverless v2 MaxCapacity is at least 1 ACU. */
export const SERVERLESS_V2_MIN_MAX_ACU = 1;

const AURORA_MEMORY_CURRENT: Record<string, FamilyEntry> = {
  r5: { status: "current" },
  r6g: { status: "current" },
  r6gd: { status: "current", note: "Optimized Reads" },
  r6i: { status: "current" },
  r6id: { status: "current", note: "Optimized Reads" },
  r7g: { status: "current" },
  r7i: { status: "current" },
  r8g: { status: "current" },
  r8gd: { status: "current", note: "Optimized Reads" },
  // Aurora User Guide document history, 2026-11-12: "Aurora supports the db.r9g instance class".
  r9g: { status: "current" },
  x2g: { status: "current" },
  serverless: { status: "current", note: "Aurora Serverless v2" },
};

/** Aurora offers memory-optimized (r, x), burstable (t) and serverless classes; general-purpose m/c classes never. */
const AURORA_NOT_OFFERED: Record<string, FamilyEntry> = {
  m1: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m3: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m4: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m5: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m5d: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m6g: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m6gd: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m6i: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m6id: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m7g: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m7i: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  m8g: { status: "unsupported", note: "Aurora does not offer db.m classes" },
  r3: { status: "end-of-life", note: "previous generation, no longer offered for Aurora" },
};

/** Previous-generation families on RDS (non-Aurora): no longer offered or on their way out. */
const RDS_PREVIOUS_GENERATION: Record<string, FamilyEntry> = {
  t1: { status: "end-of-life", note: "first-generation class, no longer offered" },
  m1: { status: "end-of-life", note: "first-generation class, no longer offered" },
  m2: { status: "end-of-life", note: "first-generation class, no longer offered" },
  m3: { status: "end-of-life", note: "previous generation, no longer offered" },
  r3: { status: "end-of-life", note: "previous generation, no longer offered" },
  t2: { status: "deprecated", note: "previous generation; move to db.t3 or db.t4g" },
  m4: { status: "deprecated", note: "previous generation; move to db.m5 or later" },
  r4: { status: "deprecated", note: "previous generation; move to db.r5 or later" },
};

const RDS_OPEN_SOURCE_CURRENT: Record<string, FamilyEntry> = {
  t3: { status: "current" },
  t4g: { status: "current" },
  m5: { status: "current" },
  m5d: { status: "current" },
  m6g: { status: "current" },
  m6gd: { status: "current" },
  m6i: { status: "current" },
  m6id: { status: "current" },
  m6in: { status: "current" },
  m6idn: { status: "current" },
  m7g: { status: "current" },
  m7i: { status: "current" },
  m8g: { status: "current" },
  r5: { status: "current" },
  r5b: { status: "current" },
  r5d: { status: "current" },
  r6g: { status: "current" },
  r6gd: { status: "current" },
  r6i: { status: "current" },
  r6id: { status: "current" },
  r6in: { status: "current" },
  r6idn: { status: "current" },
  r7g: { status: "current" },
  r7i: { status: "current" },
  r8g: { status: "current" },
  x2g: { status: "current" },
  x2idn: { status: "current" },
  x2iedn: { status: "current" },
  z1d: { status: "current" },
  c6gd: { status: "current", note: "Multi-AZ DB clusters" },
  serverless: {
    status: "unsupported",
    note: "db.serverless is the Aurora Serverless v2 class; RDS instances cannot use it",
  },
};

/** Oracle and SQL Server do not run on Graviton (g) classes. */
const NO_GRAVITON: Record<string, FamilyEntry> = {
  t4g: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  m6g: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  m6gd: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  m7g: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  m8g: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  r6g: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  r6gd: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  r7g: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  r8g: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  x2g: { status: "unsupported", note: "Graviton classes are not offered for this engine" },
  serverless: {
    status: "unsupported",
    note: "db.serverless is the Aurora Serverless v2 class; RDS instances cannot use it",
  },
};

const COMMERCIAL_CURRENT: Record<string, FamilyEntry> = {
  t3: { status: "current" },
  m5: { status: "current" },
  m5d: { status: "current" },
  m6i: { status: "current" },
  m6id: { status: "current" },
  m6in: { status: "current" },
  m6idn: { status: "current" },
  m7i: { status: "current" },
  r5: { status: "current" },
  r5b: { status: "current" },
  r5d: { status: "current" },
  r6i: { status: "current" },
  r6id: { status: "current" },
  r6in: { status: "current" },
  r6idn: { status: "current" },
  r7i: { status: "current" },
  x2idn: { status: "current" },
  x2iedn: { status: "current" },
  x2iezn: { status: "current" },
  z1d: { status: "current" },
};

export const INSTANCE_CLASS_TABLE: Readonly<Record<EngineGroup, Readonly<Record<string, FamilyEntry>>>> = {
  "aurora-mysql-1": {
    ...AURORA_NOT_OFFERED,
  },
  // Only what the docs confirm for version 2 (past end of standard support on 2024-10-31): families introduced later
  // (r6i, r6gd, r6id, r7g, r7i, r8g, r8gd, r9g) are left out and so judged unknown, not passed.
  "aurora-mysql-2": {
    ...AURORA_NOT_OFFERED,
    r5: { status: "current" },
    r6g: { status: "current" },
    x2g: { status: "current", note: "x2g: all currently available Aurora MySQL versions" },
    serverless: { status: "unsupported", note: "Aurora Serverless v2 needs Aurora MySQL version 3" },
    r4: { status: "deprecated", note: "previous generation; Aurora MySQL version 3 does not offer it" },
    t2: { status: "deprecated", sizes: ["small", "medium"], note: "previous generation; Aurora MySQL 2 only" },
    t3: { status: "current", sizes: ["small", "medium", "large"] },
    t4g: { status: "current", sizes: ["medium", "large"] },
  },
  "aurora-mysql-3": {
    ...AURORA_NOT_OFFERED,
    ...AURORA_MEMORY_CURRENT,
    r4: { status: "unsupported", note: "Aurora MySQL version 3 does not offer db.r4" },
    t2: { status: "unsupported", note: "Aurora MySQL version 3 does not offer db.t2" },
    t3: { status: "current", sizes: ["medium", "large"] },
    t4g: { status: "current", sizes: ["medium", "large"] },
  },
  "aurora-postgresql": {
    ...AURORA_NOT_OFFERED,
    ...AURORA_MEMORY_CURRENT,
    r4: { status: "deprecated", note: "previous generation; only older Aurora PostgreSQL major versions offer it" },
    t2: { status: "unsupported", note: "Aurora PostgreSQL does not offer db.t2" },
    t3: { status: "current", sizes: ["medium", "large"] },
    t4g: { status: "current", sizes: ["medium", "large"] },
  },
  mysql: { ...RDS_OPEN_SOURCE_CURRENT, ...RDS_PREVIOUS_GENERATION },
  postgres: { ...RDS_OPEN_SOURCE_CURRENT, ...RDS_PREVIOUS_GENERATION },
  mariadb: { ...RDS_OPEN_SOURCE_CURRENT, ...RDS_PREVIOUS_GENERATION },
  oracle: { ...COMMERCIAL_CURRENT, ...NO_GRAVITON, ...RDS_PREVIOUS_GENERATION },
  sqlserver: {
    ...COMMERCIAL_CURRENT,
    ...NO_GRAVITON,
    ...RDS_PREVIOUS_GENERATION,
    t2: {
      status: "end-of-life",
      date: "2024-06-01",
      note: "RDS for SQL Server ended support for db.t2; move to db.t3",
    },
    m4: {
      status: "end-of-life",
      date: "2024-06-01",
      note: "RDS for SQL Server ended support for db.m4; move to db.m5",
    },
    r4: {
      status: "end-of-life",
      date: "2024-06-01",
      note: "RDS for SQL Server ended support for db.r4; move to db.r5",
    },
  },
  db2: {
    t3: { status: "current" },
    m6i: { status: "current" },
    m6idn: { status: "current" },
    m7i: { status: "current" },
    r6i: { status: "current" },
    r6idn: { status: "current" },
    r7i: { status: "current" },
    x2iedn: { status: "current" },
    ...NO_GRAVITON,
  },
};

/** Aurora Serverless v1 (EngineMode: serverless) end of life. */
export const SERVERLESS_V1_END_OF_LIFE = "2025-03-31";

/** Aurora MySQL version 1 (engine "aurora", MySQL 5.6 compatible) end of life. */
export const AURORA_MYSQL_1_END_OF_LIFE = "2023-02-28";

/** Serverless v2 capacity limits (ACU). 256 needs a recent engine version; older versions stop at 128. */
export const SERVERLESS_V2_MAX_ACU = 256;
export const SERVERLESS_V2_OLDER_MAX_ACU = 128;
export const SERVERLESS_V2_MIN_ACU_WITHOUT_AUTOPAUSE = 0.5;

/**
 * First versions that accept MinCapacity 0 (automatic pause and resume). Aurora PostgreSQL per major version;
 * Aurora MySQL 3.08.0 and higher.
 */
export const AUTO_PAUSE_MIN_VERSIONS: Readonly<{
  "aurora-postgresql": Record<number, string>;
  "aurora-mysql": string;
}> = {
  "aurora-postgresql": { 13: "13.15", 14: "14.12", 15: "15.7", 16: "16.3" },
  "aurora-mysql": "3.08.0",
};

export const SOURCES: readonly string[] = [
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.Types.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.requirements.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.MySQL56.EOL.html",
  // db.r9g added 2026-11-12.
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/WhatsNew.html",
  // Preconfigured memory classes db.r5(b).<size>.tpc<N>.mem<N>x, offered only by RDS for Oracle.
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Oracle.Concepts.InstanceClasses.html",
];

/** A parsed DB instance class name. */
export interface ParsedClass {
  family: string;
  size?: string;
  /** RDS for Oracle preconfigured memory classes: db.r5b.4xlarge.tpc2.mem2x → "tpc2.mem2x". */
  oracleVariant?: string;
}

/**
 * "db.r6g.large" → { family: "r6g", size: "large" }; "db.serverless" → { family: "serverless" };
 * "db.r5b.4xlarge.tpc2.mem2x" → { family: "r5b", size: "4xlarge", oracleVariant: "tpc2.mem2x" }.
 * Undefined for a name that is not of the form db.<family>.<size>.
 */
export function parseInstanceClass(value: string): ParsedClass | undefined {
  const m = /^db\.([a-z][a-z0-9-]*)(?:\.([a-z0-9-]+))?(?:\.(tpc\d+\.mem\d+x))?$/.exec(value.trim().toLowerCase());
  if (!m) return undefined;
  const family = m[1] as string;
  if (family === "serverless") return m[2] || m[3] ? undefined : { family };
  if (!m[2]) return undefined;
  return m[3] ? { family, size: m[2], oracleVariant: m[3] } : { family, size: m[2] };
}

/**
 * Sizes RDS uses across its families (micro … 48xlarge, metal, metal-24xl). A size outside these is not one
 * rdsguard knows: judged unknown, not fail, so a size AWS adds later does not break a build.
 */
export function isKnownSize(size: string): boolean {
  return /^(micro|small|medium|large|(\d{1,2})?xlarge|metal(-\d{1,2}xl)?)$/.test(size);
}

/** Burstable performance classes (db.t2, db.t3, db.t4g, ...). */
export function isBurstable(family: string): boolean {
  return /^t\d/.test(family);
}

/** Engine group for the class table; undefined for engines the table does not cover (RDS Custom, unknown). */
export function engineGroup(
  engine: string,
  auroraMysqlMajor: number | undefined,
): EngineGroup | "aurora-mysql-unknown-version" | undefined {
  const e = engine.trim().toLowerCase();
  if (e === "aurora") return "aurora-mysql-1";
  if (e === "aurora-mysql") {
    if (auroraMysqlMajor === 2) return "aurora-mysql-2";
    if (auroraMysqlMajor === 3) return "aurora-mysql-3";
    if (auroraMysqlMajor === 1) return "aurora-mysql-1";
    return "aurora-mysql-unknown-version";
  }
  if (e === "aurora-postgresql") return "aurora-postgresql";
  if (e === "mysql") return "mysql";
  if (e === "postgres") return "postgres";
  if (e === "mariadb") return "mariadb";
  if (e.startsWith("oracle-")) return "oracle";
  if (e.startsWith("sqlserver-")) return "sqlserver";
  if (e.startsWith("db2-")) return "db2";
  return undefined;
}

/** Aurora MySQL major version from an engine version: 5.6.x → 1, 5.7.mysql_aurora.2.x → 2, 8.0.mysql_aurora.3.x → 3. */
export function auroraMysqlMajor(version: string): number | undefined {
  const v = version.trim();
  const m = /mysql_aurora\.(\d+)\./.exec(v);
  if (m) return Number(m[1]);
  if (/^5\.6(\.|$)/.test(v)) return 1;
  if (/^5\.7(\.|$)/.test(v)) return 2;
  if (/^8\.0(\.|$)/.test(v)) return 3;
  return undefined;
}

/** Aurora MySQL 3.x.y version ("3.08.0") from 8.0.mysql_aurora.3.08.0; undefined for other forms. */
export function auroraMysqlVersion(version: string): string | undefined {
  const m = /mysql_aurora\.(\d+\.\d+\.\d+)/.exec(version.trim());
  return m?.[1];
}

/** Numeric comparison of dotted versions: -1, 0, 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(".").map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
