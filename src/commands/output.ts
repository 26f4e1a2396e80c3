/**
 * The output step shared by `scan` and `audit`: parse the output options, apply a baseline, write every requested
 * format (files atomically, whatever the exit code), and decide the exit code:
 * 2 when the report has errors (or an output could not be written), else 1 when an active finding is at or above
 * --fail-on, else 0. Active: verdict fail, not suppressed, not unchanged from the baseline.
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdir, realpath, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { FindingStore } from "../engine/finding-store.js";
import type { ScanError, ScanReport } from "../engine/types.js";
import { loadBaseline } from "../reporters/baseline.js";
import { errorPlace, isActive, severityAtLeast } from "../reporters/common.js";
import { isReportFormat, REPORT_FORMATS, type ReportFormat, reportChunks } from "../reporters/index.js";
import { MARKDOWN_JOB_SUMMARY_LIMIT, MARKDOWN_MIN_LIMIT, MARKDOWN_PR_COMMENT_LIMIT } from "../reporters/markdown.js";
import { countWithoutRepositoryFile, type SarifSuppressedMode } from "../reporters/sarif.js";
import { ReportSource } from "../reporters/source.js";
import { SEVERITIES, type Severity } from "../rules/types.js";
import { BlockWriter } from "../util/block-writer.js";

export { applyBaseline, loadBaseline } from "../reporters/baseline.js";

/** node:util parseArgs options for the output step; spread into a command's own options. */
export const OUTPUT_OPTIONS = {
  format: { type: "string", multiple: true, short: "f" },
  output: { type: "string", short: "o" },
  verbose: { type: "boolean", short: "v", default: false },
  quiet: { type: "boolean", short: "q", default: false },
  "fail-on": { type: "string", default: "info" },
  baseline: { type: "string" },
  "sarif-suppressed": { type: "string", default: "omit" },
  "markdown-limit": { type: "string" },
  "no-color": { type: "boolean", default: false },
} as const;

export const OUTPUT_USAGE = `Output options:
  -f, --format FORMAT[=PATH]
                           ${REPORT_FORMATS.join(", ")} (default text); repeat for several outputs.
                           With =PATH the report is written to that file (atomically, also when the exit
                           code is 1 or 2); without it, or with =-, to standard output. When every format
                           goes to a file and none is text or compact, the text view is printed as well.
                           compact: one 'path:line:col: rule: message' line per finding (editors, logs)
  -o, --output PATH        write the one format given (default text) to PATH: -f sarif -o out.sarif
  -v, --verbose            text view: under each finding the documentation it quotes, the fix and the
                           rule's help link
  -q, --quiet              text view as compact lines only (no summary, no progress)
  --fail-on SEVERITY       exit 1 when an active finding is at or above SEVERITY: critical, high, medium,
                           low, info (default: any failing finding), or none (never)
  --baseline FILE          a previous SARIF or JSON report: findings already in it are marked unchanged
                           and do not fail the gate; only new ones do
  --sarif-suppressed MODE  omit (default): leave suppressed findings out of SARIF, since GitHub code
                           scanning ignores SARIF suppressions and would open alerts for them;
                           include: emit them with SARIF suppressions (for other SARIF viewers)
  --markdown-limit LIMIT   size limit of the markdown format: pr-comment (default, 65,536), job-summary
                           (1 MiB), or a number of bytes (at least ${MARKDOWN_MIN_LIMIT}); longer reports are cut
                           at a table row
  --no-color               no colours in the text view (NO_COLOR and TERM=dumb are honoured; FORCE_COLOR
                           forces them)
  -h, --help               this help`;

export class OutputUsageError extends Error {
  override name = "OutputUsageError";
}

export type FailOn = Severity | "none";

export interface OutputTarget {
  format: ReportFormat;
  /** undefined: standard output. */
  path?: string;
}

export interface OutputSettings {
  targets: OutputTarget[];
  failOn: FailOn;
  baseline?: string;
  sarifSuppressed: SarifSuppressedMode;
  markdownLimit: number;
  noColor: boolean;
  verbose: boolean;
  quiet: boolean;
}

interface WritableLike {
  write(chunk: string, callback?: (err?: Error | null) => void): boolean;
  isTTY?: boolean;
  /** Terminal width, when the stream is a terminal. */
  columns?: number;
}

