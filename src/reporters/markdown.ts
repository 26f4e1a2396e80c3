/**
 * Markdown for pull-request comments and job summaries: a summary table (severity x status), the failing findings
 * with links to the exact line, undetermined findings, errors, and per-rule details with the remediation.
 *
 * It must fit where it goes: a PR comment takes 65,536 characters, a job summary 1 MiB. Size is measured in UTF-8
 * bytes (never fewer than characters, so safe for both). When the report is longer, rows are dropped from the end at
 * a row boundary (least important sections first to go) and a note says how many findings were left out and where
 * the full report is.
 */
import type { Finding, ScanReport } from "../engine/types.js";
import type { RuleMeta } from "../rules/types.js";
import { SEVERITIES } from "../rules/types.js";
import {
  codeFence,
  describeFinding,
  describeSuppression,
  errorPlace,
  type FindingStatus,
  findingFile,
  findingPlace,
  plural,
  ruleFor,
  ruleHelpUri,
  totalOf,
} from "./common.js";
import { joinChunks, type ReportSource, sourceOf } from "./source.js";

/** GitHub's limit for an issue or pull-request comment body (characters). */
export const MARKDOWN_PR_COMMENT_LIMIT = 65_536;
/** GitHub's limit for $GITHUB_STEP_SUMMARY per step (bytes). */
export const MARKDOWN_JOB_SUMMARY_LIMIT = 1024 * 1024;
/** Below this a useful report (summary, a few rows, the note) cannot be written. */
export const MARKDOWN_MIN_LIMIT = 4096;

export interface MarkdownOptions {
  /** Maximum size in UTF-8 bytes (default: the PR comment limit). */
  limit?: number;
  /** Where the full report is (file names, URLs), named in the truncation note. */
  fullReport?: string[];
  /** Environment for GitHub links (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_RUN_ID). */
  env?: Record<string, string | undefined>;
}

/**
 * A section: its rows are produced on demand (a failing finding's row is read from the store only when it is
 * written or measured), so a report with 200,000 findings never holds them.
 */
interface Block {
  /** Heading and table header: written only together with at least one row. */
  head: string;
  /** How many rows, and whether each lists one finding (counted in the "left out" note when dropped) or none. */
  count: number;
  rowFindings: 0 | 1;
  rows: () => Iterable<string>;
  /** Closing text (e.g. </details>), always written after the rows that fit. */
  foot?: string;
  /** A section that is one indivisible unit (a <details> per rule). */
  label: string;
}

export function renderMarkdown(report: ScanReport, options: MarkdownOptions = {}): string {
  return joinChunks(markdownChunks(sourceOf(report, false), options));
}

export function* markdownChunks(source: ReportSource, options: MarkdownOptions = {}): Generator<string> {
  const limit = Math.max(MARKDOWN_MIN_LIMIT, options.limit ?? MARKDOWN_PR_COMMENT_LIMIT);
  const link = lineLinker(options.env ?? {});
  const head = summary(source);
  const blocks = sections(source, link);

  // The whole report, when it fits (measured row by row, given up as soon as it does not).
  const whole = [head];
  let wholeSize = bytes(head);
  let fits = wholeSize + 1 <= limit;
  for (const block of blocks) {
    if (!fits) break;
    const texts = [block.head];
    wholeSize += 2 + bytes(block.head) + (block.foot ? 1 + bytes(block.foot) : 0);
    for (const row of block.rows()) {
      wholeSize += 1 + bytes(row);
      if (wholeSize + 1 > limit) break;
      texts.push(row);
    }
    fits = wholeSize + 1 <= limit;
    whole.push(block.foot ? `${texts.join("\n")}\n${block.foot}` : texts.join("\n"));
  }
  if (fits) {
    yield `${whole.join("\n\n")}\n`;
    return;
  }

  // Too long: keep the summary, then rows in order of importance while they fit with room for the note.
  const noteReserve = 1200 + bytes((options.fullReport ?? []).join(", "));
  const budget = limit - noteReserve;
  const parts = [head];
  let size = bytes(head);
  let shownFindings = 0;
  let stopped = false;
  const leftOutSections: string[] = [];
  for (const block of blocks) {
    const noFindings = block.count === 0 || block.rowFindings === 0;
    if (stopped) {
      if (noFindings) leftOutSections.push(block.label);
      continue;
    }
    const foot = block.foot ? `\n${block.foot}` : "";
    // Sizes are added up row by row (the text is joined once), so a 1 MiB report stays linear.
    const fixed = bytes(`\n\n${block.head}${foot}`);
    const lines = [block.head];
    let blockSize = 0;
    let shown = 0;
    for (const row of block.rows()) {
      const rowSize = bytes(row) + 1;
      if (size + fixed + blockSize + rowSize > budget) {
        stopped = true;
        break;
      }
      lines.push(row);
      blockSize += rowSize;
      shown++;
      shownFindings += block.rowFindings;
    }
    if (shown > 0) {
      parts.push(`${lines.join("\n")}${foot}`);
      size += fixed + blockSize;
    }
    if (noFindings && shown < block.count) {
      leftOutSections.push(shown === 0 ? block.label : `part of the ${block.label}`);
    }
  }
  const listed = blocks.reduce((n, b) => n + b.count * b.rowFindings, 0);
  parts.push(truncationNote(listed - shownFindings, leftOutSections, limit, source, options));
  yield `${parts.join("\n\n")}\n`;
}

function bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function summary(source: ReportSource): string {
  const report = source.head;
  const t = source.store.tally();
  const failing = totalOf(t, "fail");
  const title =
    failing > 0
      ? `## rdsguard: ${plural(failing, "failing finding")}`
      : report.errors.length > 0
        ? "## rdsguard: no failing findings, but the scan had errors"
        : "## rdsguard: no failing findings";
  const s = report.stats;
  const scope =
    report.kind === "template"
      ? `Template scan of ${plural(s.resources, "database resource")} in ${plural(s.templatesWithDatabases, "template")} (${plural(s.filesScanned, "file")} read)`
      : `Audit of ${plural(s.resources, "resource")}${s.apiCalls !== undefined ? ` (${plural(s.apiCalls, "API call")})` : ""}`;
  const extras = [`${(s.durationMs / 1000).toFixed(1)} s`];
  if (report.errors.length > 0) extras.push(`**${plural(report.errors.length, "error")}**`);
  if (source.store.anyBaselineState()) extras.push("baseline applied: only new findings fail");
  const columns: Array<[FindingStatus, string]> = [
    ["fail", "Failing"],
    ["unknown", "Unknown"],
    ["suppressed", "Suppressed"],
    ["baseline", "In baseline"],
    ["pass", "Passed"],
  ];
  const table = [
    `| Severity | ${columns.map((c) => c[1]).join(" | ")} |`,
    `|:--|${columns.map(() => "--:").join("|")}|`,
    ...SEVERITIES.map((sev) => `| ${sev} | ${columns.map(([st]) => t[sev][st]).join(" | ")} |`),
    `| **total** | ${columns.map(([st]) => `**${totalOf(t, st)}**`).join(" | ")} |`,
  ];
  // The marker lets a bot find and update its previous comment.
  return ["<!-- rdsguard -->", title, "", `${scope}; ${extras.join("; ")}.`, "", ...table].join("\n");
}

type Linker = (f: Finding) => string;

