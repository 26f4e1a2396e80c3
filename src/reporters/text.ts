/**
 * The console view. One finding per line, `path:line:col  severity  rule  message`, sorted by file, then line and
 * column, so an editor or a terminal can open each place; the message is the short one (the documentation it
 * quotes is shown with `verbose`, with the rule's fix and help link). Then errors, the failing rules with their
 * help links, one summary line and what to run next. On a terminal (`width`) long lines wrap at words with a
 * hanging indent; piped, nothing is wrapped. Colour only when asked for (the caller decides from the stream,
 * TERM, NO_COLOR, FORCE_COLOR and --no-color).
 *
 * `compact` is the editor/log form: `path:line:col: rule: message` per active or undetermined finding, errors as
 * `path:line:col: error: message`, and nothing else.
 */
import type { Finding, ScanReport } from "../engine/types.js";
import type { Severity } from "../rules/types.js";
import { SEVERITIES } from "../rules/types.js";
import {
  compareStrings,
  constructSourcePlace,
  describeFinding,
  describeSuppression,
  errorPlace,
  type FindingStatus,
  findingPlace,
  findingStatus,
  plural,
  ruleFor,
  ruleHelpUri,
  type Tally,
  totalOf,
} from "./common.js";
import { joinChunks, type ReportSource, sourceOf } from "./source.js";

export interface TextOptions {
  color?: boolean;
  /** Terminal width in columns: wrap long lines at words with a hanging indent. Undefined: never wrap. */
  width?: number;
  /** Under each finding: the documentation its message quotes, the rule's fix and its help link. */
  verbose?: boolean;
  /** `path:line:col: rule: message` lines only (editors, logs, --quiet). */
  compact?: boolean;
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
  };
}

type Palette = ReturnType<typeof palette>;

/** Columns wider than this are not padded: one long path must not push every message off the screen. */
const MAX_PLACE_COLUMN = 60;
const MAX_RULE_COLUMN = 24;
/** Indent of the lines under a finding (waiver, verbose detail), and of a wrapped line when the message column is far right. */
const DETAIL_INDENT = 4;

export function renderText(report: ScanReport, options: TextOptions = {}): string {
  return joinChunks(textChunks(sourceOf(report, false), options));
}

