/** Facts about RDS engines and engine modes, as AWS names them. */

/** Engine names compare trimmed and lower-case ("MySQL " is mysql). */
export function normalizeEngine(engine: string): string {
  return engine.trim().toLowerCase();
}

export const AURORA_ENGINES = new Set(["aurora", "aurora-mysql", "aurora-postgresql"]);

/** aurora (MySQL 5.6 compatible, retired), aurora-mysql, aurora-postgresql. */
export function isAuroraEngine(engine: string | undefined): boolean {
  return engine !== undefined && AURORA_ENGINES.has(normalizeEngine(engine));
}

/** Aurora Serverless v1: EngineMode serverless. */
export function isServerlessV1(mode: string | undefined): boolean {
  return mode !== undefined && normalizeEngine(mode) === "serverless";
}

/**
 * Engines whose major versions have RDS standard / Extended Support lifecycles (DescribeDBMajorEngineVersions
 * SupportedEngineLifecycles; RDS API reference). The commercial engines have none.
 */
export const LIFECYCLE_ENGINES: ReadonlySet<string> = new Set([
  "mysql",
  "postgres",
  "mariadb",
  "aurora-mysql",
  "aurora-postgresql",
]);
