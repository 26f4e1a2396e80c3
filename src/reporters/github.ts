/**
 * GitHub Actions workflow-command annotations, for repositories without code scanning:
 * `::error file=F,line=L,col=C,title=T::message`. critical/high and scan errors are errors, medium warnings,
 * low/info and undetermined findings notices. Suppressed findings and findings already in the baseline are not
 * annotated.
 *
 * GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (50 per job): the worst of each
 * level are printed, and when some are left out one last notice says how many.
 */
import type { Finding, ScanError, ScanReport } from "../engine/types.js";
import type { Severity } from "../rules/types.js";
import { appendAll } from "../util/append.js";
import { describeFinding, errorPlace, findingFile, plural, ruleFor } from "./common.js";
import { joinChunks, type ReportSource, sourceOf } from "./source.js";

/** Annotations GitHub displays per level and step. */
export const ANNOTATIONS_PER_LEVEL = 10;

type Level = "error" | "warning" | "notice";

const LEVEL: Record<Severity, Level> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "notice",
  info: "notice",
};

interface Annotation {
  level: Level;
  file?: string;
  line?: number;
  col?: number;
  title: string;
  message: string;
}

/** Data (the message): % CR LF. */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Property values (file, title): as data, plus the separators : and ,. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatAnnotation(a: Annotation): string {
  const props: string[] = [];
  if (a.file !== undefined) props.push(`file=${escapeProperty(a.file)}`);
  if (a.line !== undefined) props.push(`line=${a.line}`);
  if (a.col !== undefined) props.push(`col=${a.col}`);
  props.push(`title=${escapeProperty(a.title)}`);
  return `::${a.level} ${props.join(",")}::${escapeData(a.message)}`;
}

export function renderGithub(report: ScanReport): string {
  return joinChunks(githubChunks(sourceOf(report, false)));
}

/** The annotations: counted on the compact records, and only the ones printed are read. */
export function* githubChunks(source: ReportSource): Generator<string> {
  const report = source.head;
  const store = source.store;
  const byLevel: Record<Level, Array<Annotation | number>> = { error: [], warning: [], notice: [] };
  for (const e of report.errors) byLevel.error.push(errorAnnotation(e));
  for (const i of source.reported()) {
    const status = store.status(i);
    if (status === "fail" || status === "unknown") {
      byLevel[store.verdict(i) === "unknown" ? "notice" : LEVEL[store.severity(i)]].push(i);
    }
  }
  const annotation = (a: Annotation | number): Annotation =>
    typeof a === "number" ? findingAnnotation(source.get(a), report) : a;

  const shown: Annotation[] = byLevel.error.slice(0, ANNOTATIONS_PER_LEVEL).map(annotation);
  appendAll(shown, byLevel.warning.slice(0, ANNOTATIONS_PER_LEVEL).map(annotation));
  const overflow =
    Math.max(0, byLevel.error.length - ANNOTATIONS_PER_LEVEL) +
    Math.max(0, byLevel.warning.length - ANNOTATIONS_PER_LEVEL) +
    Math.max(0, byLevel.notice.length - ANNOTATIONS_PER_LEVEL);
  // The closing notice takes one of the ten notice slots.
  const noticeSlots = overflow > 0 ? ANNOTATIONS_PER_LEVEL - 1 : ANNOTATIONS_PER_LEVEL;
  appendAll(shown, byLevel.notice.slice(0, noticeSlots).map(annotation));
  const notAnnotated = byLevel.error.length + byLevel.warning.length + byLevel.notice.length - shown.length;
  if (notAnnotated > 0) {
    shown.push({
      level: "notice",
      title: "rdsguard: more findings",
      message: `${plural(notAnnotated, "more finding or error is", "more findings and errors are")} not annotated: GitHub shows at most ${ANNOTATIONS_PER_LEVEL} errors, ${ANNOTATIONS_PER_LEVEL} warnings and ${ANNOTATIONS_PER_LEVEL} notices per step. The job summary or the SARIF/JSON report lists them all.`,
    });
  }
  if (shown.length > 0) yield `${shown.map(formatAnnotation).join("\n")}\n`;
}

function findingAnnotation(f: Finding, report: ScanReport): Annotation {
  const rule = ruleFor(report, f.ruleId);
  const unknown = f.verdict === "unknown";
  const a: Annotation = {
    level: unknown ? "notice" : LEVEL[f.severity],
    title: `rdsguard ${f.ruleId} (${unknown ? "could not be determined" : f.severity})${rule ? `: ${rule.title}` : ""}`,
    message: rule?.remediation.text ? `${describeFinding(f)}\nFix: ${rule.remediation.text}` : describeFinding(f),
  };
  const file = findingFile(f);
  if (file !== undefined) a.file = file;
  if (f.location) {
    a.line = f.location.line;
    a.col = f.location.column;
  }
  return a;
}

function errorAnnotation(e: ScanError): Annotation {
  const place = e.file === undefined ? errorPlace(e) : "";
  const a: Annotation = {
    level: "error",
    title: `rdsguard ${e.kind} error`,
    message: place ? `${place}: ${e.message}` : e.message,
  };
  if (e.file !== undefined) a.file = e.file;
  if (e.line !== undefined) a.line = e.line;
  if (e.column !== undefined) a.col = e.column;
  return a;
}
