/**
 * Applies the rules to the models under the policy: picks each resource's profile, skips disabled rules, evaluates,
 * and turns every RuleResult into a Finding with its severity, stable fingerprint, place and suppression state.
 */
import type { Model, ModelResource } from "../model/types.js";
import { effectiveRuleSettings, selectProfile } from "../policy/profile.js";
import type { EffectiveRuleSettings, Policy } from "../policy/types.js";
import type { Rule, RuleResult } from "../rules/types.js";
import { findingFingerprint } from "./fingerprint.js";
import { resolveSuppression } from "./suppression.js";
import type { Finding } from "./types.js";

export interface RunRulesOptions {
  rules: readonly Rule[];
  policy: Policy;
  /** --strict: an unknown verdict counts as a failure. */
  strict: boolean;
  now: Date;
}

export function runRules(models: readonly Model[], opts: RunRulesOptions): Finding[] {
  const settingsCache = new Map<string, EffectiveRuleSettings>();
  const settingsFor = (rule: Rule, profile: string): EffectiveRuleSettings => {
    const key = `${rule.meta.id}\u0000${profile}`;
    let settings = settingsCache.get(key);
    if (!settings) {
      settings = effectiveRuleSettings(opts.policy, rule.meta, profile);
      settingsCache.set(key, settings);
    }
    return settings;
  };

  const findings: Finding[] = [];
  for (const model of models) {
    for (const resource of model.resources.values()) {
      let profile: string | undefined;
      for (const rule of opts.rules) {
        if (!rule.meta.appliesTo.includes(resource.kind)) continue;
        profile ??= selectProfile(opts.policy, resource, model);
        const settings = settingsFor(rule, profile);
        if (!settings.enabled) continue;
        const results = evaluateSafely(rule, resource, { model, params: settings.params, profile, now: opts.now });
        const occurrences = new Map<string, number>();
        for (const result of results) {
          const identity = JSON.stringify([result.property ?? "", result.when ?? ""]);
          const occurrence = occurrences.get(identity) ?? 0;
          occurrences.set(identity, occurrence + 1);
          findings.push(toFinding(rule, result, resource, model, settings, profile, occurrence, opts));
        }
      }
    }
  }
  return findings;
}

/** Rules are pure and should not throw; if one does, the resource gets an unknown verdict, not a crashed scan. */
function evaluateSafely(rule: Rule, resource: ModelResource, ctx: Parameters<Rule["evaluate"]>[1]): RuleResult[] {
  try {
    return rule.evaluate(resource, ctx);
  } catch (err) {
    return [
      {
        verdict: "unknown",
        message: `internal error: rule ${rule.meta.id} could not evaluate ${resource.name}: ${
          err instanceof Error ? err.message : String(err)
        }`,
      },
    ];
  }
}

function toFinding(
  rule: Rule,
  result: RuleResult,
  resource: ModelResource,
  model: Model,
  settings: EffectiveRuleSettings,
  profile: string,
  occurrence: number,
  opts: RunRulesOptions,
): Finding {
  let verdict = result.verdict;
  let message = result.message;
  if (verdict === "unknown" && opts.strict) {
    verdict = "fail";
    message = `Could not be determined, and --strict counts that as a failure: ${message}`;
  }
  const finding: Finding = {
    ruleId: rule.meta.id,
    severity: settings.severity,
    verdict,
    message,
    resource: { id: resource.id, name: resource.name, kind: resource.kind, origin: resource.origin },
    profile,
    fingerprint: findingFingerprint({
      ruleId: rule.meta.id,
      resource,
      model,
      ...(result.property !== undefined ? { property: result.property } : {}),
      ...(result.when !== undefined ? { when: result.when } : {}),
      occurrence,
    }),
  };
  if (result.property !== undefined) finding.property = result.property;
  const location = result.loc ?? resource.loc;
  if (location) finding.location = location;
  if (result.when !== undefined) finding.when = result.when;

  // Waivers only matter where there is something to waive.
  if (verdict === "fail" || verdict === "unknown") {
    const outcome = resolveSuppression(rule.meta.id, resource, model, opts.policy, opts.now);
    if (outcome.suppression) finding.suppression = outcome.suppression;
    if (outcome.expiredSuppression) finding.expiredSuppression = outcome.expiredSuppression;
    if (outcome.notes.length > 0) finding.message = `${message} [${outcome.notes.join("; ")}]`;
  }
  return finding;
}
