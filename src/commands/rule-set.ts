/**
 * The rule set as the catalogue commands (`rules`, `explain`, `test`) see it: built-in rules plus the policy's own
 * rules and plugins, with policy problems printed to stderr (the command still answers, and exits 2).
 */
import { GATE_RULES } from "../engine/gate-rules.js";
import { loadRuleSet, type RuleSet } from "../engine/report.js";
import { errorPlace } from "../reporters/common.js";

/** --config and --plugin, as every command that loads the rule set takes them. */
export const POLICY_OPTIONS = {
  config: { type: "string" },
  plugin: { type: "string", multiple: true },
  "allow-plugins": { type: "boolean" },
} as const;

/** The gate options of `scan` and `audit` (src/engine/gate.ts). */
export const GATE_OPTIONS = {
  "policy-ref": { type: "string" },
  "policy-base": { type: "string" },
  "allow-policy-changes": { type: "boolean" },
} as const;

export const GATE_USAGE = `  --policy-ref REF         read the policy file (--config's path, else rdsguard.yaml) and the plugins it
                           names from git REF (e.g. origin/main), not from the working tree
  --policy-base REF|FILE   compare the working tree's policy with REF's (or FILE) and report each
                           weakening, new plugin and (REF) new inline waiver as a finding (policy-weakened,
                           waiver-added; severity high); plugins the base lacks are not run
  --allow-policy-changes   report those findings as accepted; they do not fail the gate
  --allow-plugins          run the plugins of a policy found in the working directory (./rdsguard.yaml);
                           without it only a policy named by --config or --policy-ref may run plugins`;

export const POLICY_CATALOGUE_USAGE = `  --config FILE      policy file whose customRules and plugins join the catalogue
                     (default: ./rdsguard.yaml when present)
  --plugin FILE      rule plugin to load as well (repeatable)
  --allow-plugins    run the plugins of ./rdsguard.yaml when --config does not name it`;

/** The rule-set options of every command, from its parsed --config/--plugin/--allow-plugins. */
export function ruleSetOptions(values: { config?: string; plugin?: string[]; "allow-plugins"?: boolean }) {
  return {
    ...(values.config !== undefined ? { configPath: values.config } : {}),
    ...(values.plugin !== undefined ? { plugins: values.plugin } : {}),
    allowPlugins: values["allow-plugins"] ?? false,
  };
}

export async function loadCatalogue(
  command: string,
  values: { config?: string; plugin?: string[]; "allow-plugins"?: boolean },
  cwd = process.cwd(),
): Promise<RuleSet & { exitCode: number }> {
  const ruleSet = await loadRuleSet({ cwd, ...ruleSetOptions(values) });
  for (const e of ruleSet.errors) {
    const place = errorPlace(e);
    process.stderr.write(`rdsguard ${command}: ${place ? `${place}: ` : ""}${e.message}\n`);
  }
  // The gate's own rules (--policy-base) are in the catalogue too, after every rule that judges resources.
  return { ...ruleSet, rules: [...ruleSet.rules, ...GATE_RULES], exitCode: ruleSet.errors.length > 0 ? 2 : 0 };
}
