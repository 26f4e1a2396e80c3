/**
 * The Aspect of `rdsguard/cdk`: one that, for every stack it reaches, builds the stack's
 * CloudFormation template, reads it with the template scanner (the model builder `rdsguard scan` uses), judges it
 * with the rules and policy of loadRuleSet, and reports each finding as an annotation (error, warning or info) on
 * the L1 construct it concerns. aws-cdk-lib and constructs are peer dependencies: only this entry imports them.
 */
import path from "node:path";
import { Annotations, CfnElement, CfnResource, type IAspect, type IResolvable, Stack, Stage, Token } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { FailOn } from "../commands/output.js";
import { Judge, loadRuleSet, loadRuleSetSync, type RuleSet } from "../engine/report.js";
import type { Finding, ScanError } from "../engine/types.js";
import type { InlineSuppression, Model } from "../model/types.js";
import { errorPlace, severityAtLeast } from "../reporters/common.js";
import { SEVERITIES, type Severity } from "../rules/types.js";
import { type ConstructMetadataEntry, constructSource } from "../scanners/cdk/index.js";
import { scanTemplateText } from "../scanners/template/index.js";
import { appendAll } from "../util/append.js";
import { displayPath } from "../util/display-path.js";
import { annotationId, annotationMessage, cdkSafeText } from "./messages.js";

/** What a finding becomes in `cdk synth`: an error fails synthesis (cdk synth/deploy stop), none adds nothing. */
export type AnnotationLevel = "error" | "warning" | "info" | "none";

/** The severity from which a failing finding fails synthesis, unless set: high (the CLI's --fail-on is info). */
export const DEFAULT_CDK_FAIL_ON: FailOn = "high";

/** Failing findings at or above failOn are errors (synthesis stops), those below are warnings. */
export function annotationLevels(failOn: FailOn): Record<Severity, AnnotationLevel> {
  return Object.fromEntries(
    SEVERITIES.map((s) => [s, failOn !== "none" && severityAtLeast(s, failOn) ? "error" : "warning"]),
  ) as Record<Severity, AnnotationLevel>;
}

/** The levels with the default failOn: critical and high stop synthesis; medium, low and info warn. */
export const DEFAULT_ANNOTATION_LEVELS: Readonly<Record<Severity, AnnotationLevel>> =
  annotationLevels(DEFAULT_CDK_FAIL_ON);

/** What the Aspect and the validation plugin judge with: the CLI's policy options. */
export interface CdkJudgeOptions {
  /** Where the policy file and relative paths are resolved from (and report paths relative to). Default: process.cwd(). */
  cwd?: string;
  /** Policy file layered on the shipped rules.yaml (`--config`). Default: ./rdsguard.yaml in cwd, when present. */
  configPath?: string;
  /** Rule plugins (`--plugin`, ES modules relative to cwd) besides the policy's own; they load only through `load`. */
  plugins?: readonly string[];
  /** Rules and policy already loaded (loadRuleSet); cwd, configPath and plugins are then not read. */
  ruleSet?: RuleSet;
  /** A verdict that cannot be determined counts as a failure (`--strict`). */
  strict?: boolean;
  /** Judge expiry dates (waivers, certificates) as of this day. Default: now. */
  now?: Date;
}

/** loadRuleSet's options from the CDK options. The app is the user's own code: its policy's plugins run. */
export function cdkRuleSetOptions(cwd: string, options: CdkJudgeOptions) {
  return {
    cwd,
    allowPlugins: true,
    ...(options.configPath !== undefined ? { configPath: options.configPath } : {}),
    ...(options.plugins !== undefined ? { plugins: options.plugins } : {}),
  };
}

export interface RdsGuardAspectOptions extends CdkJudgeOptions {
  /** Failing findings at or above this severity are errors, those below warnings (`--fail-on`). Default: high. */
  failOn?: FailOn;
  /** Level of a failing finding, by its severity, over what failOn gives. */
  levels?: Partial<Record<Severity, AnnotationLevel>>;
  /** Level of a finding that could not be determined. Default: warning. */
  unknownLevel?: AnnotationLevel;
  /** Level of a failing finding that a waiver covers (the message gives the waiver's reason). Default: info. */
  suppressedLevel?: AnnotationLevel;
}

