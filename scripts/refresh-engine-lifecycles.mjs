#!/usr/bin/env node
/**
 * Turns `aws rds describe-db-major-engine-versions --engine <engine> --output json` answers into the rows of
 * src/rules/data/engine-lifecycles.ts, so the lifecycle table is refreshed from what AWS itself answers.
 *
 *   for e in mysql postgres mariadb aurora-mysql aurora-postgresql; do
 *     aws rds describe-db-major-engine-versions --engine "$e" --output json > "lifecycle-$e.json"
 *   done
 *   node scripts/refresh-engine-lifecycles.mjs lifecycle-*.json > rows.ts
 *
 * Prints one row per major version (engine, majorVersion, standardSupportEnd, extendedSupportEnd, source,
 * retrieved = today) in the table's own format; paste them over ENGINE_LIFECYCLES and set LIFECYCLES_RETRIEVED.
 * Reads only the files it is given; calls nothing.
 */
import { readFileSync } from "node:fs";

const SOURCE = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBMajorEngineVersions.html";
const ENGINES = new Set(["mysql", "postgres", "mariadb", "aurora-mysql", "aurora-postgresql"]);

/** Rows from one DescribeDBMajorEngineVersions answer (the CLI's JSON). */
export function rowsOf(answer, retrieved) {
  const rows = [];
  for (const v of answer.DBMajorEngineVersions ?? []) {
    if (!ENGINES.has(v.Engine) || !v.MajorEngineVersion) continue;
    const day = (name) => {
      const l = (v.SupportedEngineLifecycles ?? []).find((x) => x.LifecycleSupportName === name);
      return l?.LifecycleSupportEndDate ? new Date(l.LifecycleSupportEndDate).toISOString().slice(0, 10) : undefined;
    };
    const standardSupportEnd = day("open-source-rds-standard-support");
    if (!standardSupportEnd) continue;
    const extendedSupportEnd = day("open-source-rds-extended-support");
    rows.push({
      engine: v.Engine,
      majorVersion: v.MajorEngineVersion,
      standardSupportEnd,
      ...(extendedSupportEnd ? { extendedSupportEnd } : {}),
      source: SOURCE,
      retrieved,
    });
  }
  return rows;
}

function render(row) {
  const fields = Object.entries(row).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return `  { ${fields.join(", ")} },`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node scripts/refresh-engine-lifecycles.mjs ANSWER.json...");
    process.exit(2);
  }
  const retrieved = new Date().toISOString().slice(0, 10);
  const rows = files.flatMap((f) => rowsOf(JSON.parse(readFileSync(f, "utf8")), retrieved));
  rows.sort(
    (a, b) => a.engine.localeCompare(b.engine) || a.majorVersion.localeCompare(b.majorVersion, "en", { numeric: true }),
  );
  console.log(`export const LIFECYCLES_RETRIEVED = ${JSON.stringify(retrieved)};`);
  console.log("export const ENGINE_LIFECYCLES: readonly LifecycleRow[] = [");
  for (const row of rows) console.log(render(row));
  console.log("];");
}
