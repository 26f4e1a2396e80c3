/**
 * Which waiver covers a finding: inline suppressions in the resource's template Metadata and the policy's waivers.
 * A valid unexpired one suppresses; an expired one brings the finding back and is named in its message; an inline
 * suppression without a reason (or with a bad date) is never honoured.
 */
import type { InlineSuppression, Model, ModelResource, SourceLocation } from "../model/types.js";
import { isExpired, isIsoDate } from "../policy/dates.js";
import type { Policy, PolicyWaiver } from "../policy/types.js";
import { anyGlobMatches, normalizePath } from "../util/glob.js";
import type { ScanError, Suppression } from "./types.js";

export interface SuppressionOutcome {
  suppression?: Suppression;
  expiredSuppression?: Suppression;
  /** Sentences to append to the finding's message. */
  notes: string[];
}

/** The names a waiver's resource glob is tried against. */
export function resourceNames(resource: ModelResource, model: Model): string[] {
  const o = resource.origin;
  const rawFile = o.file ?? model.file;
  const file = rawFile !== undefined ? normalizePath(rawFile) : undefined;
  const names = [resource.id, resource.name, o.logicalId, o.arn, o.cdkPath, o.stackLogicalId];
  if (file !== undefined && o.logicalId !== undefined) names.push(`${file}#${o.logicalId}`);
  return names.filter((n): n is string => n !== undefined && n !== "");
}

/** Why an inline suppression cannot be honoured, or undefined when it is well-formed. */
export function inlineSuppressionProblem(s: InlineSuppression): string | undefined {
  if (s.reason === undefined || s.reason.trim() === "") return "it gives no reason (every suppression must say why)";
  if (s.expires !== undefined && !isIsoDate(s.expires)) {
    return `its expires must be a date written YYYY-MM-DD, got ${JSON.stringify(s.expires)}`;
  }
  return undefined;
}

function where(loc: SourceLocation | undefined): string {
  return loc ? ` at ${loc.file}:${loc.line}:${loc.column}` : "";
}

function appliesTo(rule: string, ruleId: string): boolean {
  return rule === "*" || rule === ruleId;
}

export function resolveSuppression(
  ruleId: string,
  resource: ModelResource,
  model: Model,
  policy: Policy,
  now: Date,
): SuppressionOutcome {
  const candidates: Suppression[] = [];
  const notes: string[] = [];
  for (const inline of resource.suppressions) {
    if (!appliesTo(inline.rule, ruleId)) continue;
    const problem = inlineSuppressionProblem(inline);
    if (problem !== undefined) {
      notes.push(`inline suppression${where(inline.loc)} ignored: ${problem}`);
      continue;
    }
    candidates.push({
      kind: "inline",
      reason: (inline.reason ?? "").trim(),
      ...(inline.expires !== undefined ? { expires: inline.expires } : {}),
      ...(inline.loc ? { loc: inline.loc } : {}),
    });
  }
  const names = resourceNames(resource, model);
  for (const waiver of policy.waivers) {
    if (appliesTo(waiver.rule, ruleId) && anyGlobMatches([waiver.resource], names)) {
      candidates.push(policySuppression(waiver));
    }
  }
  const valid = candidates.find((s) => s.expires === undefined || !isExpired(s.expires, now));
  if (valid) return { suppression: valid, notes };
  // Of several expired waivers, name the one that expired last.
  const expired = candidates.sort((a, b) => (b.expires ?? "").localeCompare(a.expires ?? ""))[0];
  if (expired) {
    notes.push(`waiver expired on ${expired.expires}${where(expired.loc)}; it said: ${JSON.stringify(expired.reason)}`);
    return { expiredSuppression: expired, notes };
  }
  return { notes };
}

function policySuppression(waiver: PolicyWaiver): Suppression {
  return {
    kind: "policy",
    reason: waiver.reason,
    ...(waiver.expires !== undefined ? { expires: waiver.expires } : {}),
    ...(waiver.loc ? { loc: waiver.loc } : {}),
  };
}

/**
 * Inline suppressions that cannot be honoured (no reason, bad date, unknown rule id), as errors naming their place.
 * The findings they meant to cover stay active; runRules notes that in each finding's message too.
 */
export function checkInlineSuppressions(models: readonly Model[], ruleIds: readonly string[]): ScanError[] {
  const known = new Set(ruleIds);
  const errors: ScanError[] = [];
  for (const model of models) {
    for (const resource of model.resources.values()) {
      for (const s of resource.suppressions) {
        const problems: string[] = [];
        if (s.rule === "") problems.push('it names no rule (rule: RULE-ID or "*")');
        else if (s.rule !== "*" && !known.has(s.rule)) {
          problems.push(`it names unknown rule id ${JSON.stringify(s.rule)} (known rule ids: ${ruleIds.join(", ")})`);
        }
        const problem = inlineSuppressionProblem(s);
        if (problem !== undefined) problems.push(problem);
        for (const p of problems) {
          errors.push({
            kind: "policy",
            message: `inline suppression of ${s.rule} on ${resource.name} ignored: ${p}`,
            ...(s.loc
              ? { file: s.loc.file, line: s.loc.line, column: s.loc.column }
              : (resource.origin.file ?? model.file) !== undefined
                ? { file: resource.origin.file ?? model.file }
                : {}),
          });
        }
      }
    }
  }
  return errors;
}
