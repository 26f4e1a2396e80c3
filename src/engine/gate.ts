/**
 * The gate's own integrity, for `scan` and `audit`:
 * - `--policy-ref REF`: the policy (and the plugins it names) is read from a git ref, not the working tree;
 * - `--policy-base REF|FILE`: the working tree's policy is compared with the base's, and every weakening
 *   (src/policy/compare.ts), every new or changed plugin and, for a ref, every inline Metadata waiver the base's
 *   template does not have becomes a finding of a gate rule (src/engine/gate-rules.ts) at its line. Plugins the base
 *   does not have are never run. `--allow-policy-changes` keeps the findings in the report, accepted.
 * Without these options this is loadRuleSet.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Model } from "../model/types.js";
import { comparePolicies, POLICY_WEAKENED, type PolicyChange, WAIVER_ADDED } from "../policy/compare.js";
import { isTracked, readAtCommit, repoPath } from "../policy/git.js";
import { buildPolicy, type PolicySource, pluginRefs, readPolicySources, USER_POLICY_FILE } from "../policy/load.js";
import { materializeRefPlugins, openRef, type RefView, readRefPlugin, readRefPolicySources } from "../policy/ref.js";
import { trustedPluginRefs } from "../policy/trust.js";
import type { PluginRef, Policy } from "../policy/types.js";
import { compileCustomRule } from "../rules/declarative/index.js";
import type { Rule, RuleMeta } from "../rules/types.js";
import { displayPath } from "../util/display-path.js";
import { readRegularFileSync } from "../util/read-file.js";
import { runRules } from "./engine.js";
import { GATE_RULES } from "./gate-rules.js";
import { loadPlugins } from "./plugins.js";
import {
  assembleRuleSet,
  builtinIds,
  type LoadRuleSetOptions,
  loadRuleSet,
  type RuleSet,
  withCommandLinePlugins,
} from "./report.js";
import type { Finding, ScanError } from "./types.js";

export interface GateOptions extends LoadRuleSetOptions {
  /** --policy-ref REF: judge with the policy as REF has it. */
  policyRef?: string;
  /** --policy-base REF|FILE: report how the working tree's policy weakens this one. */
  policyBase?: string;
  /** --allow-policy-changes: the gate findings are reported as accepted and do not fail the gate. */
  allowPolicyChanges?: boolean;
  /** Where the git repository is looked for: the first scanned path (default: cwd). */
  repoDir?: string;
}

export interface GateRuleSet extends RuleSet {
  /** Findings of the gate rules about the policy itself (none without --policy-base). */
  findings: Finding[];
  /** The gate rules, for the report's rule list; empty without --policy-base. */
  gateRules: readonly Rule[];
  /**
   * Findings of waiver-added for inline waivers that suppress one of `findings` and that the base's version of the
   * template does not have (--policy-base REF only; generated templates git does not track are not compared).
   */
  newInlineWaivers(findings: readonly Finding[], options: InlineWaiverOptions): Finding[];
}

export interface InlineWaiverOptions {
  strict: boolean;
  now: Date;
  /** The directory the scan's file paths are relative to (--root). */
  root: string;
  /** The model of a template's base version (`file` as the scan shows it): the caller's scanner, same options. */
  modelOf(text: string, file: string): Model | undefined;
}

const NO_INLINE: GateRuleSet["newInlineWaivers"] = () => [];

/** GateOptions from parsed --policy-ref/--policy-base/--allow-policy-changes. */
export function gateOptions(values: {
  "policy-ref"?: string;
  "policy-base"?: string;
  "allow-policy-changes"?: boolean;
}): Pick<GateOptions, "policyRef" | "policyBase" | "allowPolicyChanges"> {
  return {
    ...(values["policy-ref"] !== undefined ? { policyRef: values["policy-ref"] } : {}),
    ...(values["policy-base"] !== undefined ? { policyBase: values["policy-base"] } : {}),
    allowPolicyChanges: values["allow-policy-changes"] ?? false,
  };
}

