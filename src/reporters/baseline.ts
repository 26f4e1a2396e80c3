/**
 * Baselines: a previous SARIF or JSON report names the findings that already existed, by fingerprint, so a gate
 * can fail only on new ones. Only findings that were open in the baseline count (fail or unknown, not waived): a
 * finding that passed, or was waived, then fails now is new — that is how an expired waiver brings it back.
 */

import type { ParseError } from "jsonc-parser";
import type { Finding, ScanError, ScanReport } from "../engine/types.js";
import { jsoncLibrary } from "../util/lazy.js";
import { jsonNestingError } from "../util/nesting.js";
import { readTextFile } from "../util/read-file.js";
import { SARIF_FINGERPRINT_KEY } from "./sarif.js";

export type BaselineResult =
  | { fingerprints: Set<string>; format: "sarif" | "json"; error?: undefined }
  | { error: ScanError; fingerprints?: undefined };

export async function loadBaseline(path: string): Promise<BaselineResult> {
  const read = await readTextFile(path);
  if (!read.ok) return { error: { kind: "io", message: `cannot read baseline ${path}: ${read.message}`, file: path } };
  const text = read.text;
  const deep = jsonNestingError(text);
  if (deep) {
    return { error: { kind: "parameters", message: `baseline ${path}: ${deep.message}`, file: path, ...deep.at } };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Say where, not what: the parser's own message quotes the file's content.
    const errors: ParseError[] = [];
    jsoncLibrary().parseTree(text, errors);
    const at = errors[0] ? lineColumn(text, errors[0].offset) : undefined;
    return {
      error: {
        kind: "parameters",
        message: `baseline ${path} is not JSON (a SARIF or JSON report from rdsguard was expected)`,
        file: path,
        ...(at ?? {}),
      },
    };
  }
  return parseBaseline(doc, path);
}

/** Fingerprints from a parsed SARIF log or rdsguard JSON report. */
export function parseBaseline(doc: unknown, path: string): BaselineResult {
  const bad = (why: string): BaselineResult => ({
    error: { kind: "parameters", message: `baseline ${path} ${why}`, file: path },
  });
  if (!isObject(doc)) return bad("is not a SARIF log or rdsguard JSON report");

  if (Array.isArray(doc.runs)) {
    const fingerprints = new Set<string>();
    let ours = false;
    for (const run of doc.runs) {
      if (!isObject(run) || !isObject(run.tool) || !isObject(run.tool.driver)) continue;
      if (run.tool.driver.name !== "rdsguard") continue;
      ours = true;
      for (const result of Array.isArray(run.results) ? run.results : []) {
        if (!isObject(result) || !isObject(result.partialFingerprints)) continue;
        if (Array.isArray(result.suppressions) && result.suppressions.length > 0) continue;
        const fp = result.partialFingerprints[SARIF_FINGERPRINT_KEY];
        if (typeof fp === "string") fingerprints.add(fp);
      }
    }
    if (!ours) return bad("is a SARIF log without an rdsguard run (tool.driver.name 'rdsguard')");
    return { fingerprints, format: "sarif" };
  }

  if (isObject(doc.tool) && doc.tool.name === "rdsguard" && Array.isArray(doc.findings)) {
    if (doc.schemaVersion !== 1) return bad(`has schemaVersion ${JSON.stringify(doc.schemaVersion)}; 1 is supported`);
    const fingerprints = new Set<string>();
    for (const f of doc.findings) {
      if (!isObject(f) || typeof f.fingerprint !== "string") return bad("has a finding without a fingerprint");
      if ((f.verdict === "fail" || f.verdict === "unknown") && f.suppression === undefined) {
        fingerprints.add(f.fingerprint);
      }
    }
    return { fingerprints, format: "json" };
  }
  return bad("is neither a SARIF log (runs[]) nor an rdsguard JSON report (tool.name 'rdsguard', findings[])");
}

/**
 * A copy of the report whose failing and undetermined findings carry baselineState: "unchanged" when their
 * fingerprint is in the baseline, "new" otherwise.
 */
export function applyBaseline(report: ScanReport, fingerprints: ReadonlySet<string>): ScanReport {
  const findings = report.findings.map((f): Finding => {
    if (f.verdict !== "fail" && f.verdict !== "unknown") return f;
    return { ...f, baselineState: fingerprints.has(f.fingerprint) ? "unchanged" : "new" };
  });
  return { ...report, findings };
}

function isObject(v: unknown): v is Record<string, unknown> & { [k: string]: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
