/** `rdsguard explain RULE [--format text|json]`: one rule in full (rationale, parameters, remediation, mappings). */

import { parseCommandArgs, usageFailure } from "./args.js";
import { renderRuleExplanation } from "./catalogue.js";
import { loadCatalogue, POLICY_CATALOGUE_USAGE, POLICY_OPTIONS } from "./rule-set.js";

const USAGE = `Usage: rdsguard explain RULE [--format text|json] [--config FILE] [--plugin FILE]...

Prints what RULE judges, why, its parameters and defaults, a remediation snippet and the
matching ids in Security Hub, AWS Config and peer tools. 'rdsguard rules' lists the ids.
A rule the policy defines (customRules) or a plugin adds is explained the same way.

Options:
  -f, --format FORMAT  text (default), or json: the rule's metadata
${POLICY_CATALOGUE_USAGE}
  -h, --help           this help`;

export async function run(argv: string[]): Promise<number> {
  let ruleId: string | undefined;
  let values: { format: string; help?: boolean; config?: string; plugin?: string[]; "allow-plugins"?: boolean };
  try {
    const parsed = parseCommandArgs({
      args: argv,
      options: {
        format: { type: "string", short: "f", default: "text" },
        help: { type: "boolean", short: "h" },
        ...POLICY_OPTIONS,
      },
      allowPositionals: true,
    });
    values = parsed.values;
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new Error("expected exactly one rule id");
    ruleId = parsed.positionals[0];
  } catch (err) {
    process.stderr.write(usageFailure("explain", (err as Error).message));
    return 2;
  }
  const format = values.format;
  if (format !== "text" && format !== "json") {
    process.stderr.write(`rdsguard explain: unknown format "${format}"; expected text or json\n`);
    return 2;
  }
  const { rules, exitCode } = await loadCatalogue("explain", values);
  const rule = rules.find((r) => r.meta.id === ruleId);
  if (!rule) {
    process.stderr.write(
      `rdsguard explain: unknown rule "${ruleId}". Known rules:\n${rules.map((r) => `  ${r.meta.id}`).join("\n")}\n`,
    );
    return 2;
  }
  process.stdout.write(
    format === "json" ? `${JSON.stringify(rule.meta, null, 2)}\n` : renderRuleExplanation(rule.meta),
  );
  return exitCode;
}
