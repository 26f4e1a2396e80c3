/**
 * `rdsguard merge REPORT.json...`: joins the JSON reports of sharded runs (by account list or region) into one,
 * then emits it through the same output step as scan and audit. Findings are deduplicated by fingerprint (a
 * global cluster can be seen by several region shards), errors are concatenated, stats are summed.
 */
import { constants } from "node:buffer";
import type { Finding, ScanError, ScanReport } from "../engine/types.js";
import type { RuleMeta } from "../rules/types.js";
import { appendAll } from "../util/append.js";
import { readTextFile } from "../util/read-file.js";
import { VERSION } from "../version.js";
import { parseCommandArgs, usageFailure } from "./args.js";
import { emitReport, OUTPUT_OPTIONS, OUTPUT_USAGE } from "./output.js";

export const MERGE_USAGE = `Usage: rdsguard merge [options] REPORT.json...

Merges JSON reports (--format json) of sharded 'rdsguard audit' or 'rdsguard scan' runs into one report:
findings deduplicated by fingerprint, errors concatenated, stats summed. A report that cannot be read is
reported as an error and the others are still merged.

${OUTPUT_USAGE}`;

function parse(argv: string[]) {
  return parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { ...OUTPUT_OPTIONS, help: { type: "boolean", short: "h" } },
  });
}

/** Reads one report; throws with a message naming the file when it is not an rdsguard JSON report. */
export async function readReport(file: string): Promise<ScanReport> {
  // Shards of a large audit are large: the limit is the longest string V8 can make, so a FIFO is still refused.
  const read = await readTextFile(file, constants.MAX_STRING_LENGTH);
  if (!read.ok) throw new Error(read.code === "ENOENT" ? "no such file" : `cannot read: ${read.message}`);
  let data: unknown;
  try {
    data = JSON.parse(read.text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const r = data as Partial<ScanReport> | null;
  if (typeof r !== "object" || r === null || r.tool?.name !== "rdsguard")
    throw new Error("not an rdsguard JSON report (write shards with --format json)");
  if (r.schemaVersion !== 1)
    throw new Error(`unsupported report schemaVersion ${String(r.schemaVersion)} (expected 1)`);
  if (!Array.isArray(r.findings) || !Array.isArray(r.errors) || typeof r.stats !== "object" || r.stats === null)
    throw new Error("report lacks findings, errors or stats");
  return r as ScanReport;
}

/** Merges reports in the order given. The first occurrence of a fingerprint wins. */
export function mergeReports(reports: readonly ScanReport[], extraErrors: readonly ScanError[] = []): ScanReport {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const rules = new Map<string, RuleMeta>();
  const errors: ScanError[] = [...extraErrors];
  const stats: ScanReport["stats"] = { filesScanned: 0, templatesWithDatabases: 0, resources: 0, durationMs: 0 };
  let apiCalls: number | undefined;
  let startedAt: string | undefined;
  let finishedAt: string | undefined;
  const kinds = new Set<ScanReport["kind"]>();
  for (const r of reports) {
    kinds.add(r.kind);
    for (const rule of r.rules ?? []) if (!rules.has(rule.id)) rules.set(rule.id, rule);
    for (const f of r.findings) {
      if (seen.has(f.fingerprint)) continue;
      seen.add(f.fingerprint);
      findings.push(f);
    }
    appendAll(errors, r.errors);
    stats.filesScanned += r.stats.filesScanned ?? 0;
    stats.templatesWithDatabases += r.stats.templatesWithDatabases ?? 0;
    stats.resources += r.stats.resources ?? 0;
    stats.durationMs += r.stats.durationMs ?? 0;
    if (r.stats.apiCalls !== undefined) apiCalls = (apiCalls ?? 0) + r.stats.apiCalls;
    if (r.startedAt && (startedAt === undefined || r.startedAt < startedAt)) startedAt = r.startedAt;
    if (r.finishedAt && (finishedAt === undefined || r.finishedAt > finishedAt)) finishedAt = r.finishedAt;
  }
  if (apiCalls !== undefined) stats.apiCalls = apiCalls;
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    tool: { name: "rdsguard", version: VERSION },
    // Shards of one audit are audits; a mix (templates and live) is reported as an audit, the wider of the two.
    kind: kinds.size === 1 ? ([...kinds][0] as ScanReport["kind"]) : "audit",
    startedAt: startedAt ?? now,
    finishedAt: finishedAt ?? now,
    root: reports[0]?.root ?? process.cwd(),
    rules: [...rules.values()],
    findings,
    errors,
    stats,
  };
}

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(usageFailure("merge", (err as Error).message));
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${MERGE_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(usageFailure("merge", "give at least one REPORT.json"));
    return 2;
  }
  const reports: ScanReport[] = [];
  const errors: ScanError[] = [];
  for (const file of positionals) {
    try {
      reports.push(await readReport(file));
    } catch (err) {
      const e: ScanError = { kind: "io", file, message: `cannot merge ${file}: ${(err as Error).message}` };
      process.stderr.write(`rdsguard merge: error: ${e.message}\n`);
      errors.push(e);
    }
  }
  return emitReport(mergeReports(reports, errors), values);
}
