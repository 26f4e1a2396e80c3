/**
 * The CDK policy-validation plugin of `rdsguard/cdk`: aws-cdk-lib calls it after synthesis with the template path
 * of every stack of the App or Stage it is registered on; it reads each template as `rdsguard scan cdk.out` does
 * (stack name, construct metadata, nested stack templates, from the assembly's manifest), judges it with the rules
 * and policy of loadRuleSet, and returns the CDK's validation report: one violation per failing or undetermined
 * finding. `success: false` (a finding at or above failOn, or an error) makes the CDK stop synthesis with its own
 * report. It imports nothing from aws-cdk-lib: its shape is both the stable `IPolicyValidationPlugin`
 * (aws-cdk-lib 2.251 and later, `Validations.of(app).addPlugins(...)`) and `IPolicyValidationPluginBeta1`
 * (`new App({ policyValidationBeta1: [...] })`, older releases).
 */
import path from "node:path";
import type { FailOn } from "../commands/output.js";
import { enabledRules, Judge, loadRuleSet, loadRuleSetSync, type RuleSet } from "../engine/report.js";
import type { Finding, ScanError } from "../engine/types.js";
import { errorPlace, isActive, ruleHelpUri, severityAtLeast } from "../reporters/common.js";
import { scanStackTemplateSync } from "../scanners/cdk/index.js";
import { appendAll } from "../util/append.js";
import { VERSION } from "../version.js";
import { type CdkJudgeOptions, cdkRuleSetOptions, DEFAULT_CDK_FAIL_ON } from "./aspect.js";
import { cdkRuleName, cdkSafeText, findingText } from "./messages.js";

export interface RdsGuardValidationPluginOptions extends CdkJudgeOptions {
  /** Synthesis fails on an active finding at or above this severity (`--fail-on`). Default: high. */
  failOn?: FailOn;
}

/** A violating resource: its logical id, its template, where in the resource (`Properties/StorageEncrypted`). */
export interface RdsGuardViolatingResource {
  resourceLogicalId: string;
  templatePath: string;
  locations: string[];
}

/** One finding, as the CDK's PolicyViolation (and PolicyViolationBeta1). */
export interface RdsGuardViolation {
  /** The rdsguard rule id; `error` for a policy, template or rule error. */
  ruleName: string;
  description: string;
  /** The rule's remediation and its documentation page. */
  fix?: string;
  /** error: fails synthesis (at or above failOn); warning: below failOn, or undetermined; info: waived; fatal: an error. */
  severity: "fatal" | "error" | "warning" | "info";
  ruleMetadata: Record<string, string>;
  violatingResources: RdsGuardViolatingResource[];
}

/** The CDK's PolicyValidationPluginReport (and PolicyValidationPluginReportBeta1). */
export interface RdsGuardValidationReport {
  success: boolean;
  violations: RdsGuardViolation[];
  pluginVersion: string;
  metadata: Record<string, string>;
}

/** Resource attributes are judged at the resource's top level; everything else under Properties. */
const RESOURCE_ATTRIBUTES = new Set([
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Condition",
  "DependsOn",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
]);

/**
 * `Validations.of(app).addPlugins(new RdsGuardValidationPlugin())` (aws-cdk-lib 2.251+), or
 * `new App({ policyValidationBeta1: [new RdsGuardValidationPlugin()] })`. On the App it sees every stack, those of
 * Stages included.
 */
export class RdsGuardValidationPlugin {
  readonly name = "rdsguard";
  readonly version = VERSION;
  /** The rules enabled in at least one profile (reported to the CDK for its analytics). */
  readonly ruleIds: string[];
  /** Every finding of every validation so far (pass and not-applicable too). */
  readonly findings: Finding[] = [];
  /** Policy errors, templates that could not be read, rule errors. */
  readonly errors: ScanError[] = [];

  private readonly ruleSet: RuleSet;
  private readonly cwd: string;
  private readonly failOn: FailOn;

  /** Loads the policy synchronously (loadRuleSetSync): rule plugins that are ES modules need `load`. */
  constructor(private readonly options: RdsGuardValidationPluginOptions = {}) {
    this.cwd = path.resolve(options.cwd ?? process.cwd());
    this.ruleSet = options.ruleSet ?? loadRuleSetSync(cdkRuleSetOptions(this.cwd, options));
    this.failOn = options.failOn ?? DEFAULT_CDK_FAIL_ON;
    this.ruleIds = enabledRules(this.ruleSet.policy, this.ruleSet.rules).map((r) => cdkRuleName(r.id));
  }

