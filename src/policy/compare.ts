/**
 * What a change to the policy gives away (`--policy-base`): the effective policy of the working tree is compared
 * with the base's, and each weakening becomes a PolicyChange at the line of the working tree's policy file that makes
 * it (or the nearest line that exists). Weakenings: a new or widened waiver, a disabled rule, a lowered severity, a
 * parameter moved the lenient way (RuleParameter.stricter; a parameter without it counts every change), a removed
 * or rewritten custom rule, a default profile or a profile match that hands resources weaker settings. New or
 * changed plugins are found by the caller, which can read their files. The engine turns changes into findings.
 */
import { isDeepStrictEqual } from "node:util";
import type { SourceLocation } from "../model/types.js";
import type { CustomRuleSpec } from "../rules/declarative/spec.js";
import { type RuleMeta, SEVERITIES } from "../rules/types.js";
import { anyGlobMatches } from "../util/glob.js";
import type { PolicySource } from "./load.js";
import { effectiveRuleSettings } from "./profile.js";
import type { EffectiveRuleSettings, Policy, PolicyWaiver, ProfileMatch } from "./types.js";

/** Ids of the findings policy changes become (their metadata: src/engine/gate-rules.ts). */
export const POLICY_WEAKENED = "policy-weakened";
export const WAIVER_ADDED = "waiver-added";

export interface PolicyChange {
  ruleId: typeof POLICY_WEAKENED | typeof WAIVER_ADDED;
  /** What changed, stable across line moves (part of the finding's identity), e.g. rules.iam-auth.enabled@default. */
  subject: string;
  message: string;
  loc: SourceLocation;
}

export interface PolicyComparison {
  base: Policy;
  head: Policy;
  /** The working tree's own policy file (not rules.yaml), for locations; undefined when it has none. */
  headSource?: PolicySource;
  /** How the base is named in messages: a git ref or a file. */
  baseLabel: string;
  /** Every rule either policy can configure (built-in, plugins, both policies' custom rules). */
  rules: readonly RuleMeta[];
}

export function comparePolicies(c: PolicyComparison): PolicyChange[] {
  const where = locator(c.headSource);
  return [
    ...waiverChanges(c, where),
    ...settingChanges(c, where),
    ...customRuleChanges(c, where),
    ...profileMatchChanges(c, where),
  ];
}

type Locator = (...paths: (readonly string[])[]) => SourceLocation;

/** The first path that exists in the working tree's policy file, else its nearest ancestor, else line 1. */
function locator(source: PolicySource | undefined): Locator {
  const file = source?.file ?? "rdsguard.yaml";
  return (...paths) => {
    const yaml = source?.yaml;
    if (!yaml) return { file, line: 1, column: 1 };
    const found = paths.find((p) => hasPath(source.value, p)) ?? paths[paths.length - 1] ?? [];
    const pos = yaml.position(found);
    return { file, ...(pos ?? { line: 1, column: 1 }) };
  };
}