/** Where the check of one stack put its annotations: a finding and the construct path it was reported on. */
export interface AnnotatedFinding {
  finding: Finding;
  level: AnnotationLevel;
  constructPath: string;
  message: string;
}

/** What rdsguard writes in a stack's template Metadata for an inline waiver (see the README's policy section). */
export interface RdsGuardWaiver {
  rule: string;
  reason: string;
  /** YYYY-MM-DD; from that day on the finding is back. */
  expires?: string;
}

type TemplateSection = Record<string, unknown>;

/**
 * Add to an App, a Stage or a Stack: `Aspects.of(stage).add(new RdsGuardAspect())`. Aspects do not cross Stage
 * boundaries, so add it to each Stage too. The check runs as a validation of each stack, after every Aspect and
 * after CDK's prepare phase, so it sees the template `cdk synth` writes (tags included).
 */
export class RdsGuardAspect implements IAspect {
  /** Every finding of the stacks checked so far (pass and not-applicable too), in check order. */
  readonly findings: Finding[] = [];
  /** Policy errors, waivers that cannot be honoured, templates that could not be built. */
  readonly errors: ScanError[] = [];
  /** The annotations added so far. */
  readonly annotations: AnnotatedFinding[] = [];

  private readonly ruleSet: RuleSet;
  private readonly cwd: string;
  private readonly levels: Record<Severity, AnnotationLevel>;
  private readonly visited = new WeakSet<IConstruct>();

  /** Loads the policy synchronously (loadRuleSetSync): rule plugins, which are ES modules, need `load`. */
  constructor(private readonly options: RdsGuardAspectOptions = {}) {
    this.cwd = path.resolve(options.cwd ?? process.cwd());
    this.ruleSet = options.ruleSet ?? loadRuleSetSync(cdkRuleSetOptions(this.cwd, options));
    this.levels = { ...annotationLevels(options.failOn ?? DEFAULT_CDK_FAIL_ON), ...options.levels };
    appendAll(this.errors, this.ruleSet.errors);
  }

  /** Loads the policy with loadRuleSet, so policy-defined rules and rule plugins are judged too. */
  static async load(options: RdsGuardAspectOptions = {}): Promise<RdsGuardAspect> {
    if (options.ruleSet) return new RdsGuardAspect(options);
    const cwd = path.resolve(options.cwd ?? process.cwd());
    const ruleSet = await loadRuleSet(cdkRuleSetOptions(cwd, options));
    return new RdsGuardAspect({ ...options, cwd, ruleSet });
  }

  visit(node: IConstruct): void {
    if (!Stack.isStack(node) || this.visited.has(node)) return;
    this.visited.add(node);
    // Deferred to validation: later Aspects (Tags among them) and prepare still change the template.
    node.node.addValidation({
      validate: () => {
        this.check(node);
        return [];
      },
    });
  }

  /** Judges one stack now and annotates its constructs; returns the stack's findings. */
  check(stack: Stack): Finding[] {
    const problems: ScanError[] = [];
    const { template, elements } = stackTemplate(stack, problems);
    const file = displayPath(path.join(Stage.of(stack)?.outdir ?? this.cwd, stack.templateFile), this.cwd);
    const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
    const accountId = Token.isUnresolved(stack.account) ? undefined : stack.account;
    const scanned = scanTemplateText(JSON.stringify(template, undefined, 1), file, {
      stackName: stack.stackName,
      ...(region !== undefined ? { region } : {}),
      ...(accountId !== undefined ? { accountId } : {}),
    });
    if (scanned.error) problems.push(scanned.error);
    const findings: Finding[] = [];
    if (scanned.model) {
      describeStack(scanned.model, stack, elements, this.cwd);
      const judge = new Judge({
        policy: this.ruleSet.policy,
        rules: this.ruleSet.rules,
        strict: this.options.strict ?? false,
        now: this.options.now ?? new Date(),
      });
      judge.judge(scanned.model);
      appendAll(findings, judge.findings);
      appendAll(problems, judge.errors);
    }
    for (const f of findings) this.annotate(f, elements.get(f.resource.origin.logicalId ?? "") ?? stack);
    // Policy errors are shown on every stack (an error fails the stack's synthesis) but recorded once.
    for (const e of [...this.ruleSet.errors, ...problems]) {
      const place = errorPlace(e);
      Annotations.of(stack).addError(cdkSafeText(`[rdsguard] ${e.message}${place ? ` (${place})` : ""}`));
    }
    appendAll(this.findings, findings);
    appendAll(this.errors, problems);
    return findings;
  }