/** file:line, linked to the line on GitHub when the workflow environment names server, repository and commit. */
function lineLinker(env: Record<string, string | undefined>): Linker {
  const server = env.GITHUB_SERVER_URL;
  const repo = env.GITHUB_REPOSITORY;
  const sha = env.GITHUB_SHA;
  const linked = (file: string | undefined, line: number | undefined, fallback: string): string => {
    const text = cell(file !== undefined && line !== undefined ? `${file}:${line}` : fallback);
    if (!server || !repo || !sha || file === undefined) return text;
    const path = file.replaceAll("\\", "/").replace(/^\.\//, "").split("/").map(encodeURIComponent).join("/");
    const anchor = line !== undefined ? `#L${line}` : "";
    return `[${text}](${server.replace(/\/+$/, "")}/${repo}/blob/${sha}/${path}${anchor})`;
  };
  return (f) => {
    const place = linked(findingFile(f), f.location?.line, findingPlace(f));
    // CDK: the synthesized template is generated; the line of the app that created the construct is what to edit.
    const source = f.resource.origin.constructSource;
    return source ? `${place}<br>created at ${linked(source.file, source.line, "")}` : place;
  };
}

function sections(source: ReportSource, link: Linker): Block[] {
  const report = source.head;
  const store = source.store;
  const findings = source.reported();
  // An audit spans accounts and regions: each row says which.
  const live = report.kind === "audit";
  const liveHead = live ? " Account | Region |" : "";
  const liveRule = live ? "---|---|" : "";
  const liveCells = (f: Finding) =>
    live ? ` ${cell(f.resource.origin.account ?? "-")} | ${cell(f.resource.origin.region ?? "-")} |` : "";
  const rule = (id: string) => ruleCell(report, id);
  const byStatus = (s: FindingStatus) => findings.filter((i) => store.status(i) === s);
  /** Rows made from findings, each read when the row is wanted. */
  const rowsOf = (indices: readonly number[], row: (f: Finding) => string) =>
    function* () {
      for (const i of indices) yield row(source.get(i));
    };
  const blocks: Block[] = [];

  const failing = byStatus("fail");
  if (failing.length > 0) {
    blocks.push({
      label: "failing findings",
      head: [
        "### Failing findings",
        "",
        `| Severity | Rule |${liveHead} Resource | Location | Message |`,
        `|---|---|${liveRule}---|---|---|`,
      ].join("\n"),
      count: failing.length,
      rowFindings: 1,
      rows: rowsOf(
        failing,
        (f) =>
          `| ${f.severity} | ${rule(f.ruleId)} |${liveCells(f)} ${cell(f.resource.name)} | ${link(f)} | ${cell(describeFinding(f, { short: true }))} |`,
      ),
    });
    // The fix of each failing rule, in view (the rule details below are collapsed).
    const perRule = new Map<string, number>();
    for (const i of failing) perRule.set(source.ruleId(i), (perRule.get(source.ruleId(i)) ?? 0) + 1);
    const fixes: string[] = [];
    for (const [id, n] of perRule) {
      const meta = ruleFor(report, id);
      if (meta?.remediation.text) fixes.push(`- ${rule(id)} (${n}): ${cell(meta.remediation.text)}`);
    }
    if (fixes.length > 0) {
      blocks.push({ label: "fixes", head: "**How to fix**\n", count: fixes.length, rowFindings: 0, rows: () => fixes });
    }
  }

  if (report.errors.length > 0) {
    const rows = report.errors.map((e) => `| ${e.kind} | ${cell(errorPlace(e) || "-")} | ${cell(e.message)} |`);
    blocks.push({
      label: "errors",
      head: [
        "### Errors",
        "",
        "The scan could not judge everything; these need fixing first.",
        "",
        "| Kind | Where | Message |",
        "|---|---|---|",
      ].join("\n"),
      count: rows.length,
      rowFindings: 0,
      rows: () => rows,
    });
  }

  const unknown = byStatus("unknown");
  if (unknown.length > 0) {
    blocks.push({
      label: "undetermined findings",
      head: [
        "### Could not be determined",
        "",
        "These do not fail the gate (use `--strict` to make them fail).",
        "",
        `| Severity | Rule |${liveHead} Resource | Location | Why |`,
        `|---|---|${liveRule}---|---|---|`,
      ].join("\n"),
      count: unknown.length,
      rowFindings: 1,
      rows: rowsOf(
        unknown,
        (f) =>
          `| ${f.severity} | ${rule(f.ruleId)} |${liveCells(f)} ${cell(f.resource.name)} | ${link(f)} | ${cell(describeFinding(f, { short: true }))} |`,
      ),
    });
  }

  // One <details> per rule that has something to say, with what to change.
  const perRule = new Map<string, { failing: number; unknown: number; all: number }>();
  for (const i of findings) {
    const status = store.status(i);
    if (status === "pass") continue;
    const id = source.ruleId(i);
    const c = perRule.get(id) ?? { failing: 0, unknown: 0, all: 0 };
    c.all++;
    if (status === "fail") c.failing++;
    if (status === "unknown") c.unknown++;
    perRule.set(id, c);
  }
  const ruleRows: string[] = [];
  for (const [id, counts] of perRule) {
    const rule = ruleFor(report, id);
    // The leading blank line keeps each <details> a separate HTML block in GitHub's Markdown.
    if (rule) ruleRows.push(`\n${ruleDetails(rule, counts)}`);
  }
  if (ruleRows.length > 0) {
    blocks.push({
      label: "rule details",
      head: "### Rules",
      count: ruleRows.length,
      rowFindings: 0,
      rows: () => ruleRows,
    });
  }

  // Suppressed, then baseline: reported() is already worst first (compareFindings ranks them so).
  const quiet = findings.filter((i) => {
    const status = store.status(i);
    return status === "suppressed" || status === "baseline";
  });
  if (quiet.length > 0) {
    blocks.push({
      label: "suppressed and baseline findings",
      head: [
        "<details>",
        `<summary>${plural(quiet.length, "finding")} suppressed or already in the baseline</summary>`,
        "",
        `| Severity | Rule |${liveHead} Resource | Location | Status |`,
        `|---|---|${liveRule}---|---|---|`,
      ].join("\n"),
      count: quiet.length,
      rowFindings: 1,
      rows: rowsOf(
        quiet,
        (f) =>
          `| ${f.severity} | ${rule(f.ruleId)} |${liveCells(f)} ${cell(f.resource.name)} | ${link(f)} | ${cell(
            f.suppression ? `suppressed (${describeSuppression(f.suppression)})` : "in baseline",
          )} |`,
      ),
      foot: "\n</details>",
    });
  }
  return blocks;
}

/**
 * A rule id that does not wrap at its hyphens in a narrow table column (GitHub breaks lines at "-", also in code
 * spans): non-breaking hyphens (U+2011), linked to the rule's documentation when it has one.
 */
function ruleCell(report: ScanReport, id: string): string {
  const shown = cell(id).replaceAll("-", "\u2011");
  const meta = ruleFor(report, id);
  const uri = meta ? ruleHelpUri(meta) : undefined;
  return uri ? `[${shown}](${uri})` : shown;
}

function ruleDetails(rule: RuleMeta, mine: { failing: number; unknown: number; all: number }): string {
  const counts: string[] = [];
  if (mine.failing > 0) counts.push(`${mine.failing} failing`);
  if (mine.unknown > 0) counts.push(`${mine.unknown} unknown`);
  if (counts.length === 0) counts.push(`${mine.all} suppressed or in baseline`);
  const lines = [
    "<details>",
    `<summary><code>${html(rule.id)}</code>: ${html(rule.title)} (${rule.severity}; ${counts.join(", ")})</summary>`,
    "",
    rule.description,
  ];
  if (rule.rationale) lines.push("", `**Why it matters.** ${rule.rationale}`);
  if (rule.remediation.text) lines.push("", `**How to fix.** ${rule.remediation.text}`);
  if (rule.remediation.snippet) lines.push("", codeFence(rule.remediation.snippet, "yaml"));
  const uri = ruleHelpUri(rule);
  if (uri) lines.push("", `[Rule documentation](${uri})`);
  lines.push("", "</details>");
  return lines.join("\n");
}

function truncationNote(
  leftOut: number,
  sectionsLeftOut: string[],
  limit: number,
  source: ReportSource,
  options: MarkdownOptions,
): string {
  const env = options.env ?? {};
  const what: string[] = [];
  if (leftOut > 0) what.push(`${plural(leftOut, "finding was", "findings were")} left out`);
  if (sectionsLeftOut.length > 0) what.push(`${sectionsLeftOut.join(" and ")} left out`);
  const where: string[] = (options.fullReport ?? []).map((p) => `\`${p.replaceAll("`", "'")}\``);
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    where.push(
      `the [workflow run](${env.GITHUB_SERVER_URL.replace(/\/+$/, "")}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID})`,
    );
  }
  const full =
    where.length > 0
      ? `The full report: ${where.join(", ")}.`
      : "For the full report, run rdsguard with `--format json=rdsguard.json` or `--format sarif=rdsguard.sarif`.";
  const total = source.reported().length;
  return `> **Truncated** to stay within ${limit.toLocaleString("en-US")} bytes: ${
    what.length > 0 ? what.join("; ") : "some details were left out"
  } (of ${plural(total, "finding")} in all). ${full}`;
}

/** A table cell: pipes escaped, line breaks as <br>, HTML-significant characters neutralised. */
export function cell(text: string): string {
  return html(text)
    .replace(/\|/g, "\\|")
    .replace(/\r\n|\r|\n/g, "<br>");
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
