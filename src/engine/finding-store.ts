/**
 * The findings of a run, kept small. A large scan judges hundreds of thousands of resources and most verdicts pass
 * or do not apply; kept as objects (~1 KB each, mostly strings and hex fingerprints) they take gigabytes. Here each
 * finding is one JSON line (in memory while the run is small, then spilled to an unlinked temporary file) plus a
 * few bytes of compact record in chunked typed arrays: verdict, severity, waiver, baseline state, the interned
 * strings the reports sort by, and the fingerprint as 32 bytes. Reports count, filter and sort on the records and
 * expand a finding (parse its line) only when they print it, one at a time.
 *
 * A store built from an existing array (`fromFindings`, the library's renderReport) keeps the objects instead.
 * The order of every listing is the reporters' own (compareFindings, the text view's by-place order), decided on the
 * same values: `display` compares the strings as the human-readable formats show them (control characters escaped).
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SEVERITIES, type Severity, type Verdict } from "../rules/types.js";
import type { Finding } from "./types.js";

const VERDICTS: readonly Verdict[] = ["fail", "unknown", "pass", "not-applicable"];
/** Findings held as lines in memory until they take this many bytes; then they go to a temporary file. */
const DEFAULT_SPILL_BYTES = 16 * 1024 * 1024;
const WRITE_BUFFER_BYTES = 1024 * 1024;
const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** Status as the reporters use it (common.ts findingStatus), by rank: fail, unknown, suppressed, baseline, pass, n/a. */
export type StoreStatus = "fail" | "unknown" | "suppressed" | "baseline" | "pass" | "not-applicable";
const STATUS_ORDER: readonly StoreStatus[] = ["fail", "unknown", "suppressed", "baseline", "pass", "not-applicable"];

/** A growable column of numbers in fixed chunks (no doubling copies, no slack beyond one chunk). */
class Column<A extends Int32Array | Uint8Array | Float64Array> {
  private readonly chunks: A[] = [];
  constructor(
    private readonly make: (n: number) => A,
    private readonly width = 1,
  ) {}
  set(i: number, v: number, k = 0): void {
    const c = i >>> CHUNK_BITS;
    while (this.chunks.length <= c) this.chunks.push(this.make(CHUNK * this.width));
    (this.chunks[c] as A)[(i & MASK) * this.width + k] = v;
  }
  get(i: number, k = 0): number {
    const chunk = this.chunks[i >>> CHUNK_BITS];
    return chunk === undefined ? 0 : (chunk[(i & MASK) * this.width + k] as number);
  }
}

class Interner {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      // A copy of its own: a string cut from a template's text (a logical id, a property) would keep that whole
      // text alive for the rest of the run.
      const own = JSON.parse(JSON.stringify(s)) as string;
      id = this.strings.length;
      this.strings.push(own);
      this.ids.set(own, id);
    }
    return id;
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

export interface FindingStoreOptions {
  /** Spill lines to a temporary file past this many bytes (default 16 MiB); Infinity keeps them in memory. */
  spillBytes?: number;
}

export class FindingStore {
  private count = 0;
  // Storage: the objects themselves (fromFindings), or JSON lines (in memory, then in a file).
  private objects: Finding[] | undefined;
  private lines: string[] | undefined = [];
  private bytes = 0;
  private fd: number | undefined;
  private path: string | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private readonly offset = new Column((n) => new Float64Array(n));
  private readonly length = new Column((n) => new Int32Array(n));
  private readonly spillBytes: number;

  // Compact records.
  /** verdict (2 bits) | severity << 2 (3 bits) | suppressed << 5 | inline waiver << 6 | has a location << 7 */
  private readonly code = new Column((n) => new Uint8Array(n));
  /** 0 none, 1 new, 2 unchanged: the finding's own, or the applied baseline's. */
  private readonly baseline = new Column((n) => new Uint8Array(n));
  private readonly file = new Column((n) => new Int32Array(n));
  private readonly alt = new Column((n) => new Int32Array(n));
  private readonly livePlace = new Column((n) => new Int32Array(n));
  private readonly line = new Column((n) => new Int32Array(n));
  private readonly column = new Column((n) => new Int32Array(n));
  private readonly rule = new Column((n) => new Int32Array(n));
  private readonly resource = new Column((n) => new Int32Array(n));
  private readonly property = new Column((n) => new Int32Array(n));
  private readonly when = new Column((n) => new Int32Array(n));
  private readonly fp = new Column((n) => new Uint8Array(n), 32);
  private readonly oddFingerprints = new Map<number, string>();
  private readonly files = new Interner();
  private readonly others = new Interner();
  private displayFiles: string[] | undefined;
  private displayOthers: string[] | undefined;
  private displayFile: ((s: string) => string) | undefined;
  private displayOther: ((s: string) => string) | undefined;
  private baselineSet: ReadonlySet<string> | undefined;
  private hasOwnBaselineState = false;
  private closed = false;
  private reportedCache: Array<number[] | undefined> = [];