export interface OutputIO {
  stdout: WritableLike;
  stderr: WritableLike;
  /** Environment for colour and GitHub links; process.env when not given. */
  env?: Record<string, string | undefined>;
}

export function parseFailOn(value: unknown): FailOn {
  const v = value === undefined ? "info" : String(value).toLowerCase();
  if (v === "none" || (SEVERITIES as readonly string[]).includes(v)) return v as FailOn;
  throw new OutputUsageError(`--fail-on takes ${[...SEVERITIES, "none"].join(", ")}; got '${String(value)}'`);
}

export function parseFormatSpecs(specs: readonly string[] | undefined): OutputTarget[] {
  const targets: OutputTarget[] = [];
  const paths = new Set<string>();
  let toStdout = 0;
  for (const spec of specs && specs.length > 0 ? specs : ["text"]) {
    const eq = spec.indexOf("=");
    const format = (eq < 0 ? spec : spec.slice(0, eq)).trim().toLowerCase();
    const path = eq < 0 ? undefined : spec.slice(eq + 1);
    if (!isReportFormat(format)) {
      throw new OutputUsageError(`--format: unknown format '${format}' (formats: ${REPORT_FORMATS.join(", ")})`);
    }
    if (path === "") throw new OutputUsageError(`--format ${format}=: give a file path, or '-' for standard output`);
    if (path === undefined || path === "-") {
      if (++toStdout > 1) throw new OutputUsageError("--format: only one format can go to standard output");
      targets.push({ format });
      continue;
    }
    const key = resolve(path);
    if (paths.has(key)) throw new OutputUsageError(`--format: ${path} is given twice`);
    paths.add(key);
    targets.push({ format, path });
  }
  return targets;
}

export function parseMarkdownLimit(value: unknown): number {
  if (value === undefined) return MARKDOWN_PR_COMMENT_LIMIT;
  const v = String(value).trim().toLowerCase();
  if (v === "pr-comment" || v === "comment") return MARKDOWN_PR_COMMENT_LIMIT;
  if (v === "job-summary" || v === "summary") return MARKDOWN_JOB_SUMMARY_LIMIT;
  if (/^\d+$/.test(v) && Number(v) >= MARKDOWN_MIN_LIMIT) return Number(v);
  throw new OutputUsageError(
    `--markdown-limit takes pr-comment, job-summary or a number of bytes >= ${MARKDOWN_MIN_LIMIT}; got '${String(value)}'`,
  );
}

export function parseSarifSuppressed(value: unknown): SarifSuppressedMode {
  const v = value === undefined ? "omit" : String(value).toLowerCase();
  if (v === "omit" || v === "include") return v;
  throw new OutputUsageError(`--sarif-suppressed takes omit or include; got '${String(value)}'`);
}

/** All output options, checked; throws OutputUsageError. Commands may call it before scanning to fail fast. */
export function parseOutputOptions(values: Record<string, unknown>): OutputSettings {
  const formats = Array.isArray(values.format) ? values.format.map(String) : undefined;
  const settings: OutputSettings = {
    targets: parseFormatSpecs(withOutputPath(formats, values.output)),
    failOn: parseFailOn(values["fail-on"]),
    sarifSuppressed: parseSarifSuppressed(values["sarif-suppressed"]),
    markdownLimit: parseMarkdownLimit(values["markdown-limit"]),
    noColor: values["no-color"] === true,
    verbose: values.verbose === true,
    quiet: values.quiet === true,
  };
  if (settings.verbose && settings.quiet) throw new OutputUsageError("--verbose and --quiet exclude each other");
  if (typeof values.baseline === "string") {
    if (values.baseline === "") throw new OutputUsageError("--baseline: give a file");
    settings.baseline = values.baseline;
  }
  return settings;
}

/** `-o PATH`: the path of the one format given without one (text when none is given). */
function withOutputPath(formats: string[] | undefined, output: unknown): string[] | undefined {
  if (output === undefined) return formats;
  const path = String(output);
  if (path === "") throw new OutputUsageError("--output: give a file path");
  const list = formats && formats.length > 0 ? formats : ["text"];
  const open = list.filter((spec) => !spec.includes("="));
  if (open.length !== 1) {
    throw new OutputUsageError(
      `--output ${path}: give exactly one --format without =PATH for it (got ${open.length}); or use --format FORMAT=PATH`,
    );
  }
  return list.map((spec) => (spec.includes("=") ? spec : `${spec}=${path}`));
}

