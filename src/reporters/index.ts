/**
 * One entry point for every output format: `renderReport(format, report, options)` returns the text to write;
 * `reportChunks` the same text in pieces, from a FindingStore, for writing as it is produced.
 */
import { FindingStore } from "../engine/finding-store.js";
import type { ScanReport } from "../engine/types.js";
import { githubChunks } from "./github.js";
import { jsonChunks } from "./json.js";
import { junitChunks } from "./junit.js";
import { markdownChunks } from "./markdown.js";
import { type SarifSuppressedMode, sarifChunks } from "./sarif.js";
import { joinChunks, ReportSource } from "./source.js";
import { textChunks } from "./text.js";

export const REPORT_FORMATS = ["text", "compact", "json", "sarif", "junit", "markdown", "github"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The formats people read (terminal, PR comment, workflow log): control characters escaped (forDisplay). */
const HUMAN_FORMATS: readonly ReportFormat[] = ["text", "compact", "markdown", "github"];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export interface RenderOptions {
  /** text: ANSI colours. */
  color?: boolean;
  /** text: terminal width to wrap at (none: no wrapping). */
  width?: number;
  /** text: the quoted documentation, the fix and the help link under each finding. */
  verbose?: boolean;
  /** sarif: omit (default) or include suppressed findings. */
  sarifSuppressed?: SarifSuppressedMode;
  /** sarif: a baseline was applied, so every result carries baselineState. */
  baselineApplied?: boolean;
  /** markdown: size limit in bytes (default 65,536, a PR comment). */
  markdownLimit?: number;
  /** markdown: where the full report is, named when the Markdown is truncated. */
  fullReport?: string[];
  /** markdown: environment for links to GitHub (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_RUN_ID). */
  env?: Record<string, string | undefined>;
}

export function renderReport(format: ReportFormat, original: ScanReport, options: RenderOptions = {}): string {
  return joinChunks(reportChunks(format, original, FindingStore.fromFindings(original.findings), options));
}

/**
 * The report in `format` as chunks of text, in order: `head` is the report without its findings (its `findings`
 * is ignored), `store` holds them. The CLI writes the chunks as they come; nothing holds the whole report.
 */
export function* reportChunks(
  format: ReportFormat,
  head: ScanReport,
  store: FindingStore,
  options: RenderOptions = {},
): Generator<string> {
  const source = new ReportSource(head, store, HUMAN_FORMATS.includes(format));
  switch (format) {
    case "text":
      yield* textChunks(source, {
        color: options.color ?? false,
        verbose: options.verbose ?? false,
        ...(options.width !== undefined ? { width: options.width } : {}),
      });
      return;
    case "compact":
      yield* textChunks(source, { compact: true });
      return;
    case "json":
      yield* jsonChunks(source);
      return;
    case "sarif":
      yield* sarifChunks(source, {
        suppressed: options.sarifSuppressed ?? "omit",
        ...(options.baselineApplied !== undefined ? { baselineApplied: options.baselineApplied } : {}),
      });
      return;
    case "junit":
      yield* junitChunks(source);
      return;
    case "markdown":
      yield* markdownChunks(source, {
        ...(options.markdownLimit !== undefined ? { limit: options.markdownLimit } : {}),
        ...(options.fullReport !== undefined ? { fullReport: options.fullReport } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      });
      return;
    case "github":
      yield* githubChunks(source);
      return;
  }
}