  constructor(options: FindingStoreOptions = {}) {
    this.spillBytes = options.spillBytes ?? DEFAULT_SPILL_BYTES;
  }

  /** A store over findings already in memory (kept as they are). */
  static fromFindings(findings: readonly Finding[]): FindingStore {
    const store = new FindingStore();
    store.objects = [];
    store.lines = undefined;
    for (const f of findings) store.add(f);
    return store;
  }

  get size(): number {
    return this.count;
  }

  add(f: Finding): void {
    this.reportedCache = [];
    const i = this.count++;
    if (this.objects) this.objects.push(f);
    else this.writeLine(i, JSON.stringify(f));
    const verdict = VERDICTS.indexOf(f.verdict);
    const severity = SEVERITIES.indexOf(f.severity);
    this.code.set(
      i,
      Math.max(verdict, 0) |
        ((severity < 0 ? 4 : severity) << 2) |
        (f.suppression ? 1 << 5 : 0) |
        (f.suppression?.kind === "inline" ? 1 << 6 : 0) |
        (f.location ? 1 << 7 : 0),
    );
    if (f.baselineState !== undefined) {
      this.hasOwnBaselineState = true;
      this.baseline.set(i, f.baselineState === "unchanged" ? 2 : 1);
    }
    const file = f.location?.file ?? f.resource.origin.file;
    const o = f.resource.origin;
    this.file.set(i, file === undefined ? -1 : this.files.id(file));
    this.alt.set(i, this.others.id(o.arn ?? ""));
    if (file === undefined) {
      const live =
        o.account === undefined && o.region === undefined ? undefined : `${o.account ?? "?"}/${o.region ?? "?"}`;
      this.livePlace.set(i, this.others.id(o.arn ?? live ?? f.resource.id));
    }
    this.line.set(i, f.location?.line ?? 0);
    this.column.set(i, f.location?.column ?? 0);
    this.rule.set(i, this.others.id(f.ruleId));
    this.resource.set(i, this.others.id(f.resource.id));
    this.property.set(i, this.others.id(f.property ?? ""));
    this.when.set(i, this.others.id(f.when ?? ""));
    if (typeof f.fingerprint === "string" && HEX64.test(f.fingerprint)) {
      const bytes = Buffer.from(f.fingerprint, "hex");
      for (let k = 0; k < 32; k++) this.fp.set(i, bytes[k] as number, k);
    } else {
      this.oddFingerprints.set(i, String(f.fingerprint));
    }
  }

  addAll(findings: Iterable<Finding>): void {
    for (const f of findings) this.add(f);
  }

  private writeLine(i: number, line: string): void {
    const n = Buffer.byteLength(line);
    this.offset.set(i, this.bytes);
    this.length.set(i, n);
    this.bytes += n + 1;
    if (this.lines) {
      this.lines.push(line);
      if (this.bytes > this.spillBytes) this.spill();
      return;
    }
    this.pending.push(line, "\n");
    this.pendingBytes += n + 1;
    if (this.pendingBytes >= WRITE_BUFFER_BYTES) this.flush();
  }