/**
 * The targets actually written: something readable always reaches the log, so the text view goes to standard
 * output when every format goes to a file (unless a text view itself was sent to a file, e.g. text=/dev/null to
 * keep a log quiet).
 */
export function withTextFallback(targets: readonly OutputTarget[]): OutputTarget[] {
  const all = [...targets];
  if (all.every((t) => t.path !== undefined) && !all.some((t) => isTextView(t.format))) all.push({ format: "text" });
  return all;
}

function isTextView(format: ReportFormat): boolean {
  return format === "text" || format === "compact";
}

/** Whether the text view (which lists the report's errors) is written to standard output. */
export function textOnStandardOutput(targets: readonly OutputTarget[]): boolean {
  return withTextFallback(targets).some((t) => t.path === undefined && isTextView(t.format));
}

/**
 * A live progress line on a stream: only on a terminal, never in CI logs (CI set), with TERM=dumb or --quiet.
 */
export function showProgress(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
  quiet = false,
): boolean {
  const ci = env.CI !== undefined && !["", "0", "false"].includes(env.CI.toLowerCase());
  return stream.isTTY === true && !ci && env.TERM !== "dumb" && !quiet;
}

/**
 * One line of progress on a terminal, rewritten in place at most ten times a second (stderr only: the caller
 * decides with showProgress). clear() removes it before anything else is written.
 */
export class ProgressLine {
  private shown = false;
  private last = 0;

  constructor(private readonly stream: { write(chunk: string): boolean }) {}

