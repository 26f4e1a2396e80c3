/** `rdsguard rules [--format table|markdown|json]`: the rule catalogue with parameters and peer mappings. */

import { parseCommandArgs, usageFailure } from "./args.js";
import { renderCatalogueMarkdown, renderCatalogueTable } from "./catalogue.js";
import { loadCatalogue, POLICY_CATALOGUE_USAGE, POLICY_OPTIONS } from "./rule-set.js";

const USAGE = `Usage: rdsguard rules [--format table|markdown|json] [--config FILE] [--plugin FILE]...

Lists every rule with its id, title, default severity, parameters and the matching ids in
AWS Security Hub, AWS Config, Checkov, cfn_nag, cfn-guard and cdk-nag; then the rules the
policy file defines (customRules) and its plugins add.

Options:
  -f, --format FORMAT  table: aligned columns for a terminal (default); markdown: the Markdown of
                       docs/rules.md (with a policy's own rules: its rule docs); json: the rule metadata
${POLICY_CATALOGUE_USAGE}
  -h, --help           this help`;

const FORMATS = ["table", "markdown", "json"] as const;

export async function run(argv: string[]): Promise<number> {
  let values: { format: string; help?: boolean; config?: string; plugin?: string[]; "allow-plugins"?: boolean };
  try {
    ({ values } = parseCommandArgs({
      args: argv,
      options: {
        format: { type: "string", short: "f", default: "table" },
        help: { type: "boolean", short: "h" },
        ...POLICY_OPTIONS,
      },
      allowPositionals: false,
    }));
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
  } catch (err) {
    process.stderr.write(usageFailure("rules", (err as Error).message));
    return 2;
  }
  const format = values.format;
  if (!(FORMATS as readonly string[]).includes(format)) {
    process.stderr.write(`rdsguard rules: unknown format "${format}"; expected one of ${FORMATS.join(", ")}\n`);
    return 2;
  }
  const { rules, exitCode } = await loadCatalogue("rules", values);
  switch (format) {
    case "table":
      process.stdout.write(renderCatalogueTable(rules));
      break;
    case "markdown":
      process.stdout.write(renderCatalogueMarkdown(rules));
      break;
    default:
      process.stdout.write(
        `${JSON.stringify(
          rules.map((r) => r.meta),
          null,
          2,
        )}\n`,
      );
  }
  return exitCode;
}