  private spill(): void {
    const lines = this.lines ?? [];
    this.lines = undefined;
    this.path = join(tmpdir(), `rdsguard-findings-${process.pid}-${Math.random().toString(36).slice(2)}.ndjson`);
    this.fd = openSync(this.path, "wx+", 0o600);
    // Unlinked while open (POSIX): nothing is left behind, whatever ends the process.
    try {
      unlinkSync(this.path);
      this.path = undefined;
    } catch {
      // Windows: removed by close().
    }
    for (const l of lines) this.pending.push(l, "\n");
    this.pendingBytes = WRITE_BUFFER_BYTES;
    this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(""));
    let written = 0;
    while (written < buf.length) written += writeSync(this.fd, buf, written, buf.length - written);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Frees the temporary file. The store cannot be read afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.path !== undefined) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
    this.fd = undefined;
    this.lines = [];
    this.objects = [];
  }

  /** Marks fail/unknown findings "unchanged" when their fingerprint is in the baseline, else "new". */
  applyBaseline(fingerprints: ReadonlySet<string>): void {
    this.baselineSet = fingerprints;
    this.reportedCache = [];
    for (let i = 0; i < this.count; i++) {
      if ((this.code.get(i) & 3) > 1) continue;
      this.baseline.set(i, fingerprints.has(this.fingerprint(i)) ? 2 : 1);
    }
  }

  /** Whether some finding carries a baselineState (as `report.findings.some(f => f.baselineState)`). */
  anyBaselineState(): boolean {
    if (this.hasOwnBaselineState) return true;
    if (!this.baselineSet) return false;
    for (let i = 0; i < this.count; i++) if ((this.code.get(i) & 3) <= 1) return true;
    return false;
  }

  // --- compact reads -------------------------------------------------------------------------------------------

  verdict(i: number): Verdict {
    return VERDICTS[this.code.get(i) & 3] as Verdict;
  }
  /** fail or unknown: the findings the reports list. */
  isReported(i: number): boolean {
    return (this.code.get(i) & 3) <= 1;
  }
  severity(i: number): Severity {
    return SEVERITIES[(this.code.get(i) >> 2) & 7] as Severity;
  }
  severityRank(i: number): number {
    return (this.code.get(i) >> 2) & 7;
  }
  suppressed(i: number): boolean {
    return (this.code.get(i) & (1 << 5)) !== 0;
  }
  inlineWaived(i: number): boolean {
    return (this.code.get(i) & (1 << 6)) !== 0;
  }
  hasLocation(i: number): boolean {
    return (this.code.get(i) & (1 << 7)) !== 0;
  }
  ruleId(i: number, display = false): string {
    return this.other(this.rule.get(i), display);
  }
  lineOf(i: number): number {
    return this.line.get(i);
  }
  /** findingFile(f): the location's file, else the origin's. */
  fileOf(i: number, display = false): string | undefined {
    const id = this.file.get(i);
    return id < 0 ? undefined : this.fileString(id, display);
  }
  /** findingPlace(f): file:line:col, file, or the live place. */
  placeOf(i: number, display = false): string {
    const file = this.fileOf(i, display);
    if (file === undefined) return this.other(this.livePlace.get(i), display);
    return this.hasLocation(i) ? `${file}:${this.line.get(i)}:${this.column.get(i)}` : file;
  }

  status(i: number): StoreStatus {
    const c = this.code.get(i);
    const verdict = c & 3;
    if (verdict >= 2) return VERDICTS[verdict] as StoreStatus;
    if (c & (1 << 5)) return "suppressed";
    if (verdict === 0 && this.baseline.get(i) === 2) return "baseline";
    return VERDICTS[verdict] as StoreStatus;
  }
  private statusRank(i: number): number {
    return STATUS_ORDER.indexOf(this.status(i));
  }

  fingerprint(i: number): string {
    const odd = this.oddFingerprints.get(i);
    if (odd !== undefined) return odd;
    const bytes = Buffer.allocUnsafe(32);
    for (let k = 0; k < 32; k++) bytes[k] = this.fp.get(i, k);
    return bytes.toString("hex");
  }

  // --- expansion -----------------------------------------------------------------------------------------------

  /** The full finding `i` (baseline applied): a fresh object for a stored line. */
  get(i: number): Finding {
    let f: Finding;
    if (this.objects) f = this.objects[i] as Finding;
    else if (this.lines) f = JSON.parse(this.lines[i] as string) as Finding;
    else {
      this.flush();
      const n = this.length.get(i);
      const buf = Buffer.allocUnsafe(n);
      let read = 0;
      while (read < n) read += readSync(this.fd as number, buf, read, n - read, this.offset.get(i) + read);
      f = JSON.parse(buf.toString("utf8")) as Finding;
    }
    if (this.baselineSet && this.isReported(i)) {
      const baselineState = this.baseline.get(i) === 2 ? "unchanged" : "new";
      f = this.objects ? { ...f, baselineState } : Object.assign(f, { baselineState });
    }
    return f;
  }

  /** Every finding in the order judged. */
  *all(): Generator<Finding> {
    if (this.objects || this.lines || this.baselineSet) {
      for (let i = 0; i < this.count; i++) yield this.get(i);
      return;
    }
    // Sequential: read the file in large blocks.
    this.flush();
    const block = Buffer.allocUnsafe(4 * 1024 * 1024);
    let i = 0;
    let carry = Buffer.alloc(0);
    let position = 0;
    while (i < this.count) {
      const n = readSync(this.fd as number, block, 0, block.length, position);
      if (n === 0) break;
      position += n;
      let data = carry.length > 0 ? Buffer.concat([carry, block.subarray(0, n)]) : block.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0 && i < this.count; nl = data.indexOf(10, start)) {
        yield JSON.parse(data.toString("utf8", start, nl)) as Finding;
        i++;
        start = nl + 1;
      }
      data = data.subarray(start);
      carry = Buffer.from(data);
    }
  }

  /** Indices of the findings that pass `keep`, in the order judged. */
  indices(keep: (i: number) => boolean): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) if (keep(i)) out.push(i);
    return out;
  }

  /** The findings with an inline waiver (the policy gate compares them with the base version). */
  inlineWaivedFindings(): Finding[] {
    return this.indices((i) => this.inlineWaived(i)).map((i) => this.get(i));
  }

  /** Counts by severity and status. */
  tally(): Record<Severity, Record<StoreStatus, number>> {
    const counts = Object.fromEntries(
      SEVERITIES.map((s) => [s, Object.fromEntries(STATUS_ORDER.map((st) => [st, 0]))]),
    ) as Record<Severity, Record<StoreStatus, number>>;
    for (let i = 0; i < this.count; i++) counts[this.severity(i)][this.status(i)]++;
    return counts;
  }

  // --- ordering (mirrors reporters/common.ts compareFindings and the text view's compareByPlace) -----------------

  /**
   * Display variants of the strings, set by the reporters (control characters escaped, a file name starting with
   * ':' as ./NAME), so that the human-readable formats sort exactly what they show.
   */
  setDisplay(file: (s: string) => string, other: (s: string) => string): void {
    this.displayFile = file;
    this.displayOther = other;
  }

  private fileString(id: number, display: boolean): string {
    if (!display || !this.displayFile) return this.files.strings[id] as string;
    if (!this.displayFiles || this.displayFiles.length !== this.files.strings.length) {
      this.displayFiles = this.files.strings.map(this.displayFile);
    }
    return this.displayFiles[id] as string;
  }

  private other(id: number, display: boolean): string {
    if (!display || !this.displayOther) return this.others.strings[id] as string;
    if (!this.displayOthers || this.displayOthers.length !== this.others.strings.length) {
      this.displayOthers = this.others.strings.map(this.displayOther);
    }
    return this.displayOthers[id] as string;
  }

  /** compareFindings on the records: worst first, then file (or ARN), line, column, rule, resource, ... */
  compare(a: number, b: number, display = false): number {
    return (
      this.statusRank(a) - this.statusRank(b) ||
      this.severityRank(a) - this.severityRank(b) ||
      compareStrings(this.sortPlace(a, display), this.sortPlace(b, display)) ||
      this.line.get(a) - this.line.get(b) ||
      this.column.get(a) - this.column.get(b) ||
      compareStrings(this.other(this.rule.get(a), display), this.other(this.rule.get(b), display)) ||
      compareStrings(this.other(this.resource.get(a), display), this.other(this.resource.get(b), display)) ||
      compareStrings(this.other(this.property.get(a), display), this.other(this.property.get(b), display)) ||
      compareStrings(this.other(this.when.get(a), display), this.other(this.when.get(b), display)) ||
      this.compareFingerprints(a, b)
    );
  }

  /** The text view's order: by file (or live place), line, column, severity, rule, resource; then compare(). */
  compareByPlace(a: number, b: number, display = false): number {
    return (
      compareStrings(this.textPlace(a, display), this.textPlace(b, display)) ||
      this.line.get(a) - this.line.get(b) ||
      this.column.get(a) - this.column.get(b) ||
      this.severityRank(a) - this.severityRank(b) ||
      compareStrings(this.other(this.rule.get(a), display), this.other(this.rule.get(b), display)) ||
      compareStrings(this.other(this.resource.get(a), display), this.other(this.resource.get(b), display)) ||
      this.compare(a, b, display)
    );
  }

  private sortPlace(i: number, display: boolean): string {
    const id = this.file.get(i);
    return id >= 0 ? this.fileString(id, display) : this.other(this.alt.get(i), display);
  }

  private textPlace(i: number, display: boolean): string {
    const id = this.file.get(i);
    return id >= 0 ? this.fileString(id, display) : this.other(this.livePlace.get(i), display);
  }

  private compareFingerprints(a: number, b: number): number {
    if (this.oddFingerprints.has(a) || this.oddFingerprints.has(b)) {
      return compareStrings(this.fingerprint(a), this.fingerprint(b));
    }
    for (let k = 0; k < 32; k++) {
      const d = this.fp.get(a, k) - this.fp.get(b, k);
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Reported findings (fail or unknown), worst first: reportedFindings(report) as indices. */
  reported(display = false): number[] {
    const key = display ? 1 : 0;
    let sorted = this.reportedCache[key];
    if (!sorted) {
      sorted = this.indices((i) => this.isReported(i)).sort((a, b) => this.compare(a, b, display));
      this.reportedCache[key] = sorted;
    }
    return sorted;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
