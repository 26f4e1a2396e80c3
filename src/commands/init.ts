/** `rdsguard init [--force] [PATH]`: writes a commented starter rdsguard.yaml that validates against the schema. */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { USER_POLICY_FILE } from "../policy/load.js";
import { allRules } from "../rules/index.js";
import type { RuleMeta } from "../rules/types.js";
import { POLICY_SCHEMA_URL } from "../version.js";
import { parseCommandArgs, usageFailure } from "./args.js";

const USAGE = `Usage: rdsguard init [--force] [--parents] [PATH]

Writes a commented starter policy to PATH (default ./${USER_POLICY_FILE}; a directory gets ${USER_POLICY_FILE}
inside it). It is layered on top of the defaults shipped with rdsguard.

Options:
  --force        overwrite an existing file
  --parents      create PATH's missing parent directories (otherwise a missing directory is an error)
  -h, --help     this help`;

function yamlScalar(value: unknown): string {
  if (Array.isArray(value) || typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/**
 * The example part of the starter as live YAML: every rule with its default severity and parameters, one profile,
 * one waiver and a stack mapping. The starter file carries it commented out, one '#' per line.
 */
export function renderStarterExample(rules: readonly { meta: RuleMeta }[]): string {
  const ids = rules.map((r) => r.meta.id);
  const exampleRule = ids.includes("multi-az") ? "multi-az" : (ids[0] ?? "multi-az");
  const out: string[] = [
    '# Profile for resources that no profile selects ("default" applies only the top-level rules).',
    "defaultProfile: default",
    "",
    "# Settings for every resource. Per rule: enabled (true/false), severity (critical, high, medium, low,",
    "# info) and parameters. The values shown are the rule defaults.",
    "rules:",
  ];
  for (const { meta } of rules) {
    out.push(`  # ${meta.title}`, `  ${meta.id}:`, "    enabled: true", `    severity: ${meta.severity}`);
    if (meta.parameters.length > 0) out.push("    parameters:");
    for (const p of meta.parameters) {
      out.push(`      # ${p.description.replace(/\s+/g, " ")}`, `      ${p.name}: ${yamlScalar(p.default)}`);
    }
  }
  out.push(
    "",
    "# Profiles change settings for some resources. A resource gets the first profile with any matching",
    "# criterion (a tag, stack name glob, account id or file path glob). Yours are tried before the shipped",
    "# production and development profiles; naming a shipped profile changes it.",
    "profiles:",
    "  - name: staging",
    "    match:",
    "      tags:",
    "        environment: [staging, stage]",
    '      stackNames: ["*-staging"]',
    '      accounts: ["123456789012"]',
    '      paths: ["stacks/staging/**"]',
    "    rules:",
    `      ${exampleRule}:`,
    "        severity: low",
    "",
    "# Waivers accept a fail or unknown finding. reason is required; from the expires date (UTC) on, the",
    "# finding is reported again and says the waiver expired. resource is a glob on the logical id, name,",
    "# ARN, CDK path or file#logicalId.",
    "waivers:",
    `  - rule: ${exampleRule}`,
    '    resource: "stacks/reporting.yaml#ReportingDb"',
    '    reason: "Reporting copy, rebuilt from the primary in minutes (OPS-1234)"',
    "    expires: 2027-01-31",
    "",
    "# CloudFormation stack name -> template file, so live findings point at the file defining the stack.",
    "stackTemplates:",
    "  orders-prod: stacks/orders.yaml",
    "",
    "# Your own rules: which resources, and a condition over their attributes (CloudFormation names). A test on",
    "# a value that cannot be known is unknown, never pass. Reference: docs/policy.md#custom-rules; test them",
    "# with `rdsguard test`. Rules that need code are plugins (ES modules): plugins: [./rules/my-rules.mjs].",
    "customRules:",
    "  - id: org-postgres-minimum-version",
    "    title: PostgreSQL engines are at least version 15.4",
    "    severity: high",
    "    appliesTo:",
    "      kinds: [db-cluster, db-instance]",
    "      roles: [standalone, read-replica]",
    "      engines: [postgres, aurora-postgresql]",
    "    condition:",
    "      attribute: EngineVersion",
    '      greaterThanOrEqual: "15.4"',
  );
  return `${out.join("\n")}\n`;
}

export function renderStarterPolicy(rules: readonly { meta: RuleMeta }[]): string {
  const example = renderStarterExample(rules)
    .trimEnd()
    .split("\n")
    // Top-level prose stays as it is; every other line gets a bare '#', so deleting that character restores it.
    .map((line) => (line === "" || line.startsWith("# ") ? line : `#${line}`));
  return [
    "# rdsguard policy, written by `rdsguard init`.",
    "#",
    "# rdsguard starts from the defaults shipped with it (its rules.yaml) and layers this file on top, so write",
    "# only what you want to change. `rdsguard scan` and `rdsguard audit` read ./rdsguard.yaml from the working",
    "# directory, or the file given with --config. Reference: docs/policy.md; rule ids, parameters and",
    "# defaults: `rdsguard rules` and `rdsguard explain RULE`.",
    "#",
    `# yaml-language-server: $schema=${POLICY_SCHEMA_URL}`,
    "",
    "version: 1",
    "",
    "# Examples: delete the single '#' in front of a YAML line to use it.",
    "",
    ...example,
    "",
  ].join("\n");
}

export async function run(argv: string[]): Promise<number> {
  let target: string;
  let force: boolean;
  let parents: boolean;
  try {
    const { values, positionals } = parseCommandArgs({
      args: argv,
      options: {
        force: { type: "boolean", default: false },
        parents: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length > 1) throw new Error("expected at most one PATH");
    target = resolve(process.cwd(), positionals[0] ?? USER_POLICY_FILE);
    force = values.force;
    parents = values.parents;
  } catch (err) {
    process.stderr.write(usageFailure("init", (err as Error).message));
    return 2;
  }
  if (existsSync(target) && statSync(target).isDirectory()) target = join(target, USER_POLICY_FILE);
  if (existsSync(target) && !force) {
    process.stderr.write(`rdsguard init: ${target} already exists; use --force to overwrite it\n`);
    return 2;
  }
  if (!existsSync(dirname(target)) && !parents) {
    process.stderr.write(
      `rdsguard init: directory ${dirname(target)} does not exist; create it, or give --parents to have it created\n`,
    );
    return 2;
  }
  try {
    if (parents) mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, renderStarterPolicy(allRules));
  } catch (err) {
    process.stderr.write(`rdsguard init: cannot write ${target}: ${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`wrote ${target}\n`);
  return 0;
}
