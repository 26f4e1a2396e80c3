/**
 * Loads the policy: rules.yaml shipped with the package, then the user's file on top (--config FILE, else
 * ./rdsguard.yaml when present). Each file is validated against the schema and every problem comes back as a
 * ScanError{kind:"policy"} naming file:line:col. A file with errors is not applied, except that a faulty waiver
 * only drops that waiver (it is reported, never honoured); the caller exits 2 on any error.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ScanError } from "../model/errors.js";
import type { SourceLocation } from "../model/types.js";
import type { CustomRuleSpec } from "../rules/declarative/spec.js";
import type { RuleParameter } from "../rules/types.js";
import { displayPath } from "../util/display-path.js";
import { normalizePath } from "../util/glob.js";
import { packagePath } from "../util/package-root.js";
import { readTextFileSync } from "../util/read-file.js";
import { checkCustomRules } from "./custom-rules.js";
import { type LocatedYaml, locatedFromTree, type NodePosition, parseLocatedYaml } from "./locate.js";
import { compilePolicyValidator, explainError, type RuleCatalogue, renderPath } from "./schema.js";
import { SHIPPED_POLICY } from "./shipped-policy.js";
import {
  BUILTIN_DEFAULT_PROFILE,
  type PluginRef,
  type Policy,
  type PolicyProfile,
  type PolicyWaiver,
  type ProfileMatch,
  type RuleSettingsOverride,
} from "./types.js";

export interface LoadPolicyOptions {
  /** --config FILE (relative to cwd). */
  configPath?: string;
  cwd: string;
  /** Ids of the rules that exist; any other id in the policy is an error. */
  ruleIds: readonly string[];
  /** Declared parameters per rule id, so parameter names and types are checked with their line. */
  parameters?: Readonly<Record<string, readonly RuleParameter[]>>;
}

/** A policy file read and parsed as YAML, not yet validated. */
export interface PolicySource {
  /** As shown to users and in reports: relative to the report root (default: the working directory) when inside it. */
  file: string;
  absolute: string;
  shipped: boolean;
  /** The parsed file with positions, when it could be read and is valid YAML. */
  yaml?: LocatedYaml;
  /** Its content as plain data (parsed once, read by every step). */
  value?: unknown;
  /** Read and YAML errors; a source with any is not applied. */
  errors: ScanError[];
}

export const USER_POLICY_FILE = "rdsguard.yaml";

/** rules.yaml at the package root. */
export function shippedPolicyPath(): string {
  return packagePath("rules.yaml");
}

export function emptyPolicy(): Policy {
  return {
    version: 1,
    defaultProfile: BUILTIN_DEFAULT_PROFILE,
    rules: {},
    profiles: [],
    waivers: [],
    stackTemplates: {},
    customRules: [],
    plugins: [],
    files: [],
  };
}

export function loadPolicy(opts: LoadPolicyOptions): { policy: Policy; errors: ScanError[] } {
  return buildPolicy(readPolicySources(opts), opts);
}

/** Reads rules.yaml and the user's file (--config FILE, else ./rdsguard.yaml when present) and parses them. */
export function readPolicySources(opts: { cwd: string; configPath?: string; root?: string }): PolicySource[] {
  const shipped = shippedPolicyPath();
  const files = [shipped];
  if (opts.configPath !== undefined) files.push(resolve(opts.cwd, opts.configPath));
  else if (existsSync(resolve(opts.cwd, USER_POLICY_FILE))) files.push(resolve(opts.cwd, USER_POLICY_FILE));
  return files.map((absolute) => {
    // Shown like the templates, relative to the report root: GitHub places a SARIF result by repository path.
    const file = displayPath(absolute, opts.root ?? opts.cwd);
    const source: PolicySource = { file, absolute, shipped: absolute === shipped, errors: [] };
    if (source.shipped) return shippedSource(source);
    const read = readTextFileSync(absolute);
    if (!read.ok) {
      source.errors.push({ kind: "policy", file, message: `cannot read policy file ${file}: ${read.message}` });
      return source;
    }
    return parsePolicyText(source, read.text);
  });
}

