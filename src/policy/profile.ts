/**
 * Which profile applies to a resource, and what a rule's settings are under it. A profile matches when ANY of its
 * criteria matches (a tag, a stack name, an account, a file path); profiles are tried in order, and a resource no
 * profile matches gets policy.defaultProfile.
 */

import { resourceTags } from "../model/relations.js";
import type { Attr, Model, ModelResource } from "../model/types.js";
import type { RuleMeta } from "../rules/types.js";
import { anyGlobMatches, normalizePath } from "../util/glob.js";
import type { EffectiveRuleSettings, Policy, ProfileMatch, RuleSettingsOverride } from "./types.js";

/** What profile criteria are matched against, gathered from the resource, its model and the policy. */
export interface ResourceFacts {
  tags: Record<string, string>;
  stackName?: string;
  account?: string;
  file?: string;
}

export function resourceFacts(policy: Policy, resource: ModelResource, model: Model): ResourceFacts {
  const tags = resourceTags(resource, model);
  const stackName = resource.origin.stackName ?? model.stackName;
  const rawFile = resource.origin.file ?? model.file;
  const file = rawFile !== undefined ? normalizePath(rawFile) : undefined;
  // stackTemplates ties a stack to its file both ways: a live resource gets the file, a template the stack name.
  const stackFromFile =
    file !== undefined ? Object.entries(policy.stackTemplates).find(([, path]) => path === file)?.[0] : undefined;
  const fileFromStack = stackName !== undefined ? policy.stackTemplates[stackName] : undefined;
  return {
    tags,
    ...((stackName ?? stackFromFile) !== undefined ? { stackName: stackName ?? stackFromFile } : {}),
    ...((resource.origin.account ?? model.account) !== undefined
      ? { account: resource.origin.account ?? model.account }
      : {}),
    ...((file ?? fileFromStack) !== undefined ? { file: file ?? fileFromStack } : {}),
  };
}

export function profileMatches(match: ProfileMatch, facts: ResourceFacts): boolean {
  return tagsMatch(match, facts.tags) || placeMatches(match, facts);
}

/** The profile's tag criteria: any tag (key without case) whose value matches one of the key's globs. */
function tagsMatch(match: ProfileMatch, tags: Record<string, string>): boolean {
  if (!match.tags) return false;
  const tagEntries = Object.entries(tags);
  for (const [key, patterns] of Object.entries(match.tags)) {
    const values = tagEntries.filter(([k]) => k.toLowerCase() === key.toLowerCase()).map(([, v]) => v);
    if (anyGlobMatches(patterns, values, { nocase: true })) return true;
  }
  return false;
}

/** The profile's criteria on where the resource is: stack name, account, file path. */
function placeMatches(match: ProfileMatch, facts: ResourceFacts): boolean {
  if (match.stackNames && anyGlobMatches(match.stackNames, [facts.stackName])) return true;
  if (match.accounts && facts.account !== undefined && match.accounts.includes(facts.account)) return true;
  if (match.paths && anyGlobMatches(match.paths, [facts.file])) return true;
  return false;
}

export function selectProfile(policy: Policy, resource: ModelResource, model: Model): string {
  return selectProfileUncached(policy, resource, model);
}

/**
 * selectProfile for many resources under one policy (a whole run). A profile matches on a resource's place (file,
 * stack name, account) or on its tags, so each half is remembered apart: the resources of a template share their
 * place, and the same few tag values recur across thousands of templates. Each distinct place and each distinct set
 * of the tags profiles match on is matched against the profiles' globs once (the memos are bounded).
 */
