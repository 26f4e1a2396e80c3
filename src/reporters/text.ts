/**
 * The console view: findings grouped by file (templates) or by account/region (live), worst first, each with its
 * line:column, severity, rule id and message; then errors and one summary line. Colour only when asked for
 * (the caller decides from the stream, NO_COLOR, FORCE_COLOR and --no-color).
 */
import type { Finding, ScanReport } from "../engine/types.js";
import type { Severity } from "../rules/types.js";
import { SEVERITIES } from "../rules/types.js";
import {
  constructSourcePlace,
  describeFinding,
  describeSuppression,
  errorPlace,
  type FindingStatus,
  findingFile,
  findingStatus,
  livePlace,
  plural,
  reportedFindings,
  tally,
  totalOf,
} from "./common.js";

export interface TextOptions {
  color?: boolean;
}

type Paint = (s: string) => string;

function palette(color: boolean) {
  const sgr =
    (open: number, close: number): Paint =>
    (s) =>
      color ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39),
    green: sgr(32, 39),
    underline: sgr(4, 24),
  };
}

export function renderText(report: ScanReport, options: TextOptions = {}): string {
  const p = palette(options.color ?? false);
  const severityPaint: Record<Severity, Paint> = {
    critical: (s) => p.bold(p.magenta(s)),
    high: p.red,
    medium: p.yellow,
    low: p.blue,
    info: p.dim,
  };
  const lines: string[] = [];

  // Group by file, or by the live account/region, keeping the worst-first order inside each group.
  const groups = new Map<string, Finding[]>();
  for (const f of reportedFindings(report)) {
    const o = f.resource.origin;
    const key = findingFile(f) ?? livePlace(o.account, o.region) ?? "(no location)";
    const group = groups.get(key) ?? [];
    group.push(f);
    groups.set(key, group);
  }
  for (const key of [...groups.keys()].sort()) {
    lines.push(p.underline(key));
    for (const f of groups.get(key) ?? []) lines.push(...findingLines(f, p, severityPaint));
    lines.push("");
  }

  if (report.errors.length > 0) {
    lines.push(p.bold(p.red(`${plural(report.errors.length, "error")}:`)));
    for (const e of report.errors) {
      const place = errorPlace(e);
      lines.push(`  ${p.red(e.kind.padEnd(10))} ${place ? `${place}  ` : ""}${e.message}`);
    }
    lines.push("");
  }

  lines.push(summaryLine(report, p));
  return `${lines.join("\n")}\n`;
}

function findingLines(f: Finding, p: ReturnType<typeof palette>, severityPaint: Record<Severity, Paint>): string[] {
  const status = findingStatus(f);
  const o = f.resource.origin;
  const where = f.location ? `${f.location.line}:${f.location.column}` : "-";
  const label = status === "unknown" ? p.cyan("unknown".padEnd(8)) : severityPaint[f.severity](f.severity.padEnd(8));
  const tag = STATUS_TAG[status];
  // Continuation lines of a multi-line message stay indented under it.
  const message = describeFinding(f).replace(/\r?\n/g, `\n${" ".repeat(41)}`);
  const head = `  ${where.padEnd(8)} ${label} ${f.ruleId.padEnd(20)} ${message}`;
  const out = [status === "suppressed" || status === "baseline" ? p.dim(head) : head];
  if (!f.location && o.arn) {
    const stack = o.stackName ? ` (stack ${o.stackName}${o.stackLogicalId ? `, ${o.stackLogicalId}` : ""})` : "";
    out.push(p.dim(`           ${o.arn}${stack}`));
  }
  const source = constructSourcePlace(f);
  if (source) out.push(p.dim(`           created at ${source}${o.stackName ? ` (stack ${o.stackName})` : ""}`));
  if (f.suppression) out.push(p.dim(`           ${tag}: ${describeSuppression(f.suppression)}`));
  else if (tag) out.push(p.dim(`           ${tag}`));
  return out;
}

const STATUS_TAG: Record<FindingStatus, string> = {
  fail: "",
  unknown: "",
  suppressed: "suppressed",
  baseline: "in baseline (not new)",
  pass: "",
  "not-applicable": "",
};

function summaryLine(report: ScanReport, p: ReturnType<typeof palette>): string {
  const t = tally(report);
  const failing = totalOf(t, "fail");
  const bySeverity = SEVERITIES.filter((s) => t[s].fail > 0)
    .map((s) => `${t[s].fail} ${s}`)
    .join(", ");
  const parts = [
    failing > 0 ? p.red(`${plural(failing, "failing finding")} (${bySeverity})`) : p.green("no failing findings"),
  ];
  const more: Array<[FindingStatus, string]> = [
    ["unknown", "unknown"],
    ["suppressed", "suppressed"],
    ["baseline", "in baseline"],
    ["pass", "passed"],
  ];
  for (const [status, word] of more) {
    const n = totalOf(t, status);
    if (n > 0) parts.push(`${n} ${word}`);
  }
  const s = report.stats;
  const scope =
    report.kind === "template"
      ? `${plural(s.resources, "resource")} in ${plural(s.templatesWithDatabases, "template")} (${plural(s.filesScanned, "file")} read)`
      : `${plural(s.resources, "resource")}${s.apiCalls !== undefined ? `, ${plural(s.apiCalls, "API call")}` : ""}`;
  const errors = report.errors.length > 0 ? p.red(`, ${plural(report.errors.length, "error")}`) : "";
  return `rdsguard: ${parts.join(", ")}; ${scope}${errors}; ${(s.durationMs / 1000).toFixed(1)}s`;
}
