/** `rdsguard rules [--format table|markdown|json]`: the rule catalogue with parameters and peer mappings. */
import { parseArgs } from "node:util";
import { renderCatalogueMarkdown, renderCatalogueTable } from "./catalogue.js";
import { loadCatalogue, POLICY_CATALOGUE_USAGE, POLICY_OPTIONS } from "./rule-set.js";

const USAGE = `Usage: rdsguard rules [--format table|markdown|json] [--config FILE] [--plugin FILE]...

Lists every rule with its id, title, default severity, parameters and the matching ids in
AWS Security Hub, AWS Config, Checkov, cfn_nag, cfn-guard and cdk-nag; then the rules the
policy file defines (customRules) and its plugins add.
  --format table     aligned columns for a terminal (default)
  --format markdown  the Markdown of docs/rules.md (with a policy's own rules: its rule docs)
  --format json      the rule metadata as JSON
${POLICY_CATALOGUE_USAGE}`;

const FORMATS = ["table", "markdown", "json"] as const;

export async function run(argv: string[]): Promise<number> {
  let values: { format: string; help?: boolean; config?: string; plugin?: string[]; "allow-plugins"?: boolean };
  try {
    ({ values } = parseArgs({
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
    process.stderr.write(`rdsguard rules: ${(err as Error).message}\n\n${USAGE}\n`);
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
