/**
 * The worker thread one plugin module runs in (see plugin-host.ts). It imports the module, describes the rules it
 * exports, then evaluates them on request. `process.exit` here throws instead of ending the thread, so a rule that
 * calls it gets a rule error; what it writes to stdout goes to stderr (never into a report on stdout).
 */

import { pathToFileURL } from "node:url";
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import type { Model } from "../model/types.js";
import type { RuleContext } from "../rules/types.js";
import { exportedRules } from "./plugin-exports.js";
import { describeThrown } from "./thrown.js";

export interface WorkerInput {
  /** Marks a plugin's worker: other workers (scan --jobs) import this module too, and must not run it. */
  role: "plugin";
  path: string;
  /** Int32 flag the worker sets (then notifies) when an answer is on `port`, or when the thread ends. */
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** Each exported candidate, as far as it can be passed to the host. */
export type CandidateDescription =
  | { object: false }
  | { object: true; meta?: unknown; metaProblem?: string; evaluate: boolean };

export type LoadAnswer = { loaded: CandidateDescription[] } | { loadError: string; code?: string };

export interface EvaluateRequest {
  rule: number;
  resourceId: string;
  modelId: number;
  /** Sent with the first request about a model; the worker keeps the latest one. */
  model?: Model;
  params: RuleContext["params"];
  profile: string;
  now: Date;
}

/** `problem` is already the words of the rule error ("called process.exit(0) ..."). */
export type EvaluateAnswer = { value: unknown } | { threw: string } | { problem: string };

export const ANSWERED = 1;
export const ENDED = 2;

class ExitCalled extends Error {
  constructor(code: unknown) {
    super(`called process.exit(${code === undefined ? "" : describeThrown(code)})`);
    this.name = "ExitCalled";
  }
}

if (parentPort && (workerData as Partial<WorkerInput> | null)?.role === "plugin") {
  const { path, signal, port } = workerData as WorkerInput;
  const flag = new Int32Array(signal);
  const wake = (state: number) => {
    Atomics.store(flag, 0, state);
    Atomics.notify(flag, 0);
  };
  process.on("exit", () => wake(ENDED));
  // console.log and process.stdout.write in a plugin reach rdsguard's stderr, never the report on stdout.
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  process.exit = ((code?: unknown) => {
    throw new ExitCalled(code);
  }) as typeof process.exit;

  let candidates: unknown[] = [];
  const describe = (candidate: unknown): CandidateDescription => {
    if (candidate === null || typeof candidate !== "object") return { object: false };
    try {
      const { meta, evaluate } = candidate as { meta?: unknown; evaluate?: unknown };
      try {
        return { object: true, meta: structuredClone(meta), evaluate: typeof evaluate === "function" };
      } catch (err) {
        return { object: true, metaProblem: describeThrown(err), evaluate: typeof evaluate === "function" };
      }
    } catch (err) {
      return { object: true, metaProblem: describeThrown(err), evaluate: false };
    }
  };

  const parent = parentPort;
  import(pathToFileURL(path).href).then(
    (module: unknown) => {
      try {
        candidates = exportedRules(module);
        parent.postMessage({ loaded: candidates.map(describe) } satisfies LoadAnswer);
      } catch (err) {
        parent.postMessage({ loadError: describeThrown(err) } satisfies LoadAnswer);
      }
    },
    (err: unknown) => {
      let code: string | undefined;
      try {
        code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
      } catch {}
      let message = err instanceof ExitCalled ? `${err.message} while being imported` : describeThrown(err);
      if (code === "ERR_MODULE_NOT_FOUND") {
        // "Cannot find module '/abs/x.mjs' imported from <this worker>": the worker is no part of the user's story.
        message = ((err as Error).message.split("\n")[0] ?? message).replace(/ imported from .*$/, "");
      }
      parent.postMessage({ loadError: message, ...(typeof code === "string" ? { code } : {}) } satisfies LoadAnswer);
    },
  );

  let model: { id: number; value: Model } | undefined;
  port.on("message", (request: EvaluateRequest) => {
    let answer: EvaluateAnswer;
    try {
      if (request.model) model = { id: request.modelId, value: request.model };
      const current = model?.id === request.modelId ? model.value : undefined;
      const resource = current?.resources.get(request.resourceId);
      if (!current || !resource) throw new Error("the host sent no model for this resource");
      const rule = candidates[request.rule] as { evaluate: (...args: unknown[]) => unknown };
      const ctx: RuleContext = { model: current, params: request.params, profile: request.profile, now: request.now };
      answer = { value: rule.evaluate(resource, ctx) };
    } catch (err) {
      answer =
        err instanceof ExitCalled
          ? { problem: `${err.message}, which only stops its own call` }
          : { threw: describeThrown(err) };
    }
    try {
      port.postMessage(answer);
    } catch (err) {
      port.postMessage({
        threw: `returned a value that cannot be passed back (${describeThrown(err)})`,
      } satisfies EvaluateAnswer);
    }
    wake(ANSWERED);
  });
}
