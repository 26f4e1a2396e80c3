/**
 * The two SARIF validators the tests use: the official SARIF 2.1.0 JSON Schema (vendored) with ajv, and the SARIF
 * multitool's `validate --rule-kind "Sarif;Ghas"` (GitHub's ingestion rules).
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";

export const SARIF_SCHEMA_PATH = new URL("../fixtures/schemas/sarif-schema-2.1.0.json", import.meta.url);
export const sarifSchema = JSON.parse(readFileSync(SARIF_SCHEMA_PATH, "utf8")) as Record<string, unknown>;

/**
 * The official schema is draft-04. ajv 8 implements draft-07+, which reads this schema the same way: it uses no
 * keyword whose meaning changed after draft-04 (boolean exclusiveMinimum/exclusiveMaximum; sarif.test.ts checks),
 * and its draft-04 "id" is only an identifier. So the meta-schema check is off and unknown keywords are allowed.
 */
export function compileSarifValidator() {
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  // ajv 8 refuses draft-04's "id" outright; here it only names the schema, so drop the keyword's handler.
  ajv.removeKeyword("id");
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const validate = ajv.compile(sarifSchema);
  return (doc: unknown): ErrorObject[] => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}

export const MULTITOOL = new URL("../../node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool", import.meta.url)
  .pathname;

/** npm's install-scripts policy blocks the package's postinstall chmod; do it here. */
export function prepareMultitool(): void {
  const mode = statSync(MULTITOOL).mode;
  if ((mode & 0o100) === 0) chmodSync(MULTITOOL, mode | 0o100);
}

export interface MultitoolIssue {
  ruleId: string;
  level: string;
  message: string;
}

/** Runs `Sarif.Multitool validate FILE --rule-kind "Sarif;Ghas"` and returns every issue it reports. */
export async function multitoolValidate(sarifText: string): Promise<MultitoolIssue[]> {
  const dir = mkdtempSync(join(tmpdir(), "rdsguard-sarif-"));
  try {
    const input = join(dir, "report.sarif");
    const output = join(dir, "validation.sarif");
    writeFileSync(input, sarifText);
    await promisify(execFile)(
      MULTITOOL,
      ["validate", input, "--rule-kind", "Sarif;Ghas", "--output", output, "--log", "ForceOverwrite"],
      { timeout: 60_000, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } },
    );
    const log = JSON.parse(readFileSync(output, "utf8")) as {
      runs: Array<{
        results?: Array<{ ruleId: string; level?: string; message: { text?: string; arguments?: string[] } }>;
        invocations?: Array<{
          executionSuccessful: boolean;
          toolExecutionNotifications?: Array<{ message: { text: string } }>;
        }>;
      }>;
    };
    const run = log.runs[0];
    const issues: MultitoolIssue[] = (run?.results ?? []).map((r) => ({
      ruleId: r.ruleId,
      level: r.level ?? "warning",
      message: r.message.text ?? (r.message.arguments ?? []).join(" | "),
    }));
    for (const inv of run?.invocations ?? []) {
      if (!inv.executionSuccessful) {
        issues.push({
          ruleId: "multitool",
          level: "error",
          message: (inv.toolExecutionNotifications ?? []).map((n) => n.message.text).join("; ") || "execution failed",
        });
      }
    }
    return issues;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How a SARIF log encodes the verdict of each result, and where it breaks the rule: an undetermined finding is
 * `kind: "review"` with `level: "none"` (SARIF §3.27.10: a result whose kind is not "fail" has level "none"), a
 * failure is `kind: "fail"` with the level of its severity. So an unknown never looks like a low-severity failure.
 */
export function sarifVerdictIssues(sarifText: string): { issues: string[]; unknowns: number; lowFailures: number } {
  const LEVEL: Record<string, string> = {
    critical: "error",
    high: "error",
    medium: "warning",
    low: "note",
    info: "note",
  };
  const log = JSON.parse(sarifText) as {
    runs: Array<{
      results?: Array<{ ruleId?: string; kind?: string; level?: string; properties?: Record<string, unknown> }>;
    }>;
  };
  const issues: string[] = [];
  let unknowns = 0;
  let lowFailures = 0;
  for (const run of log.runs) {
    for (const r of run.results ?? []) {
      const verdict = r.properties?.verdict;
      const severity = String(r.properties?.severity);
      const where = `${r.ruleId} (${String(verdict)}, ${severity})`;
      if (verdict === "unknown") {
        unknowns++;
        if (r.kind !== "review" || r.level !== "none") issues.push(`${where}: kind ${r.kind}, level ${r.level}`);
      } else if (verdict === "fail") {
        if (severity === "low" || severity === "info") lowFailures++;
        if (r.kind !== "fail" || r.level !== LEVEL[severity]) issues.push(`${where}: kind ${r.kind}, level ${r.level}`);
      } else {
        issues.push(`${where}: a result for a verdict that is neither fail nor unknown`);
      }
    }
  }
  return { issues, unknowns, lowFailures };
}