function hasPath(value: unknown, path: readonly string[]): boolean {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return false;
    if (!Object.hasOwn(node, segment)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}

// --- waivers ---------------------------------------------------------------------------------------------------

function coversRule(outer: string, inner: string): boolean {
  return outer === "*" || outer === inner;
}

/** Whether a base waiver already allowed everything the head waiver allows: rule, resources and time. */
function covers(base: PolicyWaiver, head: PolicyWaiver): boolean {
  const lasts = base.expires === undefined || (head.expires !== undefined && head.expires <= base.expires);
  return coversRule(base.rule, head.rule) && anyGlobMatches([base.resource], [head.resource]) && lasts;
}

function describeWaiver(w: PolicyWaiver): string {
  return `${w.rule === "*" ? "every rule" : w.rule} on ${w.resource}${w.expires ? ` until ${w.expires}` : " with no expiry"}`;
}

function waiverChanges(c: PolicyComparison, where: Locator): PolicyChange[] {
  const changes: PolicyChange[] = [];
  c.head.waivers.forEach((w) => {
    if (c.base.waivers.some((b) => covers(b, w))) return;
    const before = c.base.waivers.find(
      (b) => b.resource === w.resource && (coversRule(w.rule, b.rule) || coversRule(b.rule, w.rule)),
    );
    changes.push({
      ruleId: WAIVER_ADDED,
      subject: `waivers:${w.rule}:${w.resource}`,
      message: before
        ? `waiver widened relative to ${c.baseLabel}: ${describeWaiver(w)} (was ${describeWaiver(before)}); reason given: ${JSON.stringify(w.reason)}`
        : `new waiver relative to ${c.baseLabel}: ${describeWaiver(w)}; reason given: ${JSON.stringify(w.reason)}`,
      loc: w.loc ?? where(["waivers"]),
    });
  });
  return changes;
}

// --- rule settings -------------------------------------------------------------------------------------------------

/** One way `head` is more lenient than `base` for a rule: which setting, and the sentence that says so. */
interface Weakening {
  /** "enabled", "severity" or "parameters.<name>". */
  setting: string;
  /** "backup-retention parameter minimumDays", "storage-encrypted severity", "deletion-protection". */
  what: string;
  was: string;
  now: string;
  /** Why the change counts, when that is not plain from the values. */
  note?: string;
}

/** "backup-retention parameter minimumDays changed from 7 to 3 (lower is more lenient)". */
function changed(w: Weakening): string {
  return `${w.what} ${w.setting === "enabled" ? "is disabled" : `changed from ${w.was} to ${w.now}`}${w.note ?? ""}`;
}

/** The same between two profiles: "backup-retention parameter minimumDays 1 instead of 3". */
function contrasted(w: Weakening): string {
  return `${w.what} ${w.setting === "enabled" ? "disabled instead of enabled" : `${w.now} instead of ${w.was}`}`;
}

function severityRank(s: string): number {
  return SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? "unset";
}

/** How `head` settings of one rule give away what `base` settings asked for. */
export function weakerSettings(meta: RuleMeta, base: EffectiveRuleSettings, head: EffectiveRuleSettings): Weakening[] {
  if (!base.enabled) return [];
  if (!head.enabled) return [{ setting: "enabled", what: meta.id, was: "enabled", now: "disabled" }];
  const out: Weakening[] = [];
  if (severityRank(head.severity) > severityRank(base.severity)) {
    out.push({ setting: "severity", what: `${meta.id} severity`, was: base.severity, now: head.severity });
  }
  const names = new Set([...Object.keys(base.params), ...Object.keys(head.params)]);
  for (const name of names) {
    const was = base.params[name];
    const now = head.params[name];
    if (isDeepStrictEqual(was, now)) continue;
    const stricter = meta.parameters.find((p) => p.name === name)?.stricter;
    let weaker: boolean;
    const isSeverity = (v: unknown) => typeof v === "string" && (SEVERITIES as readonly string[]).includes(v);
    if (stricter === "higher" || stricter === "lower") {
      weaker =
        typeof was === "number" && typeof now === "number" ? (stricter === "higher" ? now < was : now > was) : true;
    } else if (stricter === undefined && isSeverity(was) && isSeverity(now)) {
      // A severity-valued parameter (engine-version's warningSeverity): lower is more lenient, as for severities.
      weaker = severityRank(now as RuleMeta["severity"]) > severityRank(was as RuleMeta["severity"]);
    } else if (typeof stricter === "boolean") {
      weaker = was === stricter && now !== stricter;
    } else weaker = true;
    if (!weaker) continue;
    const how =
      stricter === undefined
        ? " (this parameter does not declare which way is stricter, so every change counts)"
        : stricter === "higher"
          ? " (lower is more lenient)"
          : stricter === "lower"
            ? " (higher is more lenient)"
            : "";
    out.push({
      setting: `parameters.${name}`,
      what: `${meta.id} parameter ${name}`,
      was: show(was),
      now: show(now),
      ...(how ? { note: how } : {}),
    });
  }
  return out;
}

/** Paths in the policy file where a rule's setting may be written, most specific first. */
function settingPaths(head: Policy, profile: string, ruleId: string, setting: string): string[][] {
  const tail = setting.split(".");
  const index = head.profiles.findIndex((p) => p.name === profile);
  const paths: string[][] = [];
  if (index >= 0) paths.push(["profiles", String(index), "rules", ruleId, ...tail]);
  paths.push(["rules", ruleId, ...tail]);
  if (index >= 0) paths.push(["profiles", String(index), "rules", ruleId], ["profiles", String(index)]);
  paths.push(["rules", ruleId], ["rules"], []);
  return paths;
}

function settingChanges(c: PolicyComparison, where: Locator): PolicyChange[] {
  const pairs: { label: string; base: string; head: string; defaultChanged: boolean }[] = [];
  const baseNames = new Set(c.base.profiles.map((p) => p.name));
  for (const p of c.head.profiles) {
    if (baseNames.has(p.name)) pairs.push({ label: p.name, base: p.name, head: p.name, defaultChanged: false });
  }
  const defaultChanged = c.base.defaultProfile !== c.head.defaultProfile;
  if (defaultChanged || !baseNames.has(c.head.defaultProfile)) {
    pairs.push({
      label: defaultChanged
        ? `resources no profile selects (defaultProfile ${c.base.defaultProfile} -> ${c.head.defaultProfile})`
        : c.head.defaultProfile,
      base: c.base.defaultProfile,
      head: c.head.defaultProfile,
      defaultChanged,
    });
  }
  // One change per setting and place: a top-level setting that weakens every profile is one finding naming them.
  const grouped = new Map<string, { w: Weakening; loc: SourceLocation; labels: string[] }>();
  for (const pair of pairs) {
    for (const meta of c.rules) {
      const weakenings = weakerSettings(
        meta,
        effectiveRuleSettings(c.base, meta, pair.base),
        effectiveRuleSettings(c.head, meta, pair.head),
      );
      for (const w of weakenings) {
        const paths = settingPaths(c.head, pair.head, meta.id, w.setting);
        const written = paths.find((p) => hasPath(c.headSource?.value, p));
        const scope = pair.defaultChanged ? "defaultProfile" : written?.[0] === "profiles" ? pair.head : "";
        const subject = `${meta.id}.${w.setting}${scope ? `@${scope}` : ""}:${w.now}`;
        const entry = grouped.get(subject);
        if (entry) entry.labels.push(pair.label);
        else {
          const loc = pair.defaultChanged ? where(["defaultProfile"], ...paths) : where(...paths);
          grouped.set(subject, { w, loc, labels: [pair.label] });
        }
      }
    }
  }
  return [...grouped].map(([subject, { w, loc, labels }]) => ({
    ruleId: POLICY_WEAKENED,
    subject,
    message: `${changed(w)} for ${whose(labels)}, relative to ${c.baseLabel}`,
    loc,
  }));
}

/** "profile sandbox", "profiles critical, default", or the default-profile sentence as it is. */
function whose(labels: readonly string[]): string {
  if (labels.length > 1) return `profiles ${[...labels].sort().join(", ")}`;
  const only = labels[0] ?? "";
  return only.startsWith("resources ") ? only : `profile ${only}`;
}

// --- custom rules ------------------------------------------------------------------------------------------------

/** A custom rule without its places and compiled patterns: what it judges. */
function essence(spec: CustomRuleSpec): string {
  return JSON.stringify(spec, (key, value) => (key === "loc" || key === "pattern" ? undefined : value));
}

function customRuleChanges(c: PolicyComparison, where: Locator): PolicyChange[] {
  const changes: PolicyChange[] = [];
  for (const base of c.base.customRules) {
    const head = c.head.customRules.find((r) => r.id === base.id);
    if (!head) {
      changes.push({
        ruleId: POLICY_WEAKENED,
        subject: `customRules:${base.id}`,
        message: `custom rule ${base.id} is removed, relative to ${c.baseLabel}`,
        loc: where(["customRules"], []),
      });
    } else if (essence(head) !== essence(base)) {
      changes.push({
        ruleId: POLICY_WEAKENED,
        subject: `customRules:${base.id}`,
        message: `custom rule ${base.id} is rewritten relative to ${c.baseLabel} (rdsguard cannot tell whether the new condition is as strict, so every change counts)`,
        loc: head.loc ?? where(["customRules"], []),
      });
    }
  }
  return changes;
}

// --- profile matches ---------------------------------------------------------------------------------------------

/** Each criterion of a match as one string, with the path of the list it is written in. */
function criteria(match: ProfileMatch | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!match) return out;
  for (const [key, values] of Object.entries(match.tags ?? {})) {
    for (const v of values) out.set(`tag ${key.toLowerCase()}=${v.toLowerCase()}`, ["match", "tags", key]);
  }
  for (const v of match.stackNames ?? []) out.set(`stack name ${v}`, ["match", "stackNames"]);
  for (const v of match.accounts ?? []) out.set(`account ${v}`, ["match", "accounts"]);
  for (const v of match.paths ?? []) out.set(`path ${v}`, ["match", "paths"]);
  return out;
}

