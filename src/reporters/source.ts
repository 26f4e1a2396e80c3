/**
 * What a reporter reads: the report's head (everything but the findings: rules, errors, stats, ...) and its
 * findings in a FindingStore, read one at a time. Reporters are generators of text chunks, so a report of any size
 * is written as it is produced (output.ts) and never held as one string; renderReport joins the chunks.
 */
import { FindingStore } from "../engine/finding-store.js";
import type { Finding, ScanReport } from "../engine/types.js";
import { escapeControlCharacters, findingForDisplay, forDisplay } from "./control-characters.js";

export class ReportSource {
  /** The head as shown: forDisplay'd for the human-readable formats. `findings` is always []. */
  readonly head: ScanReport;

  constructor(
    head: ScanReport,
    readonly store: FindingStore,
    /** Human-readable formats: every string with its control characters escaped (forDisplay). */
    readonly display: boolean,
  ) {
    const bare = { ...head, findings: [] };
    this.head = display ? forDisplay(bare) : bare;
    if (display) {
      store.setDisplay((file) => {
        const escaped = escapeControlCharacters(file);
        return escaped.startsWith(":") ? `./${escaped}` : escaped;
      }, escapeControlCharacters);
    }
  }

  /** Finding `i` as this format shows it. */
  get(i: number): Finding {
    const f = this.store.get(i);
    return this.display ? findingForDisplay(f) : f;
  }

  /** Fail and unknown findings, worst first (reportedFindings). */
  reported(): number[] {
    return this.store.reported(this.display);
  }

  ruleId(i: number): string {
    return this.store.ruleId(i, this.display);
  }
}

/** A source over a report held in memory (the library's renderReport). */
export function sourceOf(report: ScanReport, display: boolean): ReportSource {
  return new ReportSource(report, FindingStore.fromFindings(report.findings), display);
}

export function joinChunks(chunks: Iterable<string>): string {
  let out = "";
  for (const c of chunks) out += c;
  return out;
}

/**
 * Items stringified together: one native JSON.stringify per batch instead of one per item plus a re-indent. 64
 * findings make ~60 KB of text, which V8 allocates and frees among short-lived objects; 256 (~230 KB) went to the
 * large-object space and wrote 23 MB of JSON ~10% slower.
 */
const BATCH = 64;

/**
 * The JSON text of `value` (JSON.stringify(value, null, 2)) with `marker` key's empty array `[]` replaced by the
 * items, each as JSON.stringify would indent it at that depth: byte-identical to stringifying the whole, without
 * ever holding it. `indent` is the key's own indentation (two spaces per level).
 */
export function* jsonWithStreamedArray(
  value: unknown,
  key: string,
  indent: number,
  items: Iterable<unknown>,
): Generator<string> {
  const text = JSON.stringify(value, null, 2);
  const pad = " ".repeat(indent);
  const marker = `\n${pad}${JSON.stringify(key)}: []`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`jsonWithStreamedArray: no ${key} at indentation ${indent}`);
  // A batch nested in indent / 2 arrays stringifies with its items indented as they are in the whole; what is
  // around them (the arrays' brackets) has a known length.
  const depth = indent / 2;
  // Each level opens with `${spaces}[\n` and closes with `\n${spaces}]`: the same length on both sides.
  let frame = 0;
  for (let level = 0; level <= depth; level++) frame += 2 * level + 2;
  const itemsText = (batch: unknown[]): string => {
    let nested: unknown = batch;
    for (let level = 0; level < depth; level++) nested = [nested];
    const whole = JSON.stringify(nested, null, 2);
    return whole.slice(frame, whole.length - frame);
  };
  let batch: unknown[] = [];
  let first = true;
  const flush = (): string => {
    const body = itemsText(batch);
    batch = [];
    if (first) {
      first = false;
      return `${text.slice(0, at)}\n${pad}${JSON.stringify(key)}: [\n${body}`;
    }
    return `,\n${body}`;
  };
  for (const item of items) {
    batch.push(item);
    if (batch.length === BATCH) yield flush();
  }
  if (batch.length > 0) yield flush();
  if (first) yield text;
  else yield `\n${pad}]${text.slice(at + marker.length)}`;
}