  /** Loads the policy as the CLI does (loadRuleSet), so rule plugins that are ES modules are judged too. */
  static async load(options: RdsGuardValidationPluginOptions = {}): Promise<RdsGuardValidationPlugin> {
    if (options.ruleSet) return new RdsGuardValidationPlugin(options);
    const cwd = path.resolve(options.cwd ?? process.cwd());
    const ruleSet = await loadRuleSet(cdkRuleSetOptions(cwd, options));
    return new RdsGuardValidationPlugin({ ...options, cwd, ruleSet });
  }

  validate(context: { readonly templatePaths: readonly string[] }): RdsGuardValidationReport {
    const judge = new Judge({
      policy: this.ruleSet.policy,
      rules: this.ruleSet.rules,
      strict: this.options.strict ?? false,
      now: this.options.now ?? new Date(),
    });
    const errors: ScanError[] = [...this.ruleSet.errors];
    const violations: RdsGuardViolation[] = [];
    const findings: Finding[] = [];
    for (const templatePath of context.templatePaths) {
      for (const result of scanStackTemplateSync(templatePath, this.cwd)) {
        if (result.error) errors.push(result.error);
        if (!result.model) continue;
        const before = judge.findings.length;
        judge.judge(result.model);
        for (const f of judge.findings.slice(before)) {
          findings.push(f);
          const violation = this.violation(f, result.path);
          if (violation) violations.push(violation);
        }
      }
    }
    appendAll(errors, judge.errors);
    for (const e of errors) violations.push(this.errorViolation(e, context.templatePaths[0] ?? this.cwd));
    appendAll(this.findings, findings);
    appendAll(this.errors, errors);
    const failOn = this.failOn;
    const fails = failOn !== "none" && findings.some((f) => isActive(f) && severityAtLeast(f.severity, failOn));
    return {
      success: errors.length === 0 && !fails,
      violations,
      pluginVersion: VERSION,
      metadata: { failOn, strict: String(this.options.strict ?? false) },
    };
  }

  private violation(f: Finding, templatePath: string): RdsGuardViolation | undefined {
    if (f.verdict !== "fail" && f.verdict !== "unknown") return undefined;
    const failOn = this.failOn;
    let severity: RdsGuardViolation["severity"];
    if (f.suppression) severity = "info";
    else if (isActive(f) && failOn !== "none" && severityAtLeast(f.severity, failOn)) severity = "error";
    else severity = "warning";
    const meta = this.ruleSet.rules.find((r) => r.meta.id === f.ruleId)?.meta;
    const page = meta ? ruleHelpUri(meta) : undefined;
    const fix = [meta?.remediation.text, page].filter((s) => s !== undefined && s !== "").join(" ");
    const location =
      f.property === undefined ? [] : [RESOURCE_ATTRIBUTES.has(f.property) ? f.property : `Properties/${f.property}`];
    return {
      ruleName: cdkRuleName(f.ruleId),
      description: cdkSafeText(`(${f.severity}) ${meta?.title ?? f.ruleId}: ${findingText(f)}`),
      ...(fix !== "" ? { fix: cdkSafeText(fix) } : {}),
      severity,
      ruleMetadata: {
        severity: f.severity,
        verdict: f.verdict,
        profile: f.profile ?? "",
        fingerprint: f.fingerprint,
        ...(f.resource.origin.cdkPath !== undefined ? { cdkPath: f.resource.origin.cdkPath } : {}),
      },
      violatingResources: [
        {
          resourceLogicalId: f.resource.origin.logicalId ?? f.resource.name,
          templatePath,
          locations: location,
        },
      ],
    };
  }

  /** An error fails synthesis and cannot be acknowledged away: severity fatal, at its file. */
  private errorViolation(e: ScanError, fallbackFile: string): RdsGuardViolation {
    const place = errorPlace(e);
    return {
      ruleName: "error",
      description: cdkSafeText(`${e.message}${place ? ` (${place})` : ""}`),
      severity: "fatal",
      ruleMetadata: { kind: e.kind },
      violatingResources: [
        { resourceLogicalId: "", templatePath: e.file ? path.resolve(this.cwd, e.file) : fallbackFile, locations: [] },
      ],
    };
  }
}
