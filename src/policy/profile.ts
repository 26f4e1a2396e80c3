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
  if (match.tags) {
    const tagEntries = Object.entries(facts.tags);
    for (const [key, patterns] of Object.entries(match.tags)) {
      const values = tagEntries.filter(([k]) => k.toLowerCase() === key.toLowerCase()).map(([, v]) => v);
      if (anyGlobMatches(patterns, values, { nocase: true })) return true;
    }
  }
  if (match.stackNames && anyGlobMatches(match.stackNames, [facts.stackName])) return true;
  if (match.accounts && facts.account !== undefined && match.accounts.includes(facts.account)) return true;
  if (match.paths && anyGlobMatches(match.paths, [facts.file])) return true;
  return false;
}

export function selectProfile(policy: Policy, resource: ModelResource, model: Model): string {
  return selectProfileUncached(policy, resource, model);
}

/**
 * selectProfile for many resources under one policy, remembered by what a profile depends on: file, stack name,
 * account and the tags profiles match on (and, for a KMS key, those of the databases using it). The resources of
 * one template mostly share them, so each distinct combination is matched against the profiles' globs once.
 */
export function profileSelector(policy: Policy): (resource: ModelResource, model: Model) => string {
  const chosen = new Map<string, string>();
  // Only the tags some profile matches on decide anything (a Name tag unique to each resource does not).
  const tagKeys = new Set(policy.profiles.flatMap((p) => Object.keys(p.match?.tags ?? {}).map((k) => k.toLowerCase())));
  return (resource, model) => {
    let key = factsKey(resource, model, tagKeys);
    if (resource.kind === "kms-key") {
      for (const user of keyUsers(model, resource.id)) key += `\n${factsKey(user, model, tagKeys)}`;
    }
    let profile = chosen.get(key);
    if (profile === undefined) {
      profile = selectProfileUncached(policy, resource, model);
      chosen.set(key, profile);
    }
    return profile;
  };
}

/**
 * Everything of a resource and its model that profile matching reads, as one string: file, stack name, account, and
 * the tags whose key (without case) is one of `tagKeys`. The policy is the selector's.
 */
function factsKey(resource: ModelResource, model: Model, tagKeys: ReadonlySet<string>): string {
  const parts: (string | undefined)[] = [
    resource.origin.file ?? model.file,
    resource.origin.stackName ?? model.stackName,
    resource.origin.account ?? model.account,
  ];
  if (tagKeys.size > 0) {
    for (const [k, v] of Object.entries(resourceTags(resource, model))) {
      if (tagKeys.has(k.toLowerCase())) parts.push(k, v);
    }
  }
  return JSON.stringify(parts);
}

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
