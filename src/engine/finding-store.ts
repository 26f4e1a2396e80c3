/**
 * The findings of a run, kept small. A large scan judges hundreds of thousands of resources and most verdicts pass
 * or do not apply; kept as objects (~1 KB each, mostly strings and hex fingerprints) they take gigabytes. Here the
 * findings are held as objects only while there are few, then each is one JSON line in an unlinked temporary file;
 * beside them, for each finding a listing can show, ~46 bytes of compact record in chunked typed arrays (less
 * where a column stays zero): verdict, severity, waiver, baseline state, the interned strings the reports sort by, a
 * fingerprint prefix. A plain not-applicable finding (37% of them) has no record, only a count: the JSON report
 * prints it, in order, and no listing does. Reports count, filter and sort on the records and expand a finding
 * (parse its line) only when they print it, one at a time.
 *
 * A store built from an existing array (`fromFindings`, the library's renderReport) holds the objects throughout.
 * The order of every listing is the reporters' own (compareFindings, the text view's by-place order), decided on the
 * same values: `display` compares the strings as the human-readable formats show them (control characters escaped).
 */
import { closeSync, openSync, readSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SEVERITIES, type Severity, type Verdict } from "../rules/types.js";
import { BlockWriter } from "../util/block-writer.js";
import type { Finding } from "./types.js";

const VERDICTS: readonly Verdict[] = ["fail", "unknown", "pass", "not-applicable"];
const NOT_APPLICABLE = 3;
/**
 * Findings held as the objects themselves until there are this many (a pull request's scan never gets near it);
 * past it they are written to a temporary file, one JSON line each. Holding them spares the serialisation a small
 * run would pay twice (into the store, out for the report).
 */
const DEFAULT_HOLD_FINDINGS = 32 * 1024;
const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

// The code column's bits.
const SUPPRESSED = 1 << 5;
const INLINE_WAIVER = 1 << 6;
const HAS_LOCATION = 1 << 7;
const BASELINE_SHIFT = 8; // 2 bits: 0 none, 1 new, 2 unchanged (the finding's own, or the applied baseline's)
const NO_FILE = 1 << 10; // a live finding: `place` is the live place, not a file
const PLACE_IS_ARN = 1 << 11; // ... and that place is the resource's ARN (what compareFindings sorts by)
const ODD_FINGERPRINT = 1 << 12; // not 64 hex digits: kept as a string
const PLACE_IS_RESOURCE = 1 << 13; // the place is the resource's own id (a live ARN): not stored twice

/** Status as the reporters use it (common.ts findingStatus), by rank: fail, unknown, suppressed, baseline, pass, n/a. */
export type StoreStatus = "fail" | "unknown" | "suppressed" | "baseline" | "pass" | "not-applicable";
const STATUS_ORDER: readonly StoreStatus[] = ["fail", "unknown", "suppressed", "baseline", "pass", "not-applicable"];

/**
 * A growable column of numbers in fixed chunks (no doubling copies, no slack beyond one chunk). A chunk is made
 * when a non-zero value first lands in it: a column that is all zeros for a run (a live audit's lines and columns,
 * a condition label few findings have) costs nothing.
 */