/** The view as it is written: finding by finding (forDisplay.d when the source is for display). */
export function* textChunks(source: ReportSource, options: TextOptions = {}): Generator<string> {
  if (options.compact) {
    yield* compactChunks(source);
    return;
  }
  const report = source.head;
  const store = source.store;
  const p = palette(options.color ?? false);
  const severityPaint: Record<Severity, Paint> = {
    critical: (s) => p.bold(p.magenta(s)),
    high: p.red,
    medium: p.yellow,
    low: p.blue,
    info: p.dim,
  };
  const width = options.width !== undefined && options.width >= 40 ? options.width : undefined;
  let lines: string[] = [];

  // A baselined gate shows what is new; what the baseline already has is counted in the summary.
  const shown = byPlace(source, (i) => store.status(i) !== "baseline");
  let placeWidth = 0;
  let ruleWidth = 0;
  let severityWidth = 0;
  for (const i of shown) {
    placeWidth = Math.max(placeWidth, store.placeOf(i, true).length);
    ruleWidth = Math.max(ruleWidth, source.ruleId(i).length);
    severityWidth = Math.max(severityWidth, (store.verdict(i) === "unknown" ? "unknown" : store.severity(i)).length);
  }
  placeWidth = Math.min(MAX_PLACE_COLUMN, placeWidth);
  ruleWidth = Math.min(MAX_RULE_COLUMN, ruleWidth);

  for (const i of shown) {
    const f = source.get(i);
    const status = findingStatus(f);
    const o = f.resource.origin;
    const severity = severityLabel(f);
    const prefix = `${findingPlace(f).padEnd(placeWidth)}  ${severity.padEnd(severityWidth)}  ${f.ruleId.padEnd(ruleWidth)}  `;
    const paintLabel = severity === "unknown" ? p.cyan : severityPaint[f.severity];
    const dim = status === "suppressed" ? p.dim : (s: string) => s;
    const message = describeFinding(f, { short: true });
    // On a terminal: the line as it is when it fits; else the message wraps under its own column; or, when the
    // columns before it take most of the width, the whole message goes under the line.
    const fits = width === undefined || (prefix.length + message.length <= width && !message.includes("\n"));
    const hangAtColumn = width !== undefined && prefix.length <= width * 0.6;
    const body = fits
      ? message.split(/\r?\n/).map((l, i) => (i === 0 ? l : `${" ".repeat(DETAIL_INDENT)}${l}`))
      : hangAtColumn
        ? layout(message, width, prefix.length, prefix.length)
        : [
            "",
            ...layout(message, width, DETAIL_INDENT, DETAIL_INDENT).map((l, i) =>
              i === 0 ? `${" ".repeat(DETAIL_INDENT)}${l}` : l,
            ),
          ];
    const [first = "", ...rest] = body;
    const place = findingPlace(f).padEnd(placeWidth);
    lines.push(
      dim(`${place}  ${paintLabel(severity.padEnd(severityWidth))}  ${f.ruleId.padEnd(ruleWidth)}  ${first}`).trimEnd(),
    );
    for (const l of rest) lines.push(dim(l));
    const details: string[] = [];
    if (!f.location && o.arn && findingPlace(f) !== o.arn) details.push(o.arn);
    if (!f.location && o.stackName && !constructSourcePlace(f)) {
      details.push(`stack ${o.stackName}${o.stackLogicalId ? `, ${o.stackLogicalId}` : ""}`);
    }
    const source_ = constructSourcePlace(f);
    if (source_) details.push(`created at ${source_}${o.stackName ? ` (stack ${o.stackName})` : ""}`);
    if (f.suppression) details.push(`suppressed: ${describeSuppression(f.suppression)}`);
    if (options.verbose) {
      for (const c of f.citations ?? []) details.push(`source: ${c}`);
      const rule = ruleFor(report, f.ruleId);
      if (rule?.remediation.text) details.push(`fix: ${rule.remediation.text}`);
      const help = rule ? ruleHelpUri(rule) : undefined;
      if (help) details.push(`help: ${help}`);
    }
    for (const d of details) {
      // "fix: ..." wraps under its text, not under its label.
      const label = /^[a-z]+: /.exec(d)?.[0].length ?? 0;
      for (const l of layout(d, width, DETAIL_INDENT, DETAIL_INDENT + label)) {
        lines.push(p.dim(l.startsWith(" ") ? l : `${" ".repeat(DETAIL_INDENT)}${l}`));
      }
    }
    if (lines.length > 512) {
      yield `${lines.join("\n")}\n`;
      lines = [];
    }
  }
  if (shown.length > 0) lines.push("");

  if (report.errors.length > 0) {
    lines.push(p.bold(p.red(`${plural(report.errors.length, "error")}:`)));
    for (const e of report.errors) {
      const place = errorPlace(e);
      const prefix = `${place ? `${place}  ` : ""}${e.kind}  `;
      const body = layout(e.message, width, prefix.length, DETAIL_INDENT);
      lines.push(`${place ? `${place}  ` : ""}${p.red(e.kind)}  ${body[0] ?? ""}`, ...body.slice(1));
    }
    lines.push("");
  }

  const failingRules = failingRuleCounts(source, shown);
  if (failingRules.length > 0 && !options.verbose) {
    lines.push(p.bold("Rules that failed (why and how to fix: rdsguard explain RULE, or --verbose):"));
    const w = Math.max(...failingRules.map(([id]) => id.length));
    for (const [id, n] of failingRules) {
      const rule = ruleFor(report, id);
      const help = rule ? ruleHelpUri(rule) : undefined;
      lines.push(`  ${id.padEnd(w)}  ${String(n).padStart(3)}  ${help ?? ""}`.trimEnd());
    }
    lines.push("");
  }

  const t = store.tally();
  for (const l of layout(summaryLine(report, t, p), width, 0, DETAIL_INDENT)) lines.push(l);
  const next = nextStep(report, t, failingRules, options);
  if (next) for (const l of layout(next, width, 0, DETAIL_INDENT)) lines.push(p.dim(l));
  yield `${lines.join("\n")}\n`;
}

