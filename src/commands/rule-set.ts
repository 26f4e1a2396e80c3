/**
 * The rule set as the catalogue commands (`rules`, `explain`, `test`) see it: built-in rules plus the policy's own
 * rules and plugins, with policy problems printed to stderr (the command still answers, and exits 2).
 */
import { loadRuleSet, type RuleSet } from "../engine/report.js";
import { errorPlace } from "../reporters/common.js";

/** --config and --plugin, as every command that loads the rule set takes them. */
export const POLICY_OPTIONS = {
  config: { type: "string" },
  plugin: { type: "string", multiple: true },
} as const;

export const POLICY_CATALOGUE_USAGE = `  --config FILE        policy file whose customRules and plugins join the catalogue
                       (default: ./rdsguard.yaml when present)
  --plugin FILE        rule plugin to load as well (repeatable)`;

export async function loadCatalogue(
  command: string,
  values: { config?: string; plugin?: string[] },
  cwd = process.cwd(),
): Promise<RuleSet & { exitCode: number }> {
  const ruleSet = await loadRuleSet({ cwd, configPath: values.config, plugins: values.plugin });
  for (const e of ruleSet.errors) {
    const place = errorPlace(e);
    process.stderr.write(`rdsguard ${command}: ${place ? `${place}: ` : ""}${e.message}\n`);
  }
  return { ...ruleSet, exitCode: ruleSet.errors.length > 0 ? 2 : 0 };
}
