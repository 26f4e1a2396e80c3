/**
 * Text that rdsguard hands to the CDK (annotation messages, validation report descriptions), made safe for the CDK
 * CLI and aws-cdk-lib, which read an id out of an annotation's text: the first `[ack: ID]` anywhere in it, else a
 * final `(A::B)`; an id they cannot parse (a second `::`, an unbalanced bracket) aborts `cdk synth`. This module
 * imports neither aws-cdk-lib nor constructs.
 */
import type { Finding } from "../engine/types.js";
import { describeSuppression } from "../reporters/common.js";
import type { RuleMeta } from "../rules/types.js";

/**
 * Any text, made impossible for the CDK to read an id from: `[ack:` loses its shape (`[ack :`), and text ending in
 * `)` gets a full stop, so that only the id rdsguard itself attaches (addWarningV2's `[ack: rdsguard:RULE]`) counts.
 */
export function cdkSafeText(text: string): string {
  const safe = text.replace(/\[(\s*)ack(\s*):/gi, "[$1ack $2:").trimEnd();
  return safe.endsWith(")") ? `${safe}.` : safe;
}

/** The acknowledgeable id of a rule's annotations: `rdsguard:<rule-id>`, in characters the CDK reads as one id. */
export function annotationId(ruleId: string): string {
  return `rdsguard:${ruleId.replace(/[^A-Za-z0-9._-]/g, "-")}`;
}

/** A rule id as a CDK validation rule name: kebab-case ids pass unchanged; anything else the CDK could misread goes. */
export function cdkRuleName(ruleId: string): string {
  return ruleId.replace(/[^A-Za-z0-9._-]/g, "-");
}

/** What a finding says in the CDK, before cdkSafeText: message, property and condition, waiver or uncertainty. */
export function findingText(f: Finding): string {
  let text = f.message;
  if (f.property !== undefined && !text.includes(f.property)) text = `${text} (property ${f.property})`;
  if (f.when !== undefined && !text.includes(f.when)) text = `${text} (when ${f.when})`;
  if (f.suppression) return `${text} [suppressed: ${describeSuppression(f.suppression)}]`;
  if (f.verdict === "unknown") return `could not be determined: ${text}`;
  return text;
}

/** An annotation's whole message: `[rdsguard] RULE (SEVERITY) TITLE: TEXT`, made safe. */
export function annotationMessage(f: Finding, rule: Pick<RuleMeta, "title"> | undefined): string {
  return cdkSafeText(`[rdsguard] ${f.ruleId} (${f.severity}) ${rule?.title ?? f.ruleId}: ${findingText(f)}`);
}