/** Reported findings that pass `keep`, in the view's order: by place, then worst first (compareByPlace). */
function byPlace(source: ReportSource, keep: (i: number) => boolean): number[] {
  const store = source.store;
  // compareByPlace is a whole order (it ends in compare()): the reported findings need not be sorted first.
  return store
    .indices((i) => store.isReported(i) && keep(i))
    .sort((a, b) => store.compareByPlace(a, b, source.display));
}

/** The severity, or "unknown" for a verdict that could not be determined. */
function severityLabel(f: Finding): string {
  return f.verdict === "unknown" ? "unknown" : f.severity;
}

/** [ruleId, active failing findings], most first. */
function failingRuleCounts(source: ReportSource, shown: readonly number[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const i of shown) {
    if (source.store.status(i) !== "fail") continue;
    const id = source.ruleId(i);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
}

/** What to run next, in one sentence. */
function nextStep(
  report: ScanReport,
  t: Tally,
  failingRules: Array<[string, number]>,
  options: TextOptions,
): string | undefined {
  if (report.errors.length > 0)
    return "Next: fix the errors above (exit code 2); the findings of what was read are listed.";
  const first = failingRules[0]?.[0];
  if (first !== undefined) {
    return options.verbose
      ? `Next: fix the findings above, or waive one with a reason (see docs/policy.md); 'rdsguard explain ${first}' tells more.`
      : `Next: 'rdsguard explain ${first}' shows why it matters and the fix; add --verbose to see the fix under each finding.`;
  }
  const unknown = totalOf(t, "unknown");
  if (unknown > 0 && report.kind === "template") {
    return "Next: give the values that decide the unknown findings with --parameter KEY=VALUE or --parameters FILE (or --strict to fail on them).";
  }
  return undefined;
}

/**
 * A message laid out for the view: its own lines, each wrapped at words to `width` when given (the first line
 * starts at column `first`, the rest are indented by `hang`). Piped (no width), only embedded line breaks are
 * indented.
 */
function layout(text: string, width: number | undefined, first: number, hang: number): string[] {
  const out: string[] = [];
  let start = first;
  for (const paragraph of text.split(/\r?\n/)) {
    if (width === undefined) {
      out.push(out.length === 0 ? paragraph : `${" ".repeat(hang)}${paragraph}`);
      continue;
    }
    for (const line of wrap(paragraph, width - start, width - hang)) {
      out.push(out.length === 0 ? line : `${" ".repeat(hang)}${line}`);
    }
    start = hang;
  }
  return out;
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g");

function visible(s: string): number {
  return s.replace(ANSI, "").length;
}

/**
 * Greedy word wrap, measuring what is visible (colour codes take no room). A word longer than a line (a URL, an
 * ARN) is never cut, so a terminal can still open it: it overflows on a line of its own.
 */
function wrap(text: string, firstWidth: number, restWidth: number): string[] {
  const lines: string[] = [];
  let line = "";
  let limit = Math.max(10, firstWidth);
  for (const word of text.split(" ")) {
    // A word that fits on no line stays where it is, rather than leaving a line with only its label.
    const fitsNowhere = visible(word) > Math.max(10, restWidth);
    if (line !== "" && visible(line) + 1 + visible(word) > limit && !fitsNowhere) {
      lines.push(line);
      line = "";
      limit = Math.max(10, restWidth);
    }
    line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

function* compactChunks(source: ReportSource): Generator<string> {
  const store = source.store;
  const shown = byPlace(source, (i) => {
    const s = store.status(i);
    return s === "fail" || s === "unknown";
  });
  let chunk = "";
  for (const i of shown) {
    const f = source.get(i);
    chunk += `${findingPlace(f)}: ${f.ruleId}: ${describeFinding(f, { short: true }).replace(/\r?\n/g, " ")}\n`;
    if (chunk.length > 65536) {
      yield chunk;
      chunk = "";
    }
  }
  for (const e of source.head.errors) {
    const place = errorPlace(e);
    chunk += `${place || "rdsguard"}: error: ${e.kind}: ${e.message.replace(/\r?\n/g, " ")}\n`;
  }
  if (chunk !== "") yield chunk;
}

function summaryLine(report: ScanReport, t: Tally, p: Palette): string {
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
    ["baseline", "in the baseline (not shown)"],
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
