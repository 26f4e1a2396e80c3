/**
 * One worker thread of `scan --jobs N` (see scan-pool.ts). It is given the run's policy and template options once,
 * then batches of files; for each file it reads, parses, builds the model and judges it with the built-in rules and
 * the policy's own rules (the same ones the main thread would use: the pool runs only without plugins), and posts
 * back per batch what the main thread needs to merge: located errors, findings and counts, never the model.
 * Before each file it writes the file's number to a shared slot, so that the main thread can name the file a crash
 * or a hang happened in.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Judge } from "../engine/report.js";
import type { Finding, ScanError } from "../engine/types.js";
import type { Policy } from "../policy/types.js";
import { compileCustomRule } from "../rules/declarative/index.js";
import { allRules } from "../rules/index.js";
import { scanTemplateFile, type TemplateScanOptions } from "../scanners/template/index.js";
import { compileLinearPattern } from "../util/linear-pattern.js";

export interface ScanWorkerInput {
  /** "default": this file is the worker and starts serving; otherwise a wrapper calls serveScanWorker itself. */
  entry: "default" | "custom";
  policy: Policy;
  strict: boolean;
  now: Date;
  root: string;
  scan: TemplateScanOptions;
  /** Send each template's declared parameters (only needed when parameter values are given). */
  declared: boolean;
  /** Int32 slot: 1 + the index of the file being scanned, 0 between files. */
  slot: SharedArrayBuffer;
}

export interface FileJob {
  index: number;
  path: string;
  named: boolean;
}

export interface BatchRequest {
  batch: number;
  files: FileJob[];
}

/** One file's outcome, in the order the single-threaded scan takes it (scan.ts `take`). */
export interface FileOutcome {
  error?: ScanError;
  parameterErrors?: ScanError[];
  declaredParameters?: string[];
  /** What judging its model added (absent when the file has no model). */
  findings?: Finding[];
  errors?: ScanError[];
  resources?: number;
  templatesWithDatabases?: number;
}

export interface BatchAnswer {
  batch: number;
  outcomes: FileOutcome[];
}

/** Test hook: runs before each file (a wrapper worker uses it to crash or hang on purpose). */
export type BeforeFile = (job: FileJob) => void;

export function serveScanWorker(beforeFile?: BeforeFile): void {
  const port = parentPort;
  if (!port) throw new Error("serveScanWorker runs in a worker thread");
  const input = workerData as ScanWorkerInput;
  const slot = new Int32Array(input.slot);
  const judge = new Judge({
    policy: input.policy,
    rules: [...allRules, ...input.policy.customRules.map((spec) => compileCustomRule(withPatterns(spec)))],
    strict: input.strict,
    now: input.now,
  });
  const queue: BatchRequest[] = [];
  let busy = false;

  const scanFile = async (job: FileJob): Promise<FileOutcome> => {
    Atomics.store(slot, 0, job.index + 1);
    beforeFile?.(job);
    const result = await scanTemplateFile(job.path, input.root, { ...input.scan, named: job.named });
    const outcome: FileOutcome = {};
    if (result.error) outcome.error = result.error;
    if (result.parameterErrors) outcome.parameterErrors = result.parameterErrors;
    if (input.declared && result.declaredParameters) outcome.declaredParameters = result.declaredParameters;
    const model = result.model;
    if (model) {
      judge.judge(model);
      // The judge keeps nothing between files here: what it added is this file's, and goes to the main thread.
      outcome.findings = judge.findings.splice(0);
      outcome.errors = judge.errors.splice(0);
      // As Judge.judge counts them.
      outcome.resources = model.resources.size;
      outcome.templatesWithDatabases = model.resources.size > 0 && model.source === "template" ? 1 : 0;
    }
    return outcome;
  };

  const drain = async () => {
    if (busy) return;
    busy = true;
    for (let request = queue.shift(); request; request = queue.shift()) {
      const outcomes: FileOutcome[] = [];
      for (const job of request.files) outcomes.push(await scanFile(job));
      Atomics.store(slot, 0, 0);
      const answer: BatchAnswer = { batch: request.batch, outcomes };
      port.postMessage(answer);
    }
    busy = false;
  };

  port.on("message", (request: BatchRequest) => {
    queue.push(request);
    void drain();
  });
  port.postMessage("ready");
}

/** A custom rule as the main thread has it: each `matches:` pattern compiled (left out of the copy: a function). */
function withPatterns<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withPatterns) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = withPatterns(item);
  if (out.operator === "matches" && out.pattern === undefined && out.operand !== undefined) {
    out.pattern = compileLinearPattern(String(out.operand));
  }
  return out as T;
}

if (workerData && (workerData as ScanWorkerInput).entry === "default") serveScanWorker();
