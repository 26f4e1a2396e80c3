/**
 * The invariants every input must keep, checked in-process (the scanner API is far cheaper than spawning the CLI):
 * no throw; an exit code in {0, 1, 2}; a report in every format; every error located (file, and line:col for
 * parse and policy errors); no sentinel secret quoted in any format; a bounded time per input. Figures (inputs
 * tried, total and longest time) are collected for the closing note.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { exitCodeFor } from "../../src/commands/output.js";
import { Judge, loadRuleSet, type RuleSet } from "../../src/engine/report.js";
import type { ScanError, ScanReport } from "../../src/engine/types.js";
import { REPORT_FORMATS, renderReport } from "../../src/reporters/index.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

/** Planted in MasterUserPassword and NoEcho parameters: no output may contain it. */
export const SENTINEL = "Fuzz-Sentinel-Secret-7f3a";
export const SENTINEL_GIVEN = "Fuzz-Given-Secret-91c2";

/** Per input; generous because the CI machine is shared. */
export const INPUT_BUDGET_MS = 10_000;

const NOW = new Date("2026-12-01T00:00:00Z");

export interface FuzzStats {
  inputs: number;
  totalMs: number;
  longestMs: number;
  longestInput: string;
  exitCodes: Record<number, number>;
}

export function newStats(): FuzzStats {
  return { inputs: 0, totalMs: 0, longestMs: 0, longestInput: "", exitCodes: {} };
}

export function describeStats(name: string, s: FuzzStats): string {
  return `fuzz ${name}: ${s.inputs} inputs in ${(s.totalMs / 1000).toFixed(1)} s; longest ${s.longestMs.toFixed(0)} ms (${s.longestInput}); exit codes ${JSON.stringify(s.exitCodes)}`;
}

/** What is wrong with a report and its renderings, or [] when every invariant holds. */
export function violations(report: ScanReport, secrets: readonly string[] = [SENTINEL, SENTINEL_GIVEN]): string[] {
  const problems: string[] = [];
  const code = exitCodeFor(report, "low");
  if (![0, 1, 2].includes(code)) problems.push(`exit code ${code}`);
  for (const e of report.errors) {
    const where = locatedProblem(e);
    if (where) problems.push(`${where}: ${e.kind} ${e.message.slice(0, 200)}`);
  }
  for (const format of REPORT_FORMATS) {
    let out: string;
    try {
      out = renderReport(format, report, { color: format === "text" });
    } catch (err) {
      problems.push(`${format} threw ${String(err)}`);
      continue;
    }
    // github and compact print one line per finding, so nothing is what no finding looks like.
    if (out.length === 0 && format !== "github" && format !== "compact") problems.push(`${format} is empty`);
    for (const secret of secrets) if (out.includes(secret)) problems.push(`${format} quotes a secret`);
  }
  return problems;
}

function locatedProblem(e: ScanError): string | undefined {
  if (!e.file) return "error without a file";
  if ((e.kind === "parse" || e.kind === "policy") && (e.line === undefined || e.column === undefined)) {
    return "error without line:col";
  }
  return undefined;
}

/** Judges one template text with the rule set, timed; throws are caught and reported as a violation. */
export function judgeText(
  text: string,
  file: string,
  ruleSet: RuleSet,
  stats: FuzzStats,
  parameters: Record<string, string> = {},
): { report?: ScanReport; problems: string[]; ms: number } {
  const started = performance.now();
  let report: ScanReport | undefined;
  const problems: string[] = [];
  try {
    const judge = new Judge({ policy: ruleSet.policy, rules: ruleSet.rules, strict: false, now: NOW });
    const scanned = scanTemplateText(text, file, { parameters });
    if (scanned.error) judge.errors.push(scanned.error);
    if (scanned.model) judge.judge(scanned.model);
    report = judge.report({ kind: "template", startedAt: NOW, root: "/fuzz" }, { filesScanned: 1 });
    problems.push(...violations(report));
    const code = exitCodeFor(report, "low");
    stats.exitCodes[code] = (stats.exitCodes[code] ?? 0) + 1;
  } catch (err) {
    problems.push(`threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  const ms = performance.now() - started;
  if (ms > INPUT_BUDGET_MS) problems.push(`took ${ms.toFixed(0)} ms (budget ${INPUT_BUDGET_MS} ms)`);
  stats.inputs++;
  stats.totalMs += ms;
  if (ms > stats.longestMs) {
    stats.longestMs = ms;
    stats.longestInput = file;
  }
  return { ...(report ? { report } : {}), problems, ms };
}

/** Loads a policy text (written to a temporary file) as the CLI would; its errors must all be located. */
export async function loadPolicyText(text: string): Promise<{ ruleSet?: RuleSet; problems: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), "rdsguard-fuzz-policy-"));
  try {
    const file = path.join(dir, "rdsguard.yaml");
    writeFileSync(file, text);
    const ruleSet = await loadRuleSet({ cwd: dir, configPath: file });
    const problems = ruleSet.errors.flatMap((e) => {
      const where = locatedProblem(e);
      return where ? [`${where}: ${e.message.slice(0, 200)}`] : [];
    });
    return { ruleSet, problems };
  } catch (err) {
    return { problems: [`policy load threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seed and duration: FUZZ_SEED and FUZZ_SECONDS (npm run fuzz sets them), fixed and short in CI. */
export function fuzzSettings(defaultSeconds: number): { seed: number; seconds: number } {
  const seed = Number(process.env.FUZZ_SEED ?? 20261202);
  const seconds = Number(process.env.FUZZ_SECONDS ?? defaultSeconds);
  return {
    seed: Number.isFinite(seed) ? seed : 20261202,
    seconds: Number.isFinite(seconds) ? seconds : defaultSeconds,
  };
}
