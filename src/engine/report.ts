/**
 * What `scan` and `audit` share between reading models and writing reports: the policy for the built-in rules,
 * judging each model as it comes (so models need not be kept), and the report itself.
 */
import { resolve } from "node:path";
import type { Model } from "../model/types.js";
import { BUILTIN_DEFAULT_PROFILE, effectiveRuleSettings, type Policy } from "../policy/index.js";
import { buildPolicy, type PolicySource, readPolicySources } from "../policy/load.js";
import { trustedPluginRefs } from "../policy/trust.js";
import type { PluginRef } from "../policy/types.js";
import { compileCustomRule } from "../rules/declarative/index.js";
import { allRules } from "../rules/index.js";
import type { Rule, RuleMeta } from "../rules/types.js";
import { appendAll } from "../util/append.js";
import { VERSION } from "../version.js";
import { RuleRunner } from "./engine.js";
import type { FindingStore } from "./finding-store.js";
import { type LoadedPlugins, loadPlugins, loadPluginsSync } from "./plugins.js";
import { checkInlineSuppressions } from "./suppression.js";
import type { Finding, ReportStats, ScanError, ScanReport } from "./types.js";

/** The rules a run judges with (built-in, the policy's own, plugins) and the policy that configures them. */
export interface RuleSet {
  policy: Policy;
  rules: readonly Rule[];
  errors: ScanError[];
}

export interface LoadRuleSetOptions {
  cwd: string;
  /** The report root, that policy and plugin files are shown relative to (default: cwd). */
  root?: string;
  /** --config FILE; default ./rdsguard.yaml when present. */
  configPath?: string;
  /** --plugin PATH (relative to cwd), loaded with the policy's own plugins. */
  plugins?: readonly string[];
  /**
   * Plugins named by a policy rdsguard found itself (./rdsguard.yaml, not --config) run only with this
   * (--allow-plugins); the CDK Aspect and plugin pass it, since there the app is the user's own code.
   */
  allowPlugins?: boolean;
  /** configPath was found rather than given (`rdsguard test POLICY_DIR`): its plugins are trusted like ./rdsguard.yaml's. */
  configDiscovered?: boolean;
}

/** rules.yaml layered with the user's policy, its custom rules and plugins, validated against the rules that exist. */
export async function loadRuleSet(opts: LoadRuleSetOptions): Promise<RuleSet> {
  const sources = readPolicySources(opts);
  const { refs, errors } = allPluginRefs(sources, opts);
  return assembleRuleSet(sources, await loadPlugins(refs, builtinIds(), opts.root ?? opts.cwd), errors);
}

/** The same, for callers that cannot wait (a CDK Aspect runs synchronously inside synth). */
export function loadRuleSetSync(opts: LoadRuleSetOptions): RuleSet {
  const sources = readPolicySources(opts);
  const { refs, errors } = allPluginRefs(sources, opts);
  return assembleRuleSet(sources, loadPluginsSync(refs, builtinIds(), opts.root ?? opts.cwd), errors);
}

export function builtinIds(): string[] {
  return allRules.map((r) => r.meta.id);
}

/**
 * The policy's plugins it may run (src/policy/trust.ts), then --plugin ones; a module named twice (policy and command
 * line) is loaded once.
 */
function allPluginRefs(
  sources: readonly PolicySource[],
  opts: LoadRuleSetOptions,
): { refs: PluginRef[]; errors: ScanError[] } {
  const trusted = trustedPluginRefs(sources, {
    policyGiven: opts.configPath !== undefined && !opts.configDiscovered,
    allowPlugins: opts.allowPlugins ?? false,
  });
  return { refs: withCommandLinePlugins(trusted.refs, opts), errors: trusted.errors };
}

/** `refs` and then the --plugin ones, each module once. */
export function withCommandLinePlugins(
  refs: readonly PluginRef[],
  opts: Pick<LoadRuleSetOptions, "cwd" | "plugins">,
): PluginRef[] {
  const all = [...refs, ...(opts.plugins ?? []).map((spec) => ({ spec, path: resolve(opts.cwd, spec) }))];
  return all.filter((ref, i) => all.findIndex((other) => other.path === ref.path) === i);
}