class Column<A extends Int32Array | Uint8Array | Uint16Array | Uint32Array | Float64Array> {
  private readonly chunks: A[] = [];
  constructor(private readonly make: (n: number) => A) {}
  set(i: number, v: number): void {
    const c = i >>> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      if (v === 0) return;
      chunk = this.make(CHUNK);
      this.chunks[c] = chunk;
    }
    chunk[i & MASK] = v;
  }
  get(i: number): number {
    const chunk = this.chunks[i >>> CHUNK_BITS];
    return chunk === undefined ? 0 : (chunk[i & MASK] as number);
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

/**
 * File names as ids without a map: findings come file by file, so a name is compared with the last one only; a name
 * seen again later gets a second id, which is harmless because listings compare the strings, never the ids. At
 * 50,000 files a map's entries were ~5 MB of live heap, which V8 lets grow to ~4x before it collects.
 */
class FileNames {
  readonly strings: string[] = [];
  private last: string | undefined;
  id(s: string): number {
    if (s !== this.last) {
      this.last = JSON.parse(JSON.stringify(s)) as string; // its own copy, as in Interner
      this.strings.push(this.last);
    }
    return this.strings.length - 1;
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

export interface FindingStoreOptions {
  /** Hold this many findings as objects before writing them to a temporary file (default 32,768); 0 spills at once. */
  holdFindings?: number;
}

/**
 * Findings and their compact records. Every finding is kept (held, or a line in the file) in the order judged;
 * a record (`i` below, 0 to recordCount) exists for each finding a listing can show: all but the plain
 * not-applicable ones, which only the JSON report prints (in order, from all()) and the counts count. Records are in
 * the order of their findings.
 */
export class FindingStore {
  private count = 0;
  private records = 0;
  // Storage: the objects themselves while held, else JSON lines in a temporary file.
  private held: Finding[] | undefined = [];
  private readonly holdFindings: number;
  private bytes = 0;
  private fd: number | undefined;
  private path: string | undefined;
  /** Writes the file's lines (from the spill on). */
  private writer: BlockWriter | undefined;
  /** Per record: the finding's index in `held` while held, then the byte offset of its line. */
  private readonly offset = new Column((n) => new Float64Array(n));
  private readonly length = new Column((n) => new Int32Array(n));
  /** Plain not-applicable findings (no record), by severity. */
  private readonly unrecorded = new Float64Array(SEVERITIES.length);

  // Compact records.
  /** verdict (2 bits) | severity << 2 (3 bits) | the flags above */
  private readonly code = new Column((n) => new Uint16Array(n));
  /** The file's id, or for a live finding the live place's. */
  private readonly place = new Column((n) => new Int32Array(n));
  private readonly line = new Column((n) => new Int32Array(n));
  private readonly column = new Column((n) => new Int32Array(n));
  private readonly rule = new Column((n) => new Int32Array(n));
  private readonly resource = new Column((n) => new Int32Array(n));
  private readonly property = new Column((n) => new Int32Array(n));
  private readonly when = new Column((n) => new Int32Array(n));
  /** The fingerprint's first 4 bytes (big-endian): the sort's last key, the full one read on a tie. */
  private readonly fpPrefix = new Column((n) => new Uint32Array(n));
  private readonly oddFingerprints = new Map<number, string>();
  private readonly files = new FileNames();
  private readonly others = new Interner();
  private readonly empty = this.others.id("");
  private displayFiles: string[] | undefined;
  private displayOthers: string[] | undefined;
  private displayFile: ((s: string) => string) | undefined;
  private displayOther: ((s: string) => string) | undefined;
  private baselineSet: ReadonlySet<string> | undefined;
  private hasOwnBaselineState = false;
  private closed = false;
  private reportedCache: Array<number[] | undefined> = [];
  private rankCache: Array<Int32Array | undefined> = [];

  constructor(options: FindingStoreOptions = {}) {
    this.holdFindings = options.holdFindings ?? DEFAULT_HOLD_FINDINGS;
  }

  /** A store over findings already in memory (held as they are, never spilled). */
  static fromFindings(findings: readonly Finding[]): FindingStore {
    const store = new FindingStore({ holdFindings: Number.POSITIVE_INFINITY });
    for (const f of findings) store.add(f);
    return store;
  }

  /** Every finding, recorded or not. */
  get size(): number {
    return this.count;
  }

  /** The records: the findings a listing can show (indices 0 to recordCount - 1). */
  get recordCount(): number {
    return this.records;
  }

  add(f: Finding): void {
    this.reportedCache = [];
    const seq = this.count++;
    const verdict = VERDICTS.indexOf(f.verdict);
    const index = SEVERITIES.indexOf(f.severity);
    const severity = index < 0 ? SEVERITIES.length - 1 : index;
    if (f.baselineState !== undefined) this.hasOwnBaselineState = true;
    const recorded = verdict !== NOT_APPLICABLE || f.suppression !== undefined || f.baselineState !== undefined;
    const i = this.records;
    if (recorded) this.records++;
    else this.unrecorded[severity] = (this.unrecorded[severity] ?? 0) + 1;
    if (this.held) {
      this.held.push(f);
      if (recorded) this.offset.set(i, seq);
      if (this.held.length > this.holdFindings) this.spill();
    } else {
      this.writeLine(recorded ? i : -1, JSON.stringify(f));
    }
    if (!recorded) return;

    const o = f.resource.origin;
    const file = f.location?.file ?? o.file;
    let code =
      Math.max(verdict, 0) |
      (severity << 2) |
      (f.suppression ? SUPPRESSED : 0) |
      (f.suppression?.kind === "inline" ? INLINE_WAIVER : 0) |
      (f.location ? HAS_LOCATION : 0);
    if (f.baselineState !== undefined) code |= (f.baselineState === "unchanged" ? 2 : 1) << BASELINE_SHIFT;
    if (file !== undefined) {
      this.place.set(i, this.files.id(file));
    } else {
      const live =
        o.account === undefined && o.region === undefined ? undefined : `${o.account ?? "?"}/${o.region ?? "?"}`;
      code |= NO_FILE | (o.arn !== undefined ? PLACE_IS_ARN : 0);
      const place = o.arn ?? live ?? f.resource.id;
      if (place === f.resource.id) code |= PLACE_IS_RESOURCE;
      else this.place.set(i, this.others.id(place));
    }
    this.line.set(i, f.location?.line ?? 0);
    this.column.set(i, f.location?.column ?? 0);
    this.rule.set(i, this.others.id(f.ruleId));
    this.resource.set(i, this.others.id(f.resource.id));
    this.property.set(i, f.property === undefined ? this.empty : this.others.id(f.property));
    this.when.set(i, f.when === undefined ? this.empty : this.others.id(f.when));
    if (typeof f.fingerprint === "string" && HEX64.test(f.fingerprint)) {
      this.fpPrefix.set(i, Number.parseInt(f.fingerprint.slice(0, 8), 16));
    } else {
      code |= ODD_FINGERPRINT;
      this.oddFingerprints.set(i, String(f.fingerprint));
    }
    this.code.set(i, code);
  }

  addAll(findings: Iterable<Finding>): void {
    for (const f of findings) this.add(f);
  }

  /** Appends a line to the file; `record` is its record's index, or -1. */
  private writeLine(record: number, line: string): void {
    const writer = this.writer as BlockWriter;
    const n = writer.write(line);
    writer.write("\n");
    if (record >= 0) {
      this.offset.set(record, this.bytes);
      this.length.set(record, n);
    }
    this.bytes += n + 1;
  }

  private spill(): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.path = join(tmpdir(), `rdsguard-findings-${process.pid}-${Math.random().toString(36).slice(2)}.ndjson`);
    this.fd = openSync(this.path, "wx+", 0o600);
    // Unlinked while open (POSIX): nothing is left behind, whatever ends the process.
    try {
      unlinkSync(this.path);
      this.path = undefined;
    } catch {
      // Windows: removed by close().
    }
    this.writer = new BlockWriter(this.fd);
    // The records of held findings point at `held`; from here on at their lines.
    let r = 0;
    for (let seq = 0; seq < held.length; seq++) {
      const isRecord = r < this.records && this.offset.get(r) === seq;
      this.writeLine(isRecord ? r : -1, JSON.stringify(held[seq]));
      if (isRecord) r++;
    }
    this.writer?.flush();
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
    this.writer = undefined;
    this.held = [];
  }

  private baselineOf(i: number): number {
    return (this.code.get(i) >> BASELINE_SHIFT) & 3;
  }

  /** Marks fail/unknown findings "unchanged" when their fingerprint is in the baseline, else "new". */
  applyBaseline(fingerprints: ReadonlySet<string>): void {
    this.baselineSet = fingerprints;
    this.reportedCache = [];
    for (let i = 0; i < this.records; i++) {
      if (!this.isReported(i)) continue;
      const state = fingerprints.has(this.fingerprint(i)) ? 2 : 1;
      this.code.set(i, (this.code.get(i) & ~(3 << BASELINE_SHIFT)) | (state << BASELINE_SHIFT));
    }
  }

  /** Whether some finding carries a baselineState (as `report.findings.some(f => f.baselineState)`). */
  anyBaselineState(): boolean {
    if (this.hasOwnBaselineState) return true;
    if (!this.baselineSet) return false;
    for (let i = 0; i < this.records; i++) if (this.isReported(i)) return true;
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
    return (this.code.get(i) & SUPPRESSED) !== 0;
  }
  inlineWaived(i: number): boolean {
    return (this.code.get(i) & INLINE_WAIVER) !== 0;
  }
  hasLocation(i: number): boolean {
    return (this.code.get(i) & HAS_LOCATION) !== 0;
  }
  ruleId(i: number, display = false): string {
    return this.other(this.rule.get(i), display);
  }
  lineOf(i: number): number {
    return this.line.get(i);
  }
  /** findingFile(f): the location's file, else the origin's. */
  fileOf(i: number, display = false): string | undefined {
    return this.code.get(i) & NO_FILE ? undefined : this.fileString(this.placeId(i), display);
  }
  /** findingPlace(f): file:line:col, file, or the live place. */
  placeOf(i: number, display = false): string {
    if (this.code.get(i) & NO_FILE) return this.other(this.placeId(i), display);
    const file = this.fileString(this.placeId(i), display);
    return this.hasLocation(i) ? `${file}:${this.line.get(i)}:${this.column.get(i)}` : file;
  }

  status(i: number): StoreStatus {
    const c = this.code.get(i);
    const verdict = c & 3;
    if (verdict >= 2) return VERDICTS[verdict] as StoreStatus;
    if (c & SUPPRESSED) return "suppressed";
    if (verdict === 0 && this.baselineOf(i) === 2) return "baseline";
    return VERDICTS[verdict] as StoreStatus;
  }
  private statusRank(i: number): number {
    return STATUS_ORDER.indexOf(this.status(i));
  }

  /** The place's id (a file's, or a live place's in `others`). */
  private placeId(i: number): number {
    return this.code.get(i) & PLACE_IS_RESOURCE ? this.resource.get(i) : this.place.get(i);
  }

  fingerprint(i: number): string {
    const odd = this.oddFingerprints.get(i);
    return odd ?? this.read(i).fingerprint;
  }

  // --- expansion -----------------------------------------------------------------------------------------------

  /** Record `i`'s finding as stored (held object, or its line parsed). */
  private read(i: number): Finding {
    if (this.held) return this.held[this.offset.get(i)] as Finding;
    this.writer?.flush();
    const n = this.length.get(i);
    const buf = Buffer.allocUnsafe(n);
    let read = 0;
    while (read < n) read += readSync(this.fd as number, buf, read, n - read, this.offset.get(i) + read);
    return JSON.parse(buf.toString("utf8")) as Finding;
  }

  /** The finding with the applied baseline's state, a copy where the stored object must stay as it is. */
  private withBaseline(f: Finding, i: number, owned: boolean): Finding {
    if (!this.baselineSet || !this.isReported(i)) return f;
    const baselineState = this.baselineOf(i) === 2 ? "unchanged" : "new";
    return owned ? Object.assign(f, { baselineState }) : { ...f, baselineState };
  }

  /** Record `i`'s full finding (baseline applied). */
  get(i: number): Finding {
    return this.withBaseline(this.read(i), i, this.held === undefined);
  }

  /** Every finding, recorded or not, in the order judged. */
  *all(): Generator<Finding> {
    let r = 0;
    if (this.held) {
      const held = this.held;
      for (let seq = 0; seq < held.length; seq++) {
        const f = held[seq] as Finding;
        if (r < this.records && this.offset.get(r) === seq) yield this.withBaseline(f, r++, false);
        else yield f;
      }
      return;
    }
    // Sequential: read the file in large blocks.
    this.writer?.flush();
    const block = Buffer.allocUnsafe(4 * 1024 * 1024);
    let seen = 0;
    let carry = Buffer.alloc(0);
    let position = 0; // of block[0] in the file, less the carry
    while (seen < this.count) {
      const n = readSync(this.fd as number, block, 0, block.length, position + carry.length);
      if (n === 0) break;
      const data = carry.length > 0 ? Buffer.concat([carry, block.subarray(0, n)]) : block.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0 && seen < this.count; nl = data.indexOf(10, start)) {
        const f = JSON.parse(data.toString("utf8", start, nl)) as Finding;
        seen++;
        if (r < this.records && this.offset.get(r) === position + start) yield this.withBaseline(f, r++, true);
        else yield f;
        start = nl + 1;
      }
      position += start;
      carry = Buffer.from(data.subarray(start));
    }
  }

  /** Indices of the records that pass `keep`, in the order judged. */
  indices(keep: (i: number) => boolean): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.records; i++) if (keep(i)) out.push(i);
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
    for (let i = 0; i < this.records; i++) counts[this.severity(i)][this.status(i)]++;
    SEVERITIES.forEach((s, k) => {
      counts[s]["not-applicable"] += this.unrecorded[k] ?? 0;
    });
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

  /**
   * Each string's place in the sorted order of all of them (files' and others', as `display` shows them; equal
   * strings share a rank): the sorts compare two integers where they compared two strings, ARNs that differ only at
   * the end among them. Made when first sorted, again if strings came since.
   */
  private ranks(display: boolean): Int32Array {
    const files = this.files.strings.length;
    const total = files + this.others.strings.length;
    const key = display ? 1 : 0;
    const known = this.rankCache[key];
    if (known && known.length === total) return known;
    const text = (k: number): string => (k < files ? this.fileString(k, display) : this.other(k - files, display));
    const order = new Int32Array(total);
    for (let k = 0; k < total; k++) order[k] = k;
    order.sort((x, y) => compareStrings(text(x), text(y)));
    const ranks = new Int32Array(total);
    let rank = 0;
    for (let n = 0; n < total; n++) {
      const k = order[n] as number;
      if (n > 0 && text(k) !== text(order[n - 1] as number)) rank++;
      ranks[k] = rank;
    }
    this.rankCache[key] = ranks;
    return ranks;
  }

  /** compareFindings on the records: worst first, then file (or ARN), line, column, rule, resource, ... */
  compare(a: number, b: number, display = false): number {
    const ranks = this.ranks(display);
    const other = this.files.strings.length;
    return (
      this.statusRank(a) - this.statusRank(b) ||
      this.severityRank(a) - this.severityRank(b) ||
      (ranks[this.sortPlace(a)] as number) - (ranks[this.sortPlace(b)] as number) ||
      this.line.get(a) - this.line.get(b) ||
      this.column.get(a) - this.column.get(b) ||
      (ranks[other + this.rule.get(a)] as number) - (ranks[other + this.rule.get(b)] as number) ||
      (ranks[other + this.resource.get(a)] as number) - (ranks[other + this.resource.get(b)] as number) ||
      (ranks[other + this.property.get(a)] as number) - (ranks[other + this.property.get(b)] as number) ||
      (ranks[other + this.when.get(a)] as number) - (ranks[other + this.when.get(b)] as number) ||
      this.compareFingerprints(a, b)
    );
  }

  /** The text view's order: by file (or live place), line, column, severity, rule, resource; then compare(). */
  compareByPlace(a: number, b: number, display = false): number {
    const ranks = this.ranks(display);
    const other = this.files.strings.length;
    return (
      (ranks[this.textPlace(a)] as number) - (ranks[this.textPlace(b)] as number) ||
      this.line.get(a) - this.line.get(b) ||
      this.column.get(a) - this.column.get(b) ||
      this.severityRank(a) - this.severityRank(b) ||
      (ranks[other + this.rule.get(a)] as number) - (ranks[other + this.rule.get(b)] as number) ||
      (ranks[other + this.resource.get(a)] as number) - (ranks[other + this.resource.get(b)] as number) ||
      this.compare(a, b, display)
    );
  }

  /** compareFindings' place (the file, else the ARN, or nothing) as an index into ranks(). */
  private sortPlace(i: number): number {
    const c = this.code.get(i);
    if (!(c & NO_FILE)) return this.placeId(i);
    return this.files.strings.length + (c & PLACE_IS_ARN ? this.placeId(i) : this.empty);
  }

  /** The text view's place (the file, else the live place) as an index into ranks(). */
  private textPlace(i: number): number {
    const id = this.placeId(i);
    return this.code.get(i) & NO_FILE ? this.files.strings.length + id : id;
  }

  private compareFingerprints(a: number, b: number): number {
    if (!((this.code.get(a) | this.code.get(b)) & ODD_FINGERPRINT)) {
      const d = this.fpPrefix.get(a) - this.fpPrefix.get(b);
      if (d !== 0) return d;
    }
    return compareStrings(this.fingerprint(a), this.fingerprint(b));
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
