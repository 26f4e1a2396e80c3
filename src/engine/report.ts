/**
 * What `scan` and `audit` share between reading models and writing reports: the policy for the built-in rules,
 * judging each model as it comes (so models need not be kept), and the report itself.
 */
import type { Model } from "../model/types.js";
import { BUILTIN_DEFAULT_PROFILE, effectiveRuleSettings, type Policy } from "../policy/index.js";
import { loadPolicy } from "../policy/load.js";
import { allRules } from "../rules/index.js";
import type { Rule, RuleMeta } from "../rules/types.js";
import { VERSION } from "../version.js";
import { runRules } from "./engine.js";
import { checkInlineSuppressions } from "./suppression.js";
import type { Finding, ReportStats, ScanError, ScanReport } from "./types.js";

/** The rules a run judges with (built-in, then the policy's own) and the policy that configures them. */
export interface RuleSet {
  policy: Policy;
  rules: readonly Rule[];
  errors: ScanError[];
}

export interface LoadRuleSetOptions {
  cwd: string;
  /** --config FILE; default ./rdsguard.yaml when present. */
  configPath?: string;
}

/** rules.yaml layered with the user's policy, validated against the rules that exist and their parameters. */
export async function loadRuleSet(opts: LoadRuleSetOptions): Promise<RuleSet> {
  return loadRuleSetSync(opts);
}

/** The same, for callers that cannot wait (a CDK Aspect runs synchronously inside synth). */
export function loadRuleSetSync(opts: LoadRuleSetOptions): RuleSet {
  const { policy, errors } = loadPolicy({
    cwd: opts.cwd,
    ruleIds: allRules.map((r) => r.meta.id),
    parameters: Object.fromEntries(allRules.map((r) => [r.meta.id, r.meta.parameters])),
    ...(opts.configPath !== undefined ? { configPath: opts.configPath } : {}),
  });
  return { policy, rules: allRules, errors };
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
}

/** Judges models as they come, so they need not be kept, and accumulates findings and errors. */
export class Judge {
  readonly findings: Finding[] = [];
  readonly errors: ScanError[] = [];
  private resources = 0;
  private templatesWithDatabases = 0;

  private readonly rules: readonly Rule[];

  constructor(private readonly options: JudgeOptions) {
    this.rules = options.rules ?? allRules;
  }

  /** Judges one model; a template model also has its inline waivers checked (a waiver without a reason is an error). */
  judge(model: Model): void {
    if (model.resources.size === 0) return;
    this.resources += model.resources.size;
    const { policy, strict, now } = this.options;
    this.findings.push(...runRules([model], { rules: this.rules, policy, strict, now }));
    if (model.source === "template") {
      this.templatesWithDatabases++;
      this.errors.push(
        ...checkInlineSuppressions(
          [model],
          this.rules.map((r) => r.meta.id),
        ),
      );
    }
  }

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