export function assembleRuleSet(
  sources: readonly PolicySource[],
  plugins: LoadedPlugins,
  refused: readonly ScanError[] = [],
): RuleSet {
  const known = [...allRules, ...plugins.rules];
  const { policy, errors } = buildPolicy(sources, {
    ruleIds: known.map((r) => r.meta.id),
    parameters: Object.fromEntries(known.map((r) => [r.meta.id, r.meta.parameters])),
  });
  const rules = [...allRules, ...policy.customRules.map(compileCustomRule), ...plugins.rules];
  return { policy, rules, errors: [...refused, ...plugins.errors, ...errors] };
}

/** Rules enabled for at least one profile: the ones a report describes (SARIF tool.driver.rules). */
export function enabledRules(policy: Policy, rules: readonly Rule[] = allRules): RuleMeta[] {
  const profiles = [BUILTIN_DEFAULT_PROFILE, policy.defaultProfile, ...policy.profiles.map((p) => p.name)];
  return rules
    .map((r) => r.meta)
    .filter((meta) => profiles.some((profile) => effectiveRuleSettings(policy, meta, profile).enabled));
}

export interface JudgeOptions {
  policy: Policy;
  /** Default: the built-in rules. */
  rules?: readonly Rule[];
  strict: boolean;
  now: Date;
  /**
   * Keep the findings here (compact, spilled to a temporary file when large) instead of in `findings`: the CLI's
   * way, so memory stays flat. The report's `findings` is then empty and the store is read by the reporters.
   */
  store?: FindingStore;
}

/** What judge() added for some models, as another thread hands it over (see Judge.absorb). */
export interface JudgedModels {
  findings: readonly Finding[];
  errors: readonly ScanError[];
  resources: number;
  templatesWithDatabases: number;
}

/** Judges models as they come, so they need not be kept, and accumulates findings and errors. */
export class Judge {
  /** The findings, unless the options gave a store. */
  readonly findings: Finding[] = [];
  readonly errors: ScanError[] = [];
  readonly store: FindingStore | undefined;
  private resources = 0;
  private templatesWithDatabases = 0;

  private readonly rules: readonly Rule[];
  private readonly runner: RuleRunner;

  constructor(private readonly options: JudgeOptions) {
    this.rules = options.rules ?? allRules;
    this.store = options.store;
    const { policy, strict, now } = options;
    this.runner = new RuleRunner({ rules: this.rules, policy, strict, now, onRuleError: (e) => this.errors.push(e) });
  }

  /** Adds findings judged elsewhere (the policy gate's, a worker's), after those judged so far. */
  addFindings(items: Iterable<Finding>): void {
    if (this.store) this.store.addAll(items);
    else appendAll(this.findings, items);
  }

  /** The findings with an inline waiver (what the policy gate compares with the base version). */
  inlineWaivedFindings(): Finding[] {
    return this.store
      ? this.store.inlineWaivedFindings()
      : this.findings.filter((f) => f.suppression?.kind === "inline");
  }

  /** Judges one model; a template model also has its inline waivers checked (a waiver without a reason is an error). */
  judge(model: Model): void {
    if (model.resources.size === 0) return;
    this.resources += model.resources.size;
    const store = this.store;
    const findings = this.findings;
    this.runner.run([model], store ? (f) => store.add(f) : (f) => findings.push(f));
    if (model.source === "template") {
      this.templatesWithDatabases++;
      appendAll(
        this.errors,
        checkInlineSuppressions(
          [model],
          this.rules.map((r) => r.meta.id),
        ),
      );
    }
  }

  /**
   * Takes models another thread already judged with the same policy and rules (`scan --jobs`): their findings and
   * errors in the order judge() would have produced them, and how many resources and database templates they held.
   */
  absorb(judged: JudgedModels): void {
    this.addFindings(judged.findings);
    appendAll(this.errors, judged.errors);
    this.resources += judged.resources;
    this.templatesWithDatabases += judged.templatesWithDatabases;
  }

  /** The report; with a store, its `findings` is empty (the findings are the store's). */
  report(
    meta: { kind: ScanReport["kind"]; startedAt: Date; root: string },
    stats: Pick<ReportStats, "filesScanned"> & Partial<ReportStats>,
  ): ScanReport {
    const finishedAt = new Date();
    return {
      schemaVersion: 1,
      tool: { name: "rdsguard", version: VERSION },
      kind: meta.kind,
      startedAt: meta.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      root: meta.root,
      rules: enabledRules(this.options.policy, this.rules),
      findings: this.findings,
      errors: this.errors,
      stats: {
        templatesWithDatabases: this.templatesWithDatabases,
        resources: this.resources,
        durationMs: finishedAt.getTime() - meta.startedAt.getTime(),
        ...stats,
      },
    };
  }
}