export function profileSelector(policy: Policy): (resource: ModelResource, model: Model) => string {
  const profiles = policy.profiles;
  // Only the tags some profile matches on decide anything (a Name tag unique to each resource does not).
  const tagKeys = new Set(profiles.flatMap((p) => Object.keys(p.match?.tags ?? {}).map((k) => k.toLowerCase())));
  const byPlace = new Map<string, boolean[]>();
  const byTags = new Map<string, boolean[]>();
  const remember = (memo: Map<string, boolean[]>, key: string, matched: boolean[]): boolean[] => {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, matched);
    return matched;
  };
  const placeOf = (resource: ModelResource, model: Model): boolean[] => {
    const file = resource.origin.file ?? model.file;
    const stackName = resource.origin.stackName ?? model.stackName;
    const account = resource.origin.account ?? model.account;
    const key = JSON.stringify([file, stackName, account]);
    const known = byPlace.get(key);
    if (known) return known;
    const facts = resourceFacts(policy, resource, model);
    return remember(
      byPlace,
      key,
      profiles.map((p) => p.match !== undefined && placeMatches(p.match, facts)),
    );
  };
  const tagsOf = (resource: ModelResource, model: Model): boolean[] => {
    const tags: Record<string, string> = {};
    const parts: string[] = [];
    if (tagKeys.size > 0) {
      for (const [k, v] of Object.entries(resourceTags(resource, model))) {
        if (!tagKeys.has(k.toLowerCase())) continue;
        tags[k] = v;
        parts.push(k, v);
      }
    }
    const key = JSON.stringify(parts);
    const known = byTags.get(key);
    if (known) return known;
    return remember(
      byTags,
      key,
      profiles.map((p) => p.match !== undefined && tagsMatch(p.match, tags)),
    );
  };
  const matched = (resource: ModelResource, model: Model): boolean[] => {
    const place = placeOf(resource, model);
    const tags = tagsOf(resource, model);
    return place.map((m, k) => m || (tags[k] as boolean));
  };
  return (resource, model) => {
    const own = matched(resource, model);
    // A KMS key is rarely tagged like the databases it protects; it also takes the profile of any database using it
    // (the first in profile order, so a key shared by production and development is judged as production).
    const users = resource.kind === "kms-key" ? keyUsers(model, resource.id).map((u) => matched(u, model)) : [];
    const k = own.findIndex((m, i) => m || users.some((u) => u[i]));
    return k < 0 ? policy.defaultProfile : (profiles[k] as Policy["profiles"][number]).name;
  };
}

/** Entries a selector's memo holds before it starts again (a run with more distinct places still ends right). */
const MEMO_LIMIT = 10_000;

function selectProfileUncached(policy: Policy, resource: ModelResource, model: Model): string {
  const facts = resourceFacts(policy, resource, model);
  // A KMS key is rarely tagged like the databases it protects; it also takes the profile of any database using it
  // (the first in profile order, so a key shared by production and development is judged as production).
  const users =
    resource.kind === "kms-key" ? keyUsers(model, resource.id).map((u) => resourceFacts(policy, u, model)) : [];
  for (const profile of policy.profiles) {
    if (!profile.match) continue;
    const match = profile.match;
    if (profileMatches(match, facts) || users.some((u) => profileMatches(match, u))) return profile.name;
  }
  return policy.defaultProfile;
}

/** Resources whose KmsKeyId refers to the key, in any condition alternative. */
function keyUsers(model: Model, keyId: string): ModelResource[] {
  const refers = (attr: Attr<string>): boolean =>
    attr.state === "conditional"
      ? attr.alternatives.some((alt) => refers(alt.attr))
      : (attr.state === "known" || attr.state === "unknown") && attr.refersTo === keyId;
  return [...model.resources.values()].filter(
    (r) => (r.kind === "db-cluster" || r.kind === "db-instance") && refers(r.kmsKeyId),
  );
}

/** Rule metadata defaults, then the policy's top-level rules, then the profile's overrides. */
export function effectiveRuleSettings(policy: Policy, ruleMeta: RuleMeta, profile: string): EffectiveRuleSettings {
  const layers: (RuleSettingsOverride | undefined)[] = [
    policy.rules[ruleMeta.id],
    policy.profiles.find((p) => p.name === profile)?.rules[ruleMeta.id],
  ];
  const settings: EffectiveRuleSettings = {
    enabled: true,
    severity: ruleMeta.severity,
    params: Object.fromEntries(ruleMeta.parameters.map((p) => [p.name, p.default])),
  };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.enabled !== undefined) settings.enabled = layer.enabled;
    if (layer.severity !== undefined) settings.severity = layer.severity;
    if (layer.parameters) settings.params = { ...settings.params, ...layer.parameters };
  }
  return settings;
}