  private annotate(f: Finding, construct: IConstruct): void {
    if (f.verdict !== "fail" && f.verdict !== "unknown") return;
    let level: AnnotationLevel;
    if (f.suppression) level = this.options.suppressedLevel ?? "info";
    else if (f.verdict === "unknown") level = this.options.unknownLevel ?? "warning";
    else level = this.levels[f.severity] ?? "warning";
    const message = annotationMessage(f, this.ruleSet.rules.find((r) => r.meta.id === f.ruleId)?.meta);
    addAnnotation(construct, level, annotationId(f.ruleId), message);
    this.annotations.push({ finding: f, level, constructPath: construct.node.path, message });
  }
}

/**
 * One annotation: an error (not acknowledgeable in the CDK; a waiver is the way), a warning under its rule's id
 * (`Annotations.of(scope).acknowledgeWarning("rdsguard:iam-auth", reason)` hides it), or an info.
 */
export function addAnnotation(construct: IConstruct, level: AnnotationLevel, id: string, message: string): void {
  const annotations = Annotations.of(construct);
  if (level === "error") annotations.addError(message);
  else if (level === "warning") annotations.addWarningV2(id, message);
  else if (level === "info") annotations.addInfo(message);
}

/**
 * Adds an inline waiver to a construct's CloudFormation resource (the construct itself, or its default child for
 * an L2 such as DatabaseCluster): Metadata rdsguard.suppress, the same waiver a template author writes by hand,
 * honoured by both the Aspect and `rdsguard scan cdk.out`.
 */
export function addRdsGuardWaiver(construct: IConstruct, waiver: RdsGuardWaiver): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`rdsguard: ${construct.node.path} is not a CloudFormation resource and has no default child`);
  }
  const existing = resource.getMetadata("rdsguard") as { suppress?: InlineSuppression[] } | undefined;
  const suppress = [...(existing?.suppress ?? []), { ...waiver }];
  resource.addMetadata("rdsguard", { ...existing, suppress });
}

/**
 * The stack's template as `cdk synth` writes it: each CloudFormation element of this stack (not of its nested
 * stacks) rendered and resolved. `_toCloudFormation` is aws-cdk-lib's internal renderer (cdk-nag uses it too); an
 * element it cannot render is reported and left out.
 */
function stackTemplate(
  stack: Stack,
  problems: ScanError[],
): { template: Record<string, TemplateSection>; elements: Map<string, CfnElement> } {
  const template: Record<string, TemplateSection> = {};
  const elements = new Map<string, CfnElement>();
  for (const construct of stack.node.findAll()) {
    if (!CfnElement.isCfnElement(construct) || Stack.of(construct) !== stack) continue;
    const render = (construct as unknown as { _toCloudFormation?: () => unknown })._toCloudFormation;
    if (typeof render !== "function") continue;
    try {
      const fragment = stack.resolve(render.call(construct) as IResolvable) as Record<string, unknown>;
      for (const [section, entries] of Object.entries(fragment ?? {})) {
        if (typeof entries !== "object" || entries === null) continue;
        template[section] = { ...template[section], ...entries };
        if (section === "Resources") for (const id of Object.keys(entries)) elements.set(id, construct);
      }
    } catch (err) {
      problems.push({
        kind: "internal",
        message: `cannot render ${construct.node.path} for rdsguard: ${(err as Error).message}`,
      });
    }
  }
  return { template, elements };
}

/** Stack name, construct path (also without path metadata) and creation source, as the cdk.out reader gives them. */
function describeStack(model: Model, stack: Stack, elements: Map<string, CfnElement>, cwd: string): void {
  model.stackName = stack.stackName;
  for (const resource of model.resources.values()) {
    const origin = resource.origin;
    origin.stackName = stack.stackName;
    const element = elements.get(origin.logicalId ?? "");
    if (!element) continue;
    origin.cdkPath ??= element.node.path;
    const source = constructSource(element.node.metadata as ConstructMetadataEntry[], cwd);
    if (source) origin.constructSource = source;
  }
}
