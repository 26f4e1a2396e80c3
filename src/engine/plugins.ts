/**
 * Loads rule plugins: ES modules exporting rules made with defineRule (`export const rules = [...]`, or a default
 * export of one rule or a list). Each rule's metadata is checked like a built-in rule's, with optional fields filled
 * in, so a plugin cannot break the catalogue, the reports or the policy schema. A plugin that cannot be loaded is
 * reported with where it is named; the other rules still run.
 */
import { createRequire } from "node:module";
import type { ResourceKind } from "../model/types.js";
import type { PluginRef } from "../policy/types.js";
import { type Rule, type RuleMeta, type RuleParameter, SEVERITIES } from "../rules/types.js";
import { displayPath } from "../util/display-path.js";
import { exportedRules } from "./plugin-exports.js";
import { DEFAULT_PLUGIN_BUDGET, type PluginBudget, PluginHost } from "./plugin-host.js";
import { describeThrown } from "./thrown.js";
import type { ScanError } from "./types.js";

const RULE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const KINDS: readonly ResourceKind[] = ["db-cluster", "db-instance", "global-cluster", "kms-key"];
const PARAMETER_TYPES: readonly RuleParameter["type"][] = ["integer", "boolean", "string", "string[]"];

export interface LoadedPlugins {
  rules: Rule[];
  errors: ScanError[];
}

/**
 * Imports every plugin, each in its own worker thread with a time budget (plugin-host.ts); `takenIds` are the ids of
 * the built-in rules (a plugin may not reuse them).
 */
export async function loadPlugins(
  refs: readonly PluginRef[],
  takenIds: readonly string[],
  displayRoot: string,
  budget: PluginBudget = DEFAULT_PLUGIN_BUDGET,
) {
  const modules: { ref: PluginRef; module?: unknown; error?: unknown }[] = [];
  for (const ref of refs) {
    const hosted = await PluginHost.load(ref.path, budget);
    modules.push("error" in hosted ? { ref, error: hosted.error } : { ref, module: { rules: hosted.candidates } });
  }
  return collect(modules, takenIds, displayRoot);
}

/**
 * The same without waiting, for callers that run synchronously (a CDK Aspect inside synth). It relies on Node
 * loading ES modules through require (Node 20.19 and later); where that is not possible, it says so.
 */
export function loadPluginsSync(
  refs: readonly PluginRef[],
  takenIds: readonly string[],
  displayRoot: string,
): LoadedPlugins {
  const require = createRequire(import.meta.url);
  const modules = refs.map((ref) => {
    try {
      return { ref, module: require(ref.path) as unknown };
    } catch (error) {
      const code = errorCode(error);
      if (code === "ERR_REQUIRE_ESM" || code === "ERR_REQUIRE_ASYNC_MODULE") {
        return {
          ref,
          error: new Error(
            `it cannot be loaded synchronously on Node ${process.versions.node} (${code}); use the asynchronous loader`,
          ),
        };
      }
      return { ref, error };
    }
  });
  return collect(modules, takenIds, displayRoot);
}

function collect(
  modules: readonly { ref: PluginRef; module?: unknown; error?: unknown }[],
  takenIds: readonly string[],
  displayRoot: string,
): LoadedPlugins {
  const rules: Rule[] = [];
  const errors: ScanError[] = [];
  const seen = new Map<string, string>(takenIds.map((id) => [id, "a built-in rule"]));
  for (const { ref, module, error } of modules) {
    const file = displayPath(ref.path, displayRoot);
    const report = (message: string) =>
      errors.push({
        kind: "policy",
        message: `plugin ${ref.spec}: ${message}`,
        ...(ref.loc ? { file: ref.loc.file, line: ref.loc.line, column: ref.loc.column } : { file }),
      });
    if (error !== undefined) {
      report(`cannot be loaded: ${loadErrorMessage(error)}`);
      continue;
    }
    const exported = exportedRules(module);
    if (exported.length === 0) {
      report("exports no rules (export `rules`, a list made with defineRule, or a default export)");
      continue;
    }
    exported.forEach((candidate, i) => {
      const checked = checkRule(candidate, file);
      if (typeof checked === "string") {
        report(`rule ${i + 1}: ${checked}`);
        return;
      }
      const taken = seen.get(checked.meta.id);
      if (taken !== undefined) {
        report(`rule id "${checked.meta.id}" is already taken by ${taken}`);
        return;
      }
      seen.set(checked.meta.id, `plugin ${ref.spec}`);
      rules.push(checked);
    });
  }
  return { rules, errors };
}

function loadErrorMessage(error: unknown): string {
  const code = errorCode(error);
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
    return (error as Error).message.split("\n")[0] ?? "not found";
  }
  return describeThrown(error);
}

/** A Rule with complete metadata, or what is wrong with it. */
function checkRule(candidate: unknown, file: string): Rule | string {
  if (candidate === null || typeof candidate !== "object") return "is not an object with meta and evaluate";
  const { meta, evaluate } = candidate as { meta?: Partial<RuleMeta>; evaluate?: unknown };
  if (typeof evaluate !== "function") return "has no evaluate(resource, context) function";
  if (meta === null || typeof meta !== "object") return "has no meta object";
  if (typeof meta.id !== "string" || !RULE_ID.test(meta.id)) {
    return `meta.id must be lower-case words joined by '-', got ${JSON.stringify(meta.id)}`;
  }
  const id = meta.id;
  if (typeof meta.title !== "string" || meta.title.trim() === "") return `${id}: meta.title must be a non-empty string`;
  if (!SEVERITIES.includes(meta.severity as never)) {
    return `${id}: meta.severity must be one of ${SEVERITIES.join(", ")}, got ${JSON.stringify(meta.severity)}`;
  }
  if (!Array.isArray(meta.appliesTo) || meta.appliesTo.length === 0 || meta.appliesTo.some((k) => !KINDS.includes(k))) {
    return `${id}: meta.appliesTo must list resource kinds (${KINDS.join(", ")})`;
  }
  const parameters = meta.parameters ?? [];
  if (
    !Array.isArray(parameters) ||
    parameters.some(
      (p) => typeof p?.name !== "string" || !PARAMETER_TYPES.includes(p.type) || typeof p.description !== "string",
    )
  ) {
    return `${id}: meta.parameters must be a list of {name, type (${PARAMETER_TYPES.join(", ")}), default, description}`;
  }
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  const references = (meta.references ?? {}) as Partial<RuleMeta["references"]>;
  const full: RuleMeta = {
    id,
    title: meta.title,
    severity: meta.severity as RuleMeta["severity"],
    description: typeof meta.description === "string" ? meta.description : meta.title,
    rationale: typeof meta.rationale === "string" ? meta.rationale : "",
    remediation: {
      text: typeof meta.remediation?.text === "string" ? meta.remediation.text : "",
      snippet: typeof meta.remediation?.snippet === "string" ? meta.remediation.snippet : "",
    },
    parameters,
    references: {
      securityHub: strings(references.securityHub),
      awsConfig: strings(references.awsConfig),
      checkov: strings(references.checkov),
      cfnNag: strings(references.cfnNag),
      cfnGuard: strings(references.cfnGuard),
      cdkNag: strings(references.cdkNag),
    },
    appliesTo: [...meta.appliesTo],
    tags: strings(meta.tags),
    sources: strings(meta.sources),
    definedIn: { kind: "plugin", file },
  };
  return { meta: full, evaluate: evaluate.bind(candidate) as Rule["evaluate"] };
}

/** The `code` of a thrown Node error; undefined for anything else, including values whose properties throw. */
function errorCode(error: unknown): string | undefined {
  try {
    const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}
