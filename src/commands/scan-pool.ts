/**
 * `scan --jobs N`: the template files of a scan spread over N worker threads (scan-worker.ts), each reading,
 * parsing, building the model and judging it, and the outcomes handed back to the caller one file at a time IN FILE
 * ORDER, so that everything downstream (errors, warnings, progress, inline waivers, reports) is as with one job.
 * - Files go out in batches from one queue (a worker that finishes early takes the next batch); at most a few
 *   batches beyond the first one not yet handed back are out, so memory does not grow with out-of-order results.
 * - Every worker is terminated when the pool ends, however it ends.
 * - A worker that crashes, or spends more than FILE_BUDGET_MS on one file (past the scanner's own budgets: that is
 *   a hang), is stopped; that file gets a located error (exit 2), the rest of its work goes to a new worker.
 * - A worker that ends before it takes any file (it could not start) ends the pool: the caller scans the files not
 *   yet handed back itself.
 * Plugins are not run in workers (the caller uses the pool only without them): a plugin is one module with one
 * time budget for the whole run and may keep state between calls, and already runs in a worker of its own.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Policy } from "../policy/types.js";
import type { TemplateScanOptions } from "../scanners/template/index.js";
import { displayPath } from "../util/display-path.js";
import type { BatchAnswer, BatchRequest, FileJob, FileOutcome, ScanWorkerInput } from "./scan-worker.js";

export type { FileOutcome } from "./scan-worker.js";

/** Wall-clock time one file may take in a worker; the scanner's own budgets (10 s of evaluation) end far sooner. */
export const FILE_BUDGET_MS = 60_000;
/** Most jobs accepted on the command line. */
export const MAX_JOBS = 64;
/**
 * The number of jobs `--jobs auto` (and no --jobs) gives a scan of `files` files on `cores` cores: one, by
 * measurement (bench/jobs.mjs on this project's 2-core machines, shared and loaded): two workers took 1.4-1.5x the
 * CPU time of one job on 1,000 generated files (each worker pays its start, ~220 ms, its own JIT warm-up, and
 * copying its findings to the main thread) and were no faster in wall time. On the idle machine, two jobs were
 * 23% slower on 1,000 files and 13% faster on 10,000, for 17% more CPU and half again the peak memory (341 against
 * 224 MiB): too little for the default to leave the memory budget. Raise it here when a measurement shows more.
 */
export function autoJobs(_files: number, _cores = availableParallelism()): number {
  return 1;
}

/** "auto", or a whole number 1..MAX_JOBS; otherwise undefined (a usage error). */
export function parseJobs(value: string): number | "auto" | undefined {
  if (value === "auto") return "auto";
  if (!/^[1-9][0-9]*$/.test(value)) return undefined;
  const n = Number(value);
  return n <= MAX_JOBS ? n : undefined;
}

export interface PoolOptions {
  jobs: number;
  /** Absolute paths, in report order. */
  files: readonly string[];
  /** Files named on the command line (never skipped silently). */
  named: ReadonlySet<string>;
  root: string;
  scan: TemplateScanOptions;
  policy: Policy;
  strict: boolean;
  now: Date;
  /** Whether outcomes carry the templates' declared parameters. */
  declared: boolean;
  /** Called for file 0, 1, 2... in order. */
  onFile: (outcome: FileOutcome, index: number) => void;
  /** Tests: a smaller per-file budget, another worker module (one that calls serveScanWorker). */
  fileBudgetMs?: number;
  workerFile?: string;
}

/** How the pool ended: `next` is the first file not handed back (files.length when every file was). */
export interface PoolResult {
  next: number;
  /** Why the pool stopped early (a worker could not start). */
  unavailable?: string;
}