/** The directory the repository is looked for from: the first scanned path's (a file's parent), else cwd. */
export function gateRepoDir(paths: readonly string[], cwd: string): string {
  const first = paths[0];
  if (first === undefined) return cwd;
  const absolute = resolve(cwd, first);
  try {
    return statSync(absolute).isDirectory() ? absolute : dirname(absolute);
  } catch {
    return cwd;
  }
}

export async function loadGate(opts: GateOptions): Promise<GateRuleSet> {
  if (opts.policyRef === undefined && opts.policyBase === undefined) {
    return { ...(await loadRuleSet(opts)), findings: [], gateRules: [], newInlineWaivers: NO_INLINE };
  }
  const repoDir = opts.repoDir ?? opts.cwd;
  const errors: ScanError[] = [];
  const headSources = readPolicySources(opts);
  const headUser = headSources.find((s) => !s.shipped);

  // The base, when comparing: a policy file, or the policy as a ref has it.
  let base: { sources: PolicySource[]; label: string; view?: RefView } | undefined;
  if (opts.policyBase !== undefined) {
    const asFile = resolve(opts.cwd, opts.policyBase);
    if (isFile(asFile)) {
      base = {
        sources: readPolicySources({ ...opts, configPath: asFile }),
        label: displayPath(asFile, opts.root ?? opts.cwd),
      };
    } else {
      const opened = openRef(repoDir, opts.policyBase, "--policy-base");
      if (!opened.view) return failed(opened.error, opts.policyBase, opts.cwd);
      base = {
        sources: readRefPolicySources(opened.view, opts, "--policy-base"),
        label: opts.policyBase,
        view: opened.view,
      };
    }
  }

  // What judges: the ref's policy and plugins, or the working tree's (only plugins the base has, when comparing).
  let judgedSources = headSources;
  let refs: PluginRef[];
  let cleanup = () => {};
  const pluginChanges = base ? comparePlugins(headSources, base) : [];
  if (opts.policyRef !== undefined) {
    const opened =
      opts.policyRef === base?.label && base.view
        ? { view: base.view }
        : openRef(repoDir, opts.policyRef, "--policy-ref");
    if (!opened.view) return failed(opened.error, opts.policyRef, opts.cwd);
    judgedSources = opened.view === base?.view ? base.sources : readRefPolicySources(opened.view, opts, "--policy-ref");
    const copied = materializeRefPlugins(opened.view, pluginRefs(judgedSources));
    errors.push(...copied.errors);
    refs = withCommandLinePlugins(copied.refs, opts);
    cleanup = copied.cleanup;
  } else {
    const trusted = trustedPluginRefs(headSources, {
      policyGiven: opts.configPath !== undefined && !opts.configDiscovered,
      allowPlugins: opts.allowPlugins ?? false,
    });
    errors.push(...trusted.errors);
    // A plugin the base does not have is never run, not even with --allow-policy-changes: it is the change's code.
    const untrusted = new Set(pluginChanges.map((c) => c.path));
    refs = withCommandLinePlugins(
      trusted.refs.filter((r) => !untrusted.has(r.path)),
      opts,
    );
  }
  let judged: RuleSet;
  try {
    judged = assembleRuleSet(judgedSources, await loadPlugins(refs, builtinIds(), opts.root ?? opts.cwd), errors);
  } finally {
    cleanup();
  }
  if (!base) return { ...judged, findings: [], gateRules: [], newInlineWaivers: NO_INLINE };

  // The comparison: both policies built against every rule that exists (a rule only a new plugin defines is
  // accepted by name, since that plugin is not run).
  const known = judged.rules.map((r) => r.meta);
  const head = opts.policyRef !== undefined ? lenientPolicy(headSources, known) : { policy: judged.policy, errors: [] };
  const basePolicy = lenientPolicy(base.sources, known);
  const compareErrors = [...head.errors, ...basePolicy.errors].filter(
    (e) => !judged.errors.some((j) => j.message === e.message && j.file === e.file && j.line === e.line),
  );
  const rules = withCustomRules(known, [head.policy, basePolicy.policy]);
  const changes = [
    ...comparePolicies({
      base: basePolicy.policy,
      head: head.policy,
      ...(headUser ? { headSource: headUser } : {}),
      baseLabel: base.label,
      rules,
    }),
    ...pluginChanges.map((c) => c.change),
  ];
  const accepted = opts.allowPolicyChanges ?? false;
  const view = base.view;
  return {
    ...judged,
    errors: [...judged.errors, ...compareErrors],
    findings: changes.map((c) => changeFinding(c, accepted)),
    gateRules: GATE_RULES,
    newInlineWaivers: view
      ? (findings, options) => newInlineWaivers(findings, { ...options, view, judged, cwd: opts.cwd, accepted })
      : NO_INLINE,
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A ref that cannot be read: the run reports the error (exit 2); the built-in rules judge with the defaults. */
function failed(error: ScanError | undefined, ref: string, cwd: string): GateRuleSet {
  const ruleSet = assembleRuleSet(
    readPolicySources({ cwd }).filter((s) => s.shipped),
    { rules: [], errors: [] },
    [error ?? { kind: "policy", message: `cannot read the policy from ${ref}` }],
  );
  return { ...ruleSet, findings: [], gateRules: [], newInlineWaivers: NO_INLINE };
}

/** A policy built for comparison: rule ids nothing here defines (a new plugin's) are accepted by name. */
function lenientPolicy(
  sources: readonly PolicySource[],
  known: readonly RuleMeta[],
): { policy: Policy; errors: ScanError[] } {
  const ids = new Set(known.map((m) => m.id));
  for (const source of sources) {
    const value = source.value as { rules?: unknown; profiles?: unknown; waivers?: unknown } | null | undefined;
    const maps = [
      value?.rules,
      ...(Array.isArray(value?.profiles) ? value.profiles.map((p) => (p as { rules?: unknown } | null)?.rules) : []),
    ];
    for (const map of maps) if (map && typeof map === "object") for (const id of Object.keys(map)) ids.add(id);
    if (Array.isArray(value?.waivers)) {
      for (const w of value.waivers) {
        const rule = (w as { rule?: unknown } | null)?.rule;
        if (typeof rule === "string" && rule !== "*") ids.add(rule);
      }
    }
  }
  return buildPolicy(sources, {
    ruleIds: [...ids],
    parameters: Object.fromEntries(known.map((m) => [m.id, m.parameters])),
  });
}

/** The known rules plus the custom rules either policy defines (a removed custom rule is still compared). */
function withCustomRules(known: readonly RuleMeta[], policies: readonly Policy[]): RuleMeta[] {
  const out = [...known];
  for (const policy of policies) {
    for (const spec of policy.customRules) {
      if (!out.some((m) => m.id === spec.id)) out.push(compileCustomRule(spec).meta);
    }
  }
  return out;
}

/** Plugins the working tree's policy names that the base's does not, or whose file differs from the base's. */
function comparePlugins(
  headSources: readonly PolicySource[],
  base: { sources: PolicySource[]; label: string; view?: RefView },
): { path: string; change: PolicyChange }[] {
  const baseRefs = pluginRefs(base.sources);
  const out: { path: string; change: PolicyChange }[] = [];
  for (const ref of pluginRefs(headSources)) {
    const loc = ref.loc ?? { file: headSources.find((s) => !s.shipped)?.file ?? USER_POLICY_FILE, line: 1, column: 1 };
    const named = baseRefs.some((b) => b.path === ref.path);
    let changed = false;
    if (named) {
      const baseContent = base.view ? readRefPlugin(base.view, ref).content : readOrUndefined(ref.path);
      const headContent = readOrUndefined(ref.path);
      changed = baseContent === undefined || headContent === undefined || !baseContent.equals(headContent);
    }
    if (named && !changed) continue;
    out.push({
      path: ref.path,
      change: {
        ruleId: POLICY_WEAKENED,
        subject: `plugins:${ref.spec}`,
        message: `${named ? "plugin file changed" : "new plugin"} relative to ${base.label}: ${ref.spec} (plugins run code; it was not loaded)`,
        loc,
      },
    });
  }
  return out;
}

/** A plugin file's bytes, or undefined when it is not a readable regular file (a link to /dev/zero in the change). */
function readOrUndefined(path: string): Buffer | undefined {
  const read = readRegularFileSync(path);
  return read.ok ? read.buffer : undefined;
}

function hash(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

const ACCEPTED = { kind: "policy" as const, reason: "policy change accepted with --allow-policy-changes" };

function changeFinding(change: PolicyChange, accepted: boolean): Finding {
  const meta = GATE_RULES.find((r) => r.meta.id === change.ruleId)?.meta;
  return {
    ruleId: change.ruleId,
    severity: meta?.severity ?? "high",
    verdict: "fail",
    message: change.message,
    resource: {
      id: change.subject,
      name: change.loc.file,
      kind: "policy",
      origin: { source: "template", file: change.loc.file },
    },
    location: change.loc,
    profile: "-",
    fingerprint: hash([change.ruleId, change.loc.file, change.subject]),
    ...(accepted ? { suppression: ACCEPTED } : {}),
  };
}

interface InlineContext extends InlineWaiverOptions {
  view: RefView;
  judged: RuleSet;
  cwd: string;
  accepted: boolean;
}

function newInlineWaivers(findings: readonly Finding[], c: InlineContext): Finding[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.suppression?.kind !== "inline" || f.resource.origin.source !== "template") continue;
    const file = f.resource.origin.file ?? f.location?.file;
    if (file === undefined) continue;
    byFile.set(file, [...(byFile.get(file) ?? []), f]);
  }
  const out: Finding[] = [];
  for (const [file, waived] of byFile) {
    const path = repoPath(c.view.repo, resolve(c.root, file));
    if (path === undefined) continue;
    const read = readRefTemplate(c.view, path);
    // A template git tracks on neither side is generated (cdk.out): there is no reviewed version to compare with.
    if (read === undefined && !isTracked(c.view.repo, path)) continue;
    const baseModel = read === undefined ? undefined : c.modelOf(read, file);
    const baseWaived = new Set(
      baseModel
        ? runRules([baseModel], { rules: c.judged.rules, policy: c.judged.policy, strict: c.strict, now: c.now })
            .filter((f) => f.suppression?.kind === "inline")
            .map((f) => f.fingerprint)
        : [],
    );
    for (const f of waived) {
      if (baseWaived.has(f.fingerprint) || inlineCovered(baseModel, f)) continue;
      const { suppression, expiredSuppression: _expired, baselineState: _state, ...rest } = f;
      out.push({
        ...rest,
        ruleId: WAIVER_ADDED,
        severity: GATE_RULES.find((r) => r.meta.id === WAIVER_ADDED)?.meta.severity ?? "high",
        verdict: "fail",
        message: `new inline waiver of ${f.ruleId} relative to ${c.view.ref}:${path}; reason given: ${JSON.stringify(suppression?.reason ?? "")}; it hides: ${f.message}`,
        location: suppression?.loc ?? f.location ?? { file, line: 1, column: 1 },
        fingerprint: hash([WAIVER_ADDED, f.fingerprint]),
        ...(c.accepted ? { suppression: ACCEPTED } : {}),
      });
    }
  }
  return out;
}

function readRefTemplate(view: RefView, path: string): string | undefined {
  const read = readAtCommit(view.repo, view.commit, path);
  return read.ok ? read.content.toString("utf8") : undefined;
}

/** Whether the base template already waived this rule on this resource, for no shorter a time. */
function inlineCovered(baseModel: Model | undefined, f: Finding): boolean {
  const resource = baseModel?.resources.get(f.resource.id);
  if (!resource) return false;
  const expires = f.suppression?.expires;
  return resource.suppressions.some(
    (s) =>
      (s.rule === "*" || s.rule === f.ruleId) &&
      (s.expires === undefined || (expires !== undefined && expires <= s.expires)),
  );
}
