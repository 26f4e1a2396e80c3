/** `rdsguard rules [--format table|markdown|json]`: the rule catalogue with parameters and peer mappings. */
import { parseArgs } from "node:util";
import { allRules } from "../rules/index.js";
import { renderCatalogueMarkdown, renderCatalogueTable } from "./catalogue.js";

const USAGE = `Usage: rdsguard rules [--format table|markdown|json]

Lists every rule with its id, title, default severity, parameters and the matching ids in
AWS Security Hub, AWS Config, Checkov, cfn_nag, cfn-guard and cdk-nag.
  --format table     aligned columns for a terminal (default)
  --format markdown  the Markdown of docs/rules.md
  --format json      the rule metadata as JSON`;

const FORMATS = ["table", "markdown", "json"] as const;

export async function run(argv: string[]): Promise<number> {
  let format: string;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { format: { type: "string", short: "f", default: "table" }, help: { type: "boolean", short: "h" } },
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    format = values.format;
  } catch (err) {
    process.stderr.write(`rdsguard rules: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  switch (format) {
    case "table":
      process.stdout.write(renderCatalogueTable(allRules));
      return 0;
    case "markdown":
      process.stdout.write(renderCatalogueMarkdown(allRules));
      return 0;
    case "json":
      process.stdout.write(
        `${JSON.stringify(
          allRules.map((r) => r.meta),
          null,
          2,
        )}\n`,
      );
      return 0;
    default:
      process.stderr.write(`rdsguard rules: unknown format "${format}"; expected one of ${FORMATS.join(", ")}\n`);
      return 2;
  }
}