/** The compiled worker; from the TypeScript sources (the test suite) that is dist's copy, which npm test builds. */
function defaultWorkerFile(): string {
  const here = new URL("./scan-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return fileURLToPath(here);
  return fileURLToPath(new URL("../../dist/commands/scan-worker.js", import.meta.url));
}

interface Member {
  worker: Worker;
  slot: Int32Array;
  /** Batches sent and not answered, oldest first. */
  inFlight: BatchRequest[];
  ready: boolean;
  /** Last slot value the watchdog saw, and since when. */
  seen: number;
  seenSince: number;
  gone: boolean;
}

export function runScanPool(opts: PoolOptions): Promise<PoolResult> {
  const total = opts.files.length;
  const budgetMs = opts.fileBudgetMs ?? FILE_BUDGET_MS;
  // Batches small enough to balance the load, large enough that messages are few.
  const batchSize = Math.max(1, Math.min(64, Math.ceil(total / (opts.jobs * 16))));
  const queue: FileJob[][] = [];
  for (let i = 0; i < total; i += batchSize) {
    queue.push(
      opts.files.slice(i, i + batchSize).map((path, k) => ({ index: i + k, path, named: opts.named.has(path) })),
    );
  }
  /** Outcomes received ahead of `next`, by file index. */
  const waiting = new Map<number, FileOutcome>();
  let next = 0;
  let batchNo = 0;
  /** At most this many files past `next` are out or waiting. */
  const window = batchSize * opts.jobs * 4;
  const members = new Set<Member>();
  const workerFile = opts.workerFile ?? defaultWorkerFile();
  const wirePolicy = withoutCompiledPatterns(opts.policy) as Policy;

  return new Promise<PoolResult>((resolve, reject) => {
    let finished = false;
    const end = () => {
      finished = true;
      clearInterval(watchdog);
      for (const m of members) stop(m);
    };
    const finish = (result: PoolResult) => {
      if (finished) return;
      end();
      resolve(result);
    };
    const fail = (err: unknown) => {
      if (finished) return;
      end();
      reject(err);
    };
    const stop = (m: Member) => {
      m.gone = true;
      members.delete(m);
      m.worker.removeAllListeners();
      m.worker.on("error", () => {});
      void m.worker.terminate();
    };

    const flush = () => {
      for (let outcome = waiting.get(next); outcome && !finished; outcome = waiting.get(next)) {
        waiting.delete(next);
        try {
          opts.onFile(outcome, next++);
        } catch (err) {
          fail(err);
        }
      }
      if (next >= total) finish({ next });
    };

    const feed = (m: Member) => {
      while (m.ready && !m.gone && m.inFlight.length < 2 && queue.length > 0) {
        const files = queue[0] as FileJob[];
        if ((files[0] as FileJob).index >= next + window) return;
        queue.shift();
        const request: BatchRequest = { batch: batchNo++, files };
        m.inFlight.push(request);
        m.worker.postMessage(request);
      }
    };
    const feedAll = () => {
      for (const m of members) feed(m);
    };

    /** A worker crashed or hung: the file it was on gets an error, its other files go back to the queue. */
    const lost = (m: Member, why: string) => {
      if (m.gone) return;
      const current = Atomics.load(m.slot, 0) - 1;
      stop(m);
      if (!m.ready || current < 0) {
        // Not one file's doing (it could not start, or ended between files): the caller scans the rest itself.
        finish({ next, unavailable: why });
        return;
      }
      const back: FileJob[] = [];
      for (const request of m.inFlight) {
        for (const job of request.files) {
          if (job.index !== current) back.push(job);
          else {
            const file = displayPath(job.path, opts.root);
            waiting.set(job.index, { error: { kind: "internal", file, message: `scanning this file ${why}` } });
          }
        }
      }
      if (back.length > 0) queue.unshift(back);
      flush();
      if (!finished) {
        spawn();
        feedAll();
      }
    };

    const spawn = () => {
      const shared = new SharedArrayBuffer(4);
      const input: ScanWorkerInput = {
        entry: opts.workerFile ? "custom" : "default",
        policy: wirePolicy,
        strict: opts.strict,
        now: opts.now,
        root: opts.root,
        scan: opts.scan,
        declared: opts.declared,
        slot: shared,
      };
      let worker: Worker;
      try {
        worker = new Worker(workerFile, { workerData: input, stdout: false, stderr: false });
      } catch (err) {
        finish({ next, unavailable: `a worker could not be started: ${String(err)}` });
        return;
      }
      const m: Member = {
        worker,
        slot: new Int32Array(shared),
        inFlight: [],
        ready: false,
        seen: 0,
        seenSince: Date.now(),
        gone: false,
      };
      members.add(m);
      worker.on("message", (message: BatchAnswer | "ready") => {
        if (m.gone) return;
        if (message === "ready") {
          m.ready = true;
          feed(m);
          return;
        }
        const request = m.inFlight.shift();
        if (!request || request.batch !== message.batch) {
          lost(m, "got out of step with its worker");
          return;
        }
        request.files.forEach((job, k) => {
          waiting.set(job.index, message.outcomes[k] ?? {});
        });
        flush();
        feedAll();
      });
      worker.on("error", (err) => lost(m, `crashed its worker thread (${String(err)})`));
      worker.on("exit", (code) => lost(m, `ended its worker thread (exit code ${code})`));
    };

    const watchdog = setInterval(
      () => {
        const now = Date.now();
        for (const m of members) {
          const value = Atomics.load(m.slot, 0);
          if (value !== m.seen) {
            m.seen = value;
            m.seenSince = now;
          } else if ((value !== 0 || !m.ready) && now - m.seenSince > budgetMs) {
            lost(m, `did not finish within ${budgetMs / 1000} s, the time budget of one file in a worker (--jobs)`);
          }
        }
      },
      Math.max(10, Math.min(1000, budgetMs / 4)),
    );

    if (total === 0) {
      finish({ next: 0 });
      return;
    }
    const workers = Math.min(opts.jobs, queue.length);
    try {
      for (let i = 0; i < workers && !finished; i++) spawn();
    } catch (err) {
      fail(err);
    }
  });
}

/**
 * The policy as it can be copied to a worker: its custom rules' compiled `matches:` patterns (functions) left out;
 * the declarative rule compiler compiles them again from the pattern's text (src/rules/declarative/condition.ts).
 */
export function withoutCompiledPatterns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCompiledPatterns);
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === "function") continue;
    if (item && typeof item === "object" && typeof (item as { test?: unknown }).test === "function") continue;
    out[key] = withoutCompiledPatterns(item);
  }
  return out;
}
