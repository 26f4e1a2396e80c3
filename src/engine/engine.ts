/**
 * Applies the rules to the models under the policy: picks each resource's profile, skips disabled rules, evaluates,
 * and turns every RuleResult into a Finding with its severity, stable fingerprint, place and suppression state.
 */
import type { Model, ModelResource } from "../model/types.js";
import { effectiveRuleSettings, profileSelector } from "../policy/profile.js";
import type { EffectiveRuleSettings, Policy } from "../policy/types.js";
import {
  type Rule,
  type RuleResult,
  SEVERITIES,
  type Severity,
  VERDICTS_WORST_FIRST,
  type Verdict,
} from "../rules/types.js";
import { citationsIn } from "./citations.js";
import { fingerprintOf, fingerprintSubject } from "./fingerprint.js";
import { redactSecrets } from "./redact.js";
import { resolveSuppression } from "./suppression.js";
import { describeThrown, ReportedThrow } from "./thrown.js";
import type { Finding, ScanError } from "./types.js";

export interface RunRulesOptions {
  rules: readonly Rule[];
  policy: Policy;
  /** --strict: an unknown verdict counts as a failure. */
  strict: boolean;
  now: Date;
  /** Told when a rule throws or returns something that is not a list of results (the run goes on). */
  onRuleError?: (error: ScanError) => void;
}

/**
 * The findings of every resource of the models, in order. With `emit` each finding is handed over as it is made and
 * none is kept here (an audit region's hundreds of thousands of findings go straight to the store); the list
 * returned is then empty.
 */
export function runRules(
  models: readonly Model[],
  opts: RunRulesOptions,
  emit?: (finding: Finding) => void,
): Finding[] {
  return new RuleRunner(opts).run(models, emit);
}

/**
 * runRules for models that come one by one (a scan's templates, an audit's regions): what depends only on the
 * policy (each rule's settings per profile, the profile selector's memos) is worked out once for the whole run.
 */
export class RuleRunner {
  // Settings by profile, one per rule (by its index in opts.rules): a run has few profiles and many resources.
  private readonly settingsByProfile = new Map<string, EffectiveRuleSettings[]>();
  private readonly selectProfile: (resource: ModelResource, model: Model) => string;

  constructor(private readonly opts: RunRulesOptions) {
    this.selectProfile = profileSelector(opts.policy);
  }

  private settingsFor(index: number, rule: Rule, profile: string): EffectiveRuleSettings {
    let settings = this.settingsByProfile.get(profile);
    if (!settings) {
      settings = [];
      this.settingsByProfile.set(profile, settings);
    }
    let s = settings[index];
    if (!s) {
      s = effectiveRuleSettings(this.opts.policy, rule.meta, profile);
      settings[index] = s;
    }
    return s;
  }

  run(models: readonly Model[], emit?: (finding: Finding) => void): Finding[] {
    const opts = this.opts;
    const findings: Finding[] = [];
    const take = emit ?? ((f: Finding) => findings.push(f));
    for (const model of models) {
      for (const resource of model.resources.values()) {
        let on: ResourceJudged | undefined;
        for (let index = 0; index < opts.rules.length; index++) {
          const rule = opts.rules[index] as Rule;
          if (!rule.meta.appliesTo.includes(resource.kind)) continue;
          on ??= judged(resource, model, this.selectProfile(resource, model));
          const settings = this.settingsFor(index, rule, on.profile);
          if (!settings.enabled) continue;
          const results = evaluateSafely(
            rule,
            resource,
            { model, params: settings.params, profile: on.profile, now: opts.now },
            opts.onRuleError,
          );
          // Results with the same property and condition label are told apart by their order (the fingerprint's
          // occurrence); the key needs no escaping, the property's length says where the label starts.
          const occurrences = results.length > 1 ? new Map<string, number>() : undefined;
          for (const result of results) {
            let occurrence = 0;
            if (occurrences) {
              const property = result.property ?? "";
              const identity = `${property.length}:${property}${result.when ?? ""}`;
              occurrence = occurrences.get(identity) ?? 0;
              occurrences.set(identity, occurrence + 1);
            }
            take(toFinding(rule, result, on, model, settings, occurrence, opts));
          }
        }
      }
    }
    return findings;
  }
}

/** What every finding on one resource shares: computed once per resource, not once per finding. */
interface ResourceJudged {
  resource: ModelResource;
  profile: string;
  /** Finding.resource: the same object for every finding on the resource. */
  ref: Finding["resource"];
  /** The resource's part of the fingerprint (fingerprintSubject). */
  subject: string;
}

function judged(resource: ModelResource, model: Model, profile: string): ResourceJudged {
  return {
    resource,
    profile,
    ref: { id: resource.id, name: resource.name, kind: resource.kind, origin: resource.origin },
    subject: fingerprintSubject(resource, model),
  };
}