/**
 * rules.yaml as compiled at build time (src/policy/shipped-policy.ts, from scripts/compile-policy.mjs): its value
 * and the positions of its nodes, so a run reads no YAML for it; test/policy/shipped-policy.test.ts checks that
 * the compiled form is what parsing rules.yaml gives. The value is copied: callers may hold on to its parts.
 */
function shippedSource(source: PolicySource): PolicySource {
  const value = structuredClone(SHIPPED_POLICY.value);
  source.yaml = locatedFromTree(value, SHIPPED_POLICY.positions, source.file);
  source.value = value;
  return source;
}

/** Parses a policy file's text into `source` (read from disk, or from a git ref by src/policy/git-policy.ts). */
export function parsePolicyText(source: PolicySource, text: string): PolicySource {
  const yaml = parseLocatedYaml(text, source.file, "policy");
  if (yaml.errors.length > 0) {
    source.errors.push(...yaml.errors);
    return source;
  }
  source.yaml = yaml;
  source.value = yaml.value;
  return source;
}

/**
 * The plugins the policy files name, resolved against each file's directory. Read before validation because a
 * plugin's rule ids are part of what the policy is validated against.
 */
export function pluginRefs(sources: readonly PolicySource[]): PluginRef[] {
  const refs: PluginRef[] = [];
  for (const source of sources) {
    const yaml = source.yaml;
    const raw = (source.value as { plugins?: unknown } | null | undefined)?.plugins;
    if (!yaml || !Array.isArray(raw)) continue;
    raw.forEach((spec, i) => {
      if (typeof spec !== "string" || spec.trim() === "") return;
      const pos = yaml.position(["plugins", String(i)]);
      refs.push({
        spec,
        path: resolve(dirname(source.absolute), spec),
        ...(pos ? { loc: { file: source.file, ...pos } } : {}),
      });
    });
  }
  return refs;
}

