/**
 * Runs one plugin module in a worker thread, so that what the module does cannot end or corrupt the run:
 * - its import and each evaluate() call have a time budget; a plugin past it is stopped, and that call and every
 *   later one of its rules is a rule error (an infinite loop, or an import that never settles, ends in an error);
 * - `process.exit` in the plugin throws in the worker (a rule error), and the worker ending for any reason ends only
 *   the plugin;
 * - what it writes to stdout (console.log, process.stdout.write) goes to rdsguard's stderr, so `--format json` on
 *   stdout stays a report. (Capturing the worker's stdio as streams instead would keep the process alive until
 *   every worker is ended; writing straight to file descriptor 1 with fs.writeSync is not caught.)
 * evaluate() stays synchronous for the engine: the host posts the request and sleeps on a shared flag
 * (Atomics.wait) until the worker answers or the budget runs out. A model is copied to the worker once.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { Model, ModelResource } from "../model/types.js";
import type { RuleContext } from "../rules/types.js";
import { packagePath } from "../util/package-root.js";
import {
  ANSWERED,
  type CandidateDescription,
  ENDED,
  type EvaluateAnswer,
  type EvaluateRequest,
  type LoadAnswer,
  type WorkerInput,
} from "./plugin-worker.js";
import { ReportedThrow } from "./thrown.js";

export interface PluginBudget {
  /** Import of the module, until it has described its rules. */
  importMs: number;
  /** One evaluate() call. */
  callMs: number;
  /** All evaluate() calls of the module together, over the run. */
  totalMs: number;
}

/** Added to the budget of a call that carries a new model into the worker: the copy grows with the model. */
function copyAllowanceMs(model: Model): number {
  return 100 + model.resources.size / 2;
}

export const DEFAULT_PLUGIN_BUDGET: PluginBudget = { importMs: 10_000, callMs: 2_000, totalMs: 60_000 };

/**
 * The compiled worker, dist/engine/plugin-worker.js, run as its own file: from the bundled CLI, the library and
 * the TypeScript sources (the test suite, after npm test's build) alike.
 */
function workerFile(): string {
  return packagePath("dist", "engine", "plugin-worker.js");
}

const modelIds = new WeakMap<Model, number>();
let nextModelId = 1;

/** The candidates a module exports (meta copied from the worker, evaluate calling into it), or why it cannot load. */
export type HostedModule = { candidates: unknown[]; host: PluginHost } | { error: unknown };

export class PluginHost {
  private readonly flag: Int32Array;
  private stopped: string | undefined;
  private spentMs = 0;
  private lastModelId = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessageChannel["port1"],
    signal: SharedArrayBuffer,
    private readonly budget: PluginBudget,
  ) {
    this.flag = new Int32Array(signal);
  }

  /** Imports the module in a new worker; the candidates it exports, or why it could not be loaded. */
  static async load(path: string, budget: PluginBudget = DEFAULT_PLUGIN_BUDGET): Promise<HostedModule> {
    const signal = new SharedArrayBuffer(4);
    const { port1, port2 } = new MessageChannel();
    const input: WorkerInput = { role: "plugin", path, signal, port: port2 };
    const worker = new Worker(workerFile(), { workerData: input, transferList: [port2] });
    const host = new PluginHost(worker, port1, signal, budget);
    const answer = await new Promise<LoadAnswer | { failed: string }>((resolve) => {
      const timer = setTimeout(
        () =>
          resolve({
            failed: `its import did not finish within ${budget.importMs} ms, the time budget of a plugin import`,
          }),
        budget.importMs,
      );
      const settle = (value: LoadAnswer | { failed: string }) => {
        clearTimeout(timer);
        resolve(value);
      };
      worker.once("message", (message: LoadAnswer) => settle(message));
      worker.once("error", (err) => settle({ failed: `its worker failed: ${String(err)}` }));
      worker.once("exit", (code) =>
        settle({ failed: `it ended before its import finished (exit code ${code}; an import that never settles?)` }),
      );
    });
    worker.removeAllListeners("message");
    if ("failed" in answer || "loadError" in answer) {
      void worker.terminate();
      port1.close();
      const message = "failed" in answer ? answer.failed : answer.loadError;
      const code = "loadError" in answer ? answer.code : undefined;
      return { error: Object.assign(new ReportedThrow(message), code ? { code } : {}) };
    }
    worker.on("exit", () => {
      host.stopped ??= "its worker ended";
    });
    worker.unref();
    port1.unref();
    return { host, candidates: answer.loaded.map((d, i) => host.candidate(d, i)) };
  }

  private candidate(description: CandidateDescription, index: number): unknown {
    if (!description.object) return null;
    return {
      meta: description.meta,
      ...(description.evaluate
        ? { evaluate: (resource: ModelResource, ctx: RuleContext) => this.evaluate(index, resource, ctx) }
        : {}),
    };
  }

  /** Synchronous call into the worker; throws a ReportedThrow saying what went wrong. */
  private evaluate(rule: number, resource: ModelResource, ctx: RuleContext): unknown {
    if (Atomics.load(this.flag, 0) === ENDED) this.stopped ??= "its worker ended";
    if (this.stopped) throw new ReportedThrow(`was not run: the plugin was stopped earlier, after ${this.stopped}`);
    let modelId = modelIds.get(ctx.model);
    if (modelId === undefined) {
      modelId = nextModelId++;
      modelIds.set(ctx.model, modelId);
    }
    const request: EvaluateRequest = {
      rule,
      resourceId: resource.id,
      modelId,
      ...(modelId !== this.lastModelId ? { model: ctx.model } : {}),
      params: ctx.params,
      profile: ctx.profile,
      now: ctx.now,
    };
    Atomics.store(this.flag, 0, 0);
    try {
      this.port.postMessage(request);
    } catch (err) {
      throw new ReportedThrow(`was not run: its input cannot be passed to the plugin (${String(err)})`);
    }
    this.lastModelId = modelId;
    // The first call about a model also copies the model into the worker: that copy is not the plugin's time.
    const copyAllowance = request.model ? copyAllowanceMs(request.model) : 0;
    const budgetMs = Math.min(this.budget.callMs, this.budget.totalMs - this.spentMs) + copyAllowance;
    const started = performance.now();
    Atomics.wait(this.flag, 0, 0, Math.max(budgetMs, 0));
    this.spentMs += Math.max(0, performance.now() - started - copyAllowance);
    const state = Atomics.load(this.flag, 0);
    const received = state === ANSWERED ? receiveMessageOnPort(this.port) : undefined;
    if (!received) {
      const [stopped, problem] =
        state === ENDED
          ? ["its worker ended", "ended the plugin's worker"]
          : budgetMs - copyAllowance < this.budget.callMs
            ? [
                "its rules used up its time budget",
                `was stopped: the plugin's rules used up their total time budget of ${this.budget.totalMs} ms`,
              ]
            : [
                "a rule overran its time budget",
                `did not return within ${this.budget.callMs} ms, the time budget of a plugin rule (the plugin was stopped)`,
              ];
      this.stop(stopped);
      throw new ReportedThrow(problem);
    }
    const answer = received.message as EvaluateAnswer;
    if ("threw" in answer) throw new ReportedThrow(`threw ${answer.threw}`);
    if ("problem" in answer) throw new ReportedThrow(answer.problem);
    return answer.value;
  }

  private stop(why: string): void {
    this.stopped = why;
    void this.worker.terminate();
    this.port.close();
  }
}
