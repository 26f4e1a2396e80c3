/** One entry point for every output format: `renderReport(format, report, options)` returns the text to write. */
import type { ScanReport } from "../engine/types.js";
import { forDisplay } from "./control-characters.js";
import { renderGithub } from "./github.js";
import { renderJson } from "./json.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { renderSarif, type SarifSuppressedMode } from "./sarif.js";
import { renderText } from "./text.js";

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
  const report = HUMAN_FORMATS.includes(format) ? forDisplay(original) : original;
  switch (format) {
    case "text":
      return renderText(report, {
        color: options.color ?? false,
        verbose: options.verbose ?? false,
        ...(options.width !== undefined ? { width: options.width } : {}),
      });
    case "compact":
      return renderText(report, { compact: true });
    case "json":
      return renderJson(report);
    case "sarif":
      return renderSarif(report, {
        suppressed: options.sarifSuppressed ?? "omit",
        ...(options.baselineApplied !== undefined ? { baselineApplied: options.baselineApplied } : {}),
      });
    case "junit":
      return renderJunit(report);
    case "markdown":
      return renderMarkdown(report, {
        ...(options.markdownLimit !== undefined ? { limit: options.markdownLimit } : {}),
        ...(options.fullReport !== undefined ? { fullReport: options.fullReport } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      });
    case "github":
      return renderGithub(report);
  }
}