/** Ids of the rules the policy files define themselves (customRules), so settings and waivers may name them. */
function customRuleIds(sources: readonly PolicySource[]): string[] {
  const ids: string[] = [];
  for (const source of sources) {
    const raw = (source.value as { customRules?: unknown } | null | undefined)?.customRules;
    if (!Array.isArray(raw)) continue;
    for (const entry of raw) {
      const id = (entry as { id?: unknown } | null)?.id;
      if (typeof id === "string" && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

/** Validates and layers parsed policy files; `ruleIds` are the rules that exist besides the policy's own. */
export function buildPolicy(
  sources: readonly PolicySource[],
  opts: Pick<LoadPolicyOptions, "ruleIds" | "parameters">,
): { policy: Policy; errors: ScanError[] } {
  const customIds = customRuleIds(sources).filter((id) => !opts.ruleIds.includes(id));
  const catalogue: RuleCatalogue = { ruleIds: [...opts.ruleIds, ...customIds], parameters: opts.parameters };
  // Compiling the schema is most of the start-up cost, so it happens only for a user's file: the shipped
  // rules.yaml is validated by the test suite (test/policy/rules-yaml.test.ts), not on every run.
  let compiled: ReturnType<typeof compilePolicyValidator> | undefined;
  const validator = () => {
    compiled ??= compilePolicyValidator(catalogue);
    return compiled;
  };

  let policy = emptyPolicy();
  let defaultProfileSetAt: SourceLocation | undefined;
  const errors: ScanError[] = [];
  const defined = new Map<string, SourceLocation | undefined>();
  for (const source of sources) {
    errors.push(...source.errors);
    if (!source.yaml) continue;
    const parsed = parseLayer(source, source.shipped ? undefined : validator(), catalogue, {
      builtinIds: opts.ruleIds,
      defined,
    });
    errors.push(...parsed.errors);
    if (!parsed.layer) continue;
    policy = mergeLayer(policy, parsed.layer);
    policy.files.push(source.file);
    if (parsed.layer.defaultProfile) defaultProfileSetAt = parsed.layer.defaultProfile.loc;
  }

  if (
    policy.defaultProfile !== BUILTIN_DEFAULT_PROFILE &&
    !policy.profiles.some((p) => p.name === policy.defaultProfile)
  ) {
    errors.push({
      kind: "policy",
      message: `defaultProfile "${policy.defaultProfile}" names no profile; defined profiles: ${[
        BUILTIN_DEFAULT_PROFILE,
        ...policy.profiles.map((p) => p.name),
      ].join(", ")}`,
      ...defaultProfileSetAt,
    });
    policy.defaultProfile = BUILTIN_DEFAULT_PROFILE;
  }
  return { policy, errors };
}

/** One policy file, validated and normalized. */
interface PolicyLayer {
  defaultProfile?: { name: string; loc?: SourceLocation };
  rules: Record<string, RuleSettingsOverride>;
  profiles: PolicyProfile[];
  waivers: PolicyWaiver[];
  stackTemplates: Record<string, string>;
  customRules: CustomRuleSpec[];
  plugins: PluginRef[];
}

interface RawProfile {
  name: string;
  description?: string;
  match?: { tags?: Record<string, string | string[]>; stackNames?: string[]; accounts?: string[]; paths?: string[] };
  rules?: Record<string, RuleSettingsOverride>;
}

interface RawPolicy {
  version: 1;
  defaultProfile?: string;
  rules?: Record<string, RuleSettingsOverride>;
  profiles?: RawProfile[];
  waivers?: Array<{ rule: string; resource: string; reason: string; expires?: string }>;
  stackTemplates?: Record<string, string>;
  customRules?: unknown[];
  plugins?: string[];
}

/** What a layer is checked against beyond the schema: the rules that exist and the custom ids seen so far. */
interface LayerContext {
  builtinIds: readonly string[];
  /** Custom rule id -> where it is defined, across layers. */
  defined: Map<string, SourceLocation | undefined>;
}

function parseLayer(
  source: PolicySource,
  validate: ReturnType<typeof compilePolicyValidator> | undefined,
  catalogue: RuleCatalogue,
  context: LayerContext,
): { layer?: PolicyLayer; errors: ScanError[] } {
  const { at, position } = source.yaml as LocatedYaml;
  const file = source.file;
  const value: unknown = dropEmptySections(source.value);

  const errors: ScanError[] = [];
  const badWaivers = new Set<number>();
  const badCustomRules = new Set<number>();
  let fatal = false;
  if (validate && !validate(value)) {
    for (const error of validate.errors ?? []) {
      const target = explainError(error, catalogue);
      errors.push({ kind: "policy", message: target.message, ...at(target.path, target.key) });
      // A faulty waiver or custom rule is dropped (and reported); anything else makes the file unusable.
      if (target.path[0] === "waivers" && target.path.length >= 2) badWaivers.add(Number(target.path[1]));
      else if (target.path[0] === "customRules" && target.path.length >= 2) badCustomRules.add(Number(target.path[1]));
      else fatal = true;
    }
  }
  const raw = value as RawPolicy;
  if (!fatal) {
    const seen = new Set<string>();
    (raw.profiles ?? []).forEach((profile, i) => {
      if (seen.has(profile.name)) {
        const path = ["profiles", String(i), "name"];
        errors.push({
          kind: "policy",
          message: `${renderPath(path)}: profile "${profile.name}" is defined twice`,
          ...at(path),
        });
        fatal = true;
      }
      seen.add(profile.name);
    });
  }
  let customRules: CustomRuleSpec[] = [];
  if (!fatal) {
    const checked = checkCustomRules(raw.customRules ?? [], badCustomRules, {
      file,
      at,
      builtinIds: context.builtinIds,
      defined: context.defined,
    });
    customRules = checked.rules;
    errors.push(...checked.errors);
  }
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (fatal) return { errors };
  return {
    layer: { ...normalizeLayer(raw, position, file, badWaivers), customRules, plugins: pluginRefs([source]) },
    errors,
  };
}

/** A section left empty (`waivers:` with every entry commented out) means the same as no section. */
function dropEmptySections(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out = { ...(value as Record<string, unknown>) };
  for (const key of ["rules", "profiles", "waivers", "stackTemplates", "customRules", "plugins"]) {
    if (out[key] === null) delete out[key];
  }
  if (Array.isArray(out.profiles)) {
    out.profiles = out.profiles.map((p: unknown) => {
      if (p === null || typeof p !== "object" || (p as Record<string, unknown>).rules !== null) return p;
      const { rules: _, ...rest } = p as Record<string, unknown>;
      return rest;
    });
  }
  return out;
}

function normalizeLayer(
  raw: RawPolicy,
  position: (path: readonly string[]) => NodePosition | undefined,
  file: string,
  badWaivers: ReadonlySet<number>,
): Omit<PolicyLayer, "customRules" | "plugins"> {
  const locOf = (path: string[]): SourceLocation | undefined => {
    const pos = position(path);
    return pos ? { file, ...pos } : undefined;
  };
  const waivers: PolicyWaiver[] = [];
  (raw.waivers ?? []).forEach((w, i) => {
    if (badWaivers.has(i)) return;
    waivers.push({
      rule: w.rule,
      resource: w.resource,
      reason: w.reason.trim(),
      ...(w.expires !== undefined ? { expires: w.expires } : {}),
      loc: locOf(["waivers", String(i)]),
    });
  });
  return {
    ...(raw.defaultProfile !== undefined
      ? { defaultProfile: { name: raw.defaultProfile, loc: locOf(["defaultProfile"]) } }
      : {}),
    rules: raw.rules ?? {},
    profiles: (raw.profiles ?? []).map((p) => ({
      name: p.name,
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(p.match !== undefined ? { match: normalizeMatch(p.match) } : {}),
      rules: p.rules ?? {},
    })),
    waivers,
    stackTemplates: Object.fromEntries(
      Object.entries(raw.stackTemplates ?? {}).map(([stack, path]) => [stack, normalizePath(path)]),
    ),
  };
}

function normalizeMatch(match: NonNullable<RawProfile["match"]>): ProfileMatch {
  const out: ProfileMatch = {};
  if (match.tags) {
    out.tags = Object.fromEntries(
      Object.entries(match.tags).map(([key, values]) => [key, typeof values === "string" ? [values] : values]),
    );
  }
  if (match.stackNames) out.stackNames = match.stackNames;
  if (match.accounts) out.accounts = match.accounts;
  if (match.paths) out.paths = match.paths.map(normalizePath);
  return out;
}

function mergeRules(
  base: Record<string, RuleSettingsOverride>,
  top: Record<string, RuleSettingsOverride>,
): Record<string, RuleSettingsOverride> {
  const out: Record<string, RuleSettingsOverride> = { ...base };
  for (const [id, settings] of Object.entries(top)) {
    const under = base[id] ?? {};
    out[id] = {
      ...under,
      ...settings,
      ...(under.parameters || settings.parameters
        ? { parameters: { ...under.parameters, ...settings.parameters } }
        : {}),
    };
  }
  return out;
}

/**
 * The upper file wins: its rule settings override key by key, a profile it names again keeps the lower file's
 * match unless it gives its own, and its profiles are tried before the remaining lower ones.
 */
function mergeLayer(base: Policy, layer: PolicyLayer): Policy {
  const topNames = new Set(layer.profiles.map((p) => p.name));
  const profiles: PolicyProfile[] = layer.profiles.map((top) => {
    const under = base.profiles.find((p) => p.name === top.name);
    if (!under) return top;
    return {
      name: top.name,
      ...((top.description ?? under.description) !== undefined
        ? { description: top.description ?? under.description }
        : {}),
      ...((top.match ?? under.match) ? { match: top.match ?? under.match } : {}),
      rules: mergeRules(under.rules, top.rules),
    };
  });
  profiles.push(...base.profiles.filter((p) => !topNames.has(p.name)));
  return {
    version: 1,
    defaultProfile: layer.defaultProfile?.name ?? base.defaultProfile,
    rules: mergeRules(base.rules, layer.rules),
    profiles,
    waivers: [...base.waivers, ...layer.waivers],
    stackTemplates: { ...base.stackTemplates, ...layer.stackTemplates },
    customRules: [...base.customRules, ...layer.customRules],
    plugins: [...base.plugins, ...layer.plugins],
    files: [...base.files],
  };
}