/** The first rule and setting where profile `weak` is more lenient than profile `strong`, in the head policy. */
function firstWeakening(c: PolicyComparison, strong: string, weak: string): string | undefined {
  for (const meta of c.rules) {
    const w = weakerSettings(
      meta,
      effectiveRuleSettings(c.head, meta, strong),
      effectiveRuleSettings(c.head, meta, weak),
    )[0];
    if (w) return contrasted(w);
  }
  return undefined;
}

function profileMatchChanges(c: PolicyComparison, where: Locator): PolicyChange[] {
  const changes: PolicyChange[] = [];
  const names = [...new Set([...c.head.profiles.map((p) => p.name), ...c.base.profiles.map((p) => p.name)])];
  const others = (name: string) =>
    [c.head.defaultProfile, ...c.head.profiles.map((p) => p.name)].filter(
      (n, i, all) => n !== name && all.indexOf(n) === i,
    );
  for (const name of names) {
    const index = c.head.profiles.findIndex((p) => p.name === name);
    const head = criteria(c.head.profiles[index]?.match);
    const base = criteria(c.base.profiles.find((p) => p.name === name)?.match);
    const profilePath = index >= 0 ? ["profiles", String(index)] : ["profiles"];
    for (const [criterion, listPath] of head) {
      if (base.has(criterion)) continue;
      // Resources this criterion now selects may have had any other profile: weaker than one of them is a weakening.
      for (const other of others(name)) {
        const detail = firstWeakening(c, other, name);
        if (!detail) continue;
        changes.push({
          ruleId: POLICY_WEAKENED,
          subject: `profiles:${name}:match:+${criterion}`,
          message: `profile ${name} now also selects ${criterion} (relative to ${c.baseLabel}), and is weaker than profile ${other}: ${detail}`,
          loc: where([...profilePath, ...listPath], [...profilePath, "match"], profilePath),
        });
        break;
      }
    }
    for (const criterion of base.keys()) {
      if (head.has(criterion)) continue;
      // Resources it no longer selects fall to another profile: weaker than this one is a weakening.
      for (const other of others(name)) {
        const detail = index >= 0 ? firstWeakening(c, name, other) : undefined;
        const fallback = index < 0 ? firstWeakeningAcross(c, name, other) : undefined;
        const said = detail ?? fallback;
        if (!said) continue;
        changes.push({
          ruleId: POLICY_WEAKENED,
          subject: `profiles:${name}:match:-${criterion}`,
          message: `profile ${name} no longer selects ${criterion} (relative to ${c.baseLabel}); such resources may fall to profile ${other}, which is weaker: ${said}`,
          loc: where([...profilePath, "match"], profilePath),
        });
        break;
      }
    }
  }
  return changes;
}

/** For a profile the head removed: the base's settings under it against the head's under `other`. */
function firstWeakeningAcross(c: PolicyComparison, removed: string, other: string): string | undefined {
  for (const meta of c.rules) {
    const w = weakerSettings(
      meta,
      effectiveRuleSettings(c.base, meta, removed),
      effectiveRuleSettings(c.head, meta, other),
    )[0];
    if (w) return contrasted(w);
  }
  return undefined;
}