  update(text: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    this.stream.write(`\r\u001b[K${text}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write("\r\u001b[K");
    this.shown = false;
  }
}

/** 2 for errors, 1 for an active finding at or above failOn, else 0. */
export function exitCodeFor(report: ScanReport, failOn: FailOn): number {
  if (report.errors.length > 0) return 2;
  if (failOn === "none") return 0;
  return report.findings.some((f) => isActive(f) && severityAtLeast(f.severity, failOn)) ? 1 : 0;
}

/**
 * Colour for the text view on a stream: never with --no-color; FORCE_COLOR forces it (0 or false turns it off)
 * and, as in Node itself, wins over NO_COLOR; a non-empty NO_COLOR or TERM=dumb turns it off; otherwise only on a
 * TTY.
 */
export function shouldColor(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
  noColorFlag: boolean,
): boolean {
  if (noColorFlag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !["0", "false"].includes(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

/**
 * Write via a temporary file in the same directory, then rename: readers never see half a report. `content` may be
 * chunks (a reporter's output), written as they come in blocks of about a megabyte.
 */
export async function writeFileAtomic(path: string, content: string | Iterable<string>): Promise<void> {
  let target = resolve(path);
  try {
    // Write where a symlink points, and never replace a device or a FIFO (/dev/null, /dev/stdout, a pipe)
    // with a regular file: those are written through, as a shell redirection would.
    target = await realpath(target);
    if (!(await stat(target)).isFile()) {
      writeChunks(target, "w", content);
      return;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeChunks(temp, "wx", content);
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

function writeChunks(path: string, flag: string, content: string | Iterable<string>): void {
  const fd = openSync(path, flag);
  try {
    const writer = new BlockWriter(fd);
    let carry = "";
    for (const piece of typeof content === "string" ? [content] : content) {
      let chunk = carry + piece;
      carry = "";
      // A surrogate pair split between two chunks is encoded whole, as it would be in the joined text.
      const last = chunk.charCodeAt(chunk.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        carry = chunk.slice(-1);
        chunk = chunk.slice(0, -1);
      }
      writer.write(chunk);
    }
    writer.write(carry);
    writer.flush();
  } finally {
    closeSync(fd);
  }
}

function writeStream(stream: WritableLike, text: string): Promise<void> {
  if (text === "") return Promise.resolve();
  return new Promise((resolvePromise, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolvePromise()));
  });
}

/** Chunks to a stream in blocks of about 64 KiB, each awaited (backpressure), so none piles up in memory. */
async function writeStreamChunks(stream: WritableLike, chunks: Iterable<string>): Promise<void> {
  let pending = "";
  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length >= 65536) {
      await writeStream(stream, pending);
      pending = "";
    }
  }
  await writeStream(stream, pending);
}

/** 2 for errors, 1 for an active finding at or above failOn, else 0 (exitCodeFor on a store). */
export function exitCodeForStore(head: Pick<ScanReport, "errors">, store: FindingStore, failOn: FailOn): number {
  if (head.errors.length > 0) return 2;
  if (failOn === "none") return 0;
  for (let i = 0; i < store.recordCount; i++) {
    if (store.status(i) === "fail" && severityAtLeast(store.severity(i), failOn)) return 1;
  }
  return 0;
}

export async function emitReport(
  report: ScanReport,
  values: Record<string, unknown>,
  io: OutputIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  return emitStoredReport(report, FindingStore.fromFindings(report.findings), values, io);
}

/**
 * The output step for a report whose findings are in `store` (`head.findings` is ignored): every format is written
 * as it is produced, so memory does not grow with the report.
 */
export async function emitStoredReport(
  head: ScanReport,
  store: FindingStore,
  values: Record<string, unknown>,
  io: OutputIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const env = io.env ?? process.env;
  let settings: OutputSettings;
  try {
    settings = parseOutputOptions(values);
  } catch (err) {
    await writeStream(io.stderr, `rdsguard: ${(err as Error).message}\n`);
    return 2;
  }

  let final = head;
  let baselineApplied = false;
  if (settings.baseline !== undefined) {
    const loaded = await loadBaseline(settings.baseline);
    if (loaded.error) {
      final = { ...head, errors: [...head.errors, loaded.error] };
    } else {
      store.applyBaseline(loaded.fingerprints);
      baselineApplied = true;
    }
  }

  const targets = withTextFallback(settings.targets);
  const files = targets.filter((t) => t.path !== undefined);
  const fullReport = files.filter((t) => t.format !== "markdown").map((t) => t.path as string);

  let failedWrites = 0;
  const writeErrors: ScanError[] = [];
  // Files first, so they exist even if standard output is closed early.
  for (const target of [...files, ...targets.filter((t) => t.path === undefined)]) {
    try {
      const onStdout = target.path === undefined;
      const format = target.format === "text" && settings.quiet ? "compact" : target.format;
      const content = reportChunks(format, final, store, {
        color: onStdout && shouldColor(io.stdout, env, settings.noColor),
        ...(onStdout && io.stdout.isTTY === true && env.TERM !== "dumb" && io.stdout.columns
          ? { width: io.stdout.columns }
          : {}),
        verbose: settings.verbose,
        sarifSuppressed: settings.sarifSuppressed,
        baselineApplied,
        markdownLimit: settings.markdownLimit,
        fullReport,
        env,
      });
      if (target.path === undefined) await writeStreamChunks(io.stdout, content);
      else await writeFileAtomic(target.path, content);
    } catch (err) {
      // A reader that stopped early (`rdsguard scan ... | head`) is not a failure of the scan.
      if (target.path === undefined && (err as NodeJS.ErrnoException).code === "EPIPE") continue;
      failedWrites++;
      const where = target.path ?? "standard output";
      writeErrors.push({ kind: "io", message: `cannot write the ${target.format} report to ${where}: ${reason(err)}` });
    }
  }

  const textOnStdout = textOnStandardOutput(targets);
  // The text view lists the report's errors; otherwise they go to standard error, so the log shows them.
  const problems = [...(textOnStdout ? [] : final.errors), ...writeErrors];
  for (const e of problems) {
    const place = errorPlace(e);
    await writeStream(io.stderr, `rdsguard: ${e.kind} error${place ? ` at ${place}` : ""}: ${e.message}\n`).catch(
      () => undefined,
    );
  }
  if (targets.some((t) => t.format === "sarif")) {
    const left = countWithoutRepositoryFile(new ReportSource(final, store, false), {
      suppressed: settings.sarifSuppressed,
    });
    if (left > 0) {
      const line = `rdsguard: ${left} finding${left === 1 ? " has" : "s have"} no file in the repository and ${left === 1 ? "is" : "are"} not in the SARIF report (GitHub needs a file; map live stacks with --stack-template); the other formats list ${left === 1 ? "it" : "them"}\n`;
      await writeStream(io.stderr, line).catch(() => undefined);
    }
  }
  return failedWrites > 0 ? 2 : exitCodeForStore(final, store, settings.failOn);
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