/**
 * Rules are pure and should not throw; a plugin may. A rule that throws or returns garbage gives this resource one
 * unknown result saying so, is reported as a rule error (exit 2), and the other rules still run.
 */
function evaluateSafely(
  rule: Rule,
  resource: ModelResource,
  ctx: Parameters<Rule["evaluate"]>[1],
  onRuleError: RunRulesOptions["onRuleError"],
): RuleResult[] {
  let problem: string;
  try {
    const results: unknown = rule.evaluate(resource, ctx);
    const wrong = resultProblem(results);
    // Copied into plain objects while still inside the try: a plugin's getters are read once, here.
    if (wrong === undefined) return (results as RuleResult[]).map(plainResult);
    problem = `returned ${wrong}`;
  } catch (err) {
    problem = err instanceof ReportedThrow ? err.message : `threw ${describeThrown(err)}`;
  }
  const where = resource.loc ?? (resource.origin.file ? { file: resource.origin.file } : undefined);
  const message = `rule ${rule.meta.id}${
    rule.meta.definedIn ? ` (${rule.meta.definedIn.kind} ${rule.meta.definedIn.file})` : ""
  } ${redactSecrets(problem, ctx.model.secrets)} on ${resource.name}`;
  onRuleError?.({
    kind: "rule",
    message,
    ...where,
    ...(resource.origin.account ? { account: resource.origin.account } : {}),
    ...(resource.origin.region ? { region: resource.origin.region } : {}),
  });
  return [{ verdict: "unknown", message: `rule error: ${message}` }];
}

function plainResult(r: RuleResult): RuleResult {
  const { verdict, message, property, loc, when } = r;
  return {
    verdict,
    message,
    ...(property !== undefined ? { property } : {}),
    ...(loc !== undefined ? { loc: { file: loc.file, line: loc.line, column: loc.column } } : {}),
    ...(when !== undefined ? { when } : {}),
  };
}

/** What is wrong with a rule's return value, or undefined when it is a list of well-formed results. */
function resultProblem(results: unknown): string | undefined {
  if (!Array.isArray(results)) return `${describeType(results)} instead of a list of results`;
  for (const [i, r] of results.entries()) {
    const bad = (what: string) => `a result #${i + 1} whose ${what}`;
    if (r === null || typeof r !== "object") return `result #${i + 1} as ${describeType(r)}, not an object`;
    const { verdict, message, property, loc, when, severity } = r as Record<string, unknown>;
    if (severity !== undefined && !SEVERITIES.includes(severity as Severity))
      return bad(`severity is ${JSON.stringify(severity)} (${SEVERITIES.join(", ")})`);
    if (!VERDICTS_WORST_FIRST.includes(verdict as Verdict))
      return bad(`verdict is ${JSON.stringify(verdict)} (pass, fail, unknown or not-applicable)`);
    if (typeof message !== "string") return bad("message is not a string");
    if (property !== undefined && typeof property !== "string") return bad("property is not a string");
    if (when !== undefined && typeof when !== "string") return bad("when is not a string");
    if (loc !== undefined) {
      const l = loc as Record<string, unknown>;
      const position = (n: unknown) => Number.isInteger(n) && (n as number) >= 1;
      if (typeof l?.file !== "string" || !position(l.line) || !position(l.column)) {
        return bad("loc is not {file, line, column} with 1-based numbers");
      }
    }
  }
  return undefined;
}

/** The policy's severity for the rule, lowered (never raised) by a result that carries its own. */
function lowerSeverity(configured: Severity, own: Severity | undefined): Severity {
  if (own === undefined || !SEVERITIES.includes(own)) return configured;
  return SEVERITIES.indexOf(own) > SEVERITIES.indexOf(configured) ? own : configured;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function toFinding(
  rule: Rule,
  result: RuleResult,
  on: ResourceJudged,
  model: Model,
  settings: EffectiveRuleSettings,
  occurrence: number,
  opts: RunRulesOptions,
): Finding {
  const resource = on.resource;
  let verdict = result.verdict;
  let message = redactSecrets(result.message, model.secrets);
  if (verdict === "unknown" && opts.strict) {
    verdict = "fail";
    message = `Could not be determined, and --strict counts that as a failure: ${message}`;
  }
  const finding: Finding = {
    ruleId: rule.meta.id,
    severity: lowerSeverity(settings.severity, result.severity),
    verdict,
    message,
    resource: on.ref,
    profile: on.profile,
    fingerprint: fingerprintOf(rule.meta.id, on.subject, result.property, result.when, occurrence),
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
  const citations = citationsIn(finding.message);
  if (citations.length > 0) finding.citations = citations;
  return finding;
}
