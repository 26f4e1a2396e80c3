/**
 * Human-readable reports (text, markdown, github) never pass a control character through raw. A logical id or a
 * file name comes from the pull request under review: a line break in it starts a new line, and GitHub's runner
 * reads a line starting `::error file=...::` (after leading whitespace) as a workflow command, so a pull request
 * could forge annotations; an ANSI escape rewrites the reader's terminal; a bidi override reorders what is shown.
 * Each such character is written as a visible escape (`\n`, `\x1b`, `\u202e`) instead.
 */
import type { Finding, ScanReport } from "../engine/types.js";

// C0 controls (tab kept only where noted), DEL, C1 controls, line/paragraph separators, bidi embeddings/overrides
// and isolates, and the BOM / zero-width no-break space.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, line feeds and tabs allowed.
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `s` with every control character written as a visible escape. */
export function escapeControlCharacters(s: string, keepLineBreaks = false): string {
  return s.replace(keepLineBreaks ? CONTROL_BUT_LINES : CONTROL, visible);
}

/** Rule texts that are paragraphs or code by design: their line breaks and tabs are kept. */
const MULTILINE_KEYS = new Set(["snippet", "text", "description", "rationale"]);

/**
 * `value` with its strings escaped: a copy where something changed, else `value` itself (most findings have nothing
 * to escape, and a report shows thousands).
 */
function clean(value: unknown, key: string | undefined, inRules: boolean): unknown {
  if (typeof value === "string") {
    const escaped = escapeControlCharacters(value, inRules && key !== undefined && MULTILINE_KEYS.has(key));
    // The text view starts a line with the file's path: a file named `::error ...` would make that line a workflow
    // command. `./` in front keeps the path and the line harmless.
    return key === "file" && escaped.startsWith(":") ? `./${escaped}` : escaped;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((v, i) => {
      const c = clean(v, undefined, inRules);
      if (c === v) return;
      out ??= value.slice();
      out[i] = c;
    });
    return out ?? value;
  }
  if (value instanceof Date || value === null || typeof value !== "object") return value;
  let out: Record<string, unknown> | undefined;
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    const c = clean(v, k, inRules || k === "rules");
    if (c === v) continue;
    out ??= { ...value };
    out[k] = c;
  }
  return out ?? value;
}

/**
 * The report as the human-readable formats show it: every string (finding messages, resource names, files,
 * errors, rule texts) with its control characters escaped. Machine formats (json, sarif, junit) keep the data and
 * escape by their own syntax.
 */
export function forDisplay(report: ScanReport): ScanReport {
  return clean(report, undefined, false) as ScanReport;
}

// The findings on one resource share its Finding.resource object (engine.ts): it is escaped once.
const shownResources = new WeakMap<object, unknown>();

/** One finding as forDisplay shows it inside a report. */
export function findingForDisplay(finding: Finding): Finding {
  let out: Finding | undefined;
  for (const k in finding) {
    if (!Object.hasOwn(finding, k)) continue;
    const v = (finding as unknown as Record<string, unknown>)[k];
    let c: unknown;
    if (k === "resource" && typeof v === "object" && v !== null) {
      c = shownResources.get(v);
      if (c === undefined) {
        c = clean(v, k, false);
        shownResources.set(v, c);
      }
    } else {
      c = clean(v, k, false);
    }
    if (c === v) continue;
    out ??= { ...finding };
    (out as unknown as Record<string, unknown>)[k] = c;
  }
  return out ?? finding;
}
