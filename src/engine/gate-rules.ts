/**
 * The two rules the gate itself reports under `--policy-base` (src/engine/gate.ts): a weakened policy and a new
 * waiver. They judge the change to the policy, not a resource, so they apply to no resource kind and the engine never
 * evaluates them; their metadata puts them in the catalogue, SARIF rules, JUnit and Markdown like any other rule.
 * Their severity is fixed (high): the policy under review cannot lower it, and waivers do not cover them; only
 * --allow-policy-changes does.
 */
import { POLICY_WEAKENED, WAIVER_ADDED } from "../policy/compare.js";
import { noReferences, type Rule, type RuleMeta } from "../rules/types.js";

const policyWeakened: RuleMeta = {
  id: POLICY_WEAKENED,
  title: "The policy is weakened relative to its base",
  severity: "high",
  description:
    "With --policy-base, each way the working tree's policy is more lenient than the base's: a disabled rule, a lowered severity, a parameter moved the lenient way, a removed or rewritten custom rule, a default profile or profile match that hands resources weaker settings, a new or changed plugin.",
  rationale:
    "The policy is read from the tree under review, so a pull request could otherwise relax the rules that judge it without any report saying so.",
  remediation: {
    text: "Revert the change, or have it reviewed (CODEOWNERS on the policy file) and merged on its own; a run that accepts it passes --allow-policy-changes.",
    snippet: "",
  },
  parameters: [],
  references: noReferences(),
  appliesTo: [],
  tags: ["gate-integrity"],
  sources: [],
};

const waiverAdded: RuleMeta = {
  id: WAIVER_ADDED,
  title: "A waiver is new relative to the base",
  severity: "high",
  description:
    "With --policy-base, a policy waiver that is new or covers more (rule, resources, expiry) than the base's, and an inline Metadata waiver that the base's version of the template does not have.",
  rationale:
    "A waiver added in the same change as the finding it hides is not distinguished from one reviewed long ago unless the gate says so.",
  remediation: {
    text: "Have the waiver reviewed and merged on its own, or fix the finding it hides; a run that accepts it passes --allow-policy-changes.",
    snippet: "",
  },
  parameters: [],
  references: noReferences(),
  appliesTo: [],
  tags: ["gate-integrity"],
  sources: [],
};

/** The gate's rules, for the catalogue and for reports made with --policy-base. Never evaluated per resource. */
export const GATE_RULES: readonly Rule[] = [policyWeakened, waiverAdded].map((meta) => ({
  meta,
  evaluate: () => [],
}));
