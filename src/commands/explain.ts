/** `rdsguard explain RULE [--format text|json]`: one rule in full (rationale, parameters, remediation, mappings). */
import { parseArgs } from "node:util";
import { allRules, getRule } from "../rules/index.js";
import { renderRuleExplanation } from "./catalogue.js";

const USAGE = `Usage: rdsguard explain RULE [--format text|json]

Prints what RULE judges, why, its parameters and defaults, a remediation snippet and the
matching ids in Security Hub, AWS Config and peer tools. 'rdsguard rules' lists the ids.`;

export async function run(argv: string[]): Promise<number> {
  let ruleId: string | undefined;
  let format: string;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { format: { type: "string", short: "f", default: "text" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new Error("expected exactly one rule id");
    ruleId = positionals[0];
    format = values.format;
  } catch (err) {
    process.stderr.write(`rdsguard explain: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (format !== "text" && format !== "json") {
    process.stderr.write(`rdsguard explain: unknown format "${format}"; expected text or json\n`);
    return 2;
  }
  const rule = ruleId === undefined ? undefined : getRule(ruleId);
  if (!rule) {
    process.stderr.write(
      `rdsguard explain: unknown rule "${ruleId}". Known rules:\n${allRules.map((r) => `  ${r.meta.id}`).join("\n")}\n`,
    );
    return 2;
  }
  process.stdout.write(
    format === "json" ? `${JSON.stringify(rule.meta, null, 2)}\n` : renderRuleExplanation(rule.meta),
  );
  return 0;
}
