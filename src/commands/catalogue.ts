/**
 * Renders rule metadata for people: the catalogue (terminal table, Markdown for docs/rules.md) and one rule in full
 * (`rdsguard explain`). docs/rules.md is exactly renderCatalogueMarkdown(allRules), checked by a test.
 */
import { RESOURCE_KIND_LABEL } from "../model/types.js";
import type { RuleMeta, RuleParameter, RuleReferences } from "../rules/types.js";

interface HasMeta {
  meta: RuleMeta;
}

/** Catalogue columns in a fixed order, with the names users know them by. */
export const REFERENCE_LABELS: ReadonlyArray<[keyof RuleReferences, string]> = [
  ["securityHub", "Security Hub"],
  ["awsConfig", "AWS Config"],
  ["checkov", "Checkov"],
  ["cfnNag", "cfn_nag"],
  ["cfnGuard", "cfn-guard"],
  ["cdkNag", "cdk-nag"],
];

const KIND_NAMES = RESOURCE_KIND_LABEL;

/** "policy rdsguard.yaml:12" or "plugin plugins/windows.mjs" for a rule that is not built in. */
export function definedInLabel(meta: RuleMeta): string | undefined {
  const d = meta.definedIn;
  if (!d) return undefined;
  return `${d.kind} ${d.file}${d.line !== undefined ? `:${d.line}` : ""}`;
}

/** The resource kinds a rule judges; the gate's rules (appliesTo empty) judge the policy change itself. */
function appliesToLabel(meta: RuleMeta): string {
  if (meta.appliesTo.length === 0) return "the change to the policy (--policy-base)";
  return meta.appliesTo.map((k) => KIND_NAMES[k]).join(", ");
}

function hasReferences(meta: RuleMeta): boolean {
  return REFERENCE_LABELS.some(([key]) => meta.references[key].length > 0);
}

export function formatParameterValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => String(v)).join(", ")}]`;
  if (typeof value === "string") return value === "" ? '""' : value;
  return String(value);
}

function mdCell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function mdIds(ids: readonly string[]): string {
  return ids.length === 0 ? "—" : ids.map((id) => `\`${mdCell(id)}\``).join(", ");
}

function parameterRows(parameters: readonly RuleParameter[]): string[] {
  return parameters.map(
    (p) => `| \`${p.name}\` | ${p.type} | \`${mdCell(formatParameterValue(p.default))}\` | ${mdCell(p.description)} |`,
  );
}

/** docs/rules.md: a summary table with every mapping, then one section per rule. Deterministic: no dates. */
export function renderCatalogueMarkdown(rules: readonly HasMeta[]): string {
  const out: string[] = [
    "# Rule catalogue",
    "",
    "<!-- Generated from the rule metadata by `npm run docs` (rdsguard rules --format markdown). Do not edit by hand. -->",
    "",
    `rdsguard has ${rules.length} rules. Severities and parameters shown here are the defaults; the policy file ` +
      "changes them, per profile (see [policy.md](policy.md)). `rdsguard explain RULE` prints the same in a terminal.",
    "",
    `| Rule | Title | Severity | ${REFERENCE_LABELS.map(([, label]) => label).join(" | ")} |`,
    `|---|---|---|${REFERENCE_LABELS.map(() => "---").join("|")}|`,
  ];
  for (const { meta } of rules) {
    out.push(
      `| [\`${meta.id}\`](#${meta.id}) | ${mdCell(meta.title)} | ${meta.severity} | ${REFERENCE_LABELS.map(([key]) =>
        mdIds(meta.references[key]),
      ).join(" | ")} |`,
    );
  }
  for (const { meta } of rules) {
    const origin = definedInLabel(meta);
    out.push(
      "",
      `## ${meta.id}`,
      "",
      `**${meta.title}** · default severity **${meta.severity}** · applies to: ${appliesToLabel(meta)}${meta.tags.length > 0 ? ` · tags: ${meta.tags.join(", ")}` : ""}${
        origin ? ` · defined in ${origin}` : ""
      }`,
      "",
      meta.description,
    );
    if (meta.condition) out.push("", `**Condition.** ${mdCell(meta.condition)}`);
    if (meta.rationale) out.push("", `**Why it matters.** ${meta.rationale}`);
    out.push("", "**Parameters.**", "");
    if (meta.parameters.length === 0) out.push("None.");
    else
      out.push("| Parameter | Type | Default | Description |", "|---|---|---|---|", ...parameterRows(meta.parameters));
    if (meta.remediation.text) out.push("", `**Remediation.** ${meta.remediation.text}`);
    if (meta.remediation.snippet) out.push("", "```yaml", meta.remediation.snippet.trimEnd(), "```");
    if (!origin || hasReferences(meta)) {
      out.push("", "**Mappings.**", "", "| Catalogue | Ids |", "|---|---|");
      for (const [key, label] of REFERENCE_LABELS) out.push(`| ${label} | ${mdIds(meta.references[key])} |`);
    }
    if (meta.sources.length > 0) {
      out.push("", "**Sources.**", "", ...meta.sources.map((s) => `- ${s}`));
    }
  }
  return `${out.join("\n")}\n`;
}

/** `rdsguard rules`: one row per rule, its mappings on the line below. */
export function renderCatalogueTable(rules: readonly HasMeta[]): string {
  const rows = rules.map(({ meta }) => ({
    id: meta.id,
    severity: meta.severity,
    title: meta.title,
    parameters: meta.parameters.map((p) => `${p.name}=${formatParameterValue(p.default)}`).join(" ") || "-",
    mappings: REFERENCE_LABELS.filter(([key]) => meta.references[key].length > 0)
      .map(([key, label]) => `${label} ${meta.references[key].join(", ")}`)
      .join(" · "),
  }));
  const idWidth = Math.max(2, ...rows.map((r) => r.id.length));
  const sevWidth = Math.max(8, ...rows.map((r) => r.severity.length));
  const titleWidth = Math.max(5, ...rows.map((r) => r.title.length));
  const line = (id: string, sev: string, title: string, params: string) =>
    `${id.padEnd(idWidth)}  ${sev.padEnd(sevWidth)}  ${title.padEnd(titleWidth)}  ${params}`.trimEnd();
  const out = [line("ID", "SEVERITY", "TITLE", "PARAMETERS (defaults)")];
  for (const r of rows) {
    out.push(line(r.id, r.severity, r.title, r.parameters));
    out.push(`${" ".repeat(idWidth + 2)}maps to: ${r.mappings || "-"}`);
  }
  return `${out.join("\n")}\n`;
}

function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : `${by}${l}`))
    .join("\n");
}

/** `rdsguard explain RULE`: everything the metadata says about one rule. */
export function renderRuleExplanation(meta: RuleMeta): string {
  const out: string[] = [
    `${meta.id}: ${meta.title}`,
    "",
    `Default severity: ${meta.severity}`,
    `Applies to: ${appliesToLabel(meta)}`,
  ];
  if (meta.tags.length > 0) out.push(`Tags: ${meta.tags.join(", ")}`);
  const origin = definedInLabel(meta);
  if (origin) out.push(`Defined in: ${origin}`);
  out.push("", meta.description);
  if (meta.condition) out.push("", "Condition:", indent(meta.condition, "  "));
  if (meta.rationale) out.push("", "Why it matters:", indent(meta.rationale, "  "));
  out.push("", "Parameters:");
  if (meta.parameters.length === 0) out.push("  none");
  for (const p of meta.parameters) {
    out.push(`  ${p.name} (${p.type}, default ${formatParameterValue(p.default)})`, indent(p.description, "      "));
  }
  if (meta.remediation.text || meta.remediation.snippet) {
    out.push("", "Remediation:");
    if (meta.remediation.text) out.push(indent(meta.remediation.text, "  "));
    if (meta.remediation.snippet) out.push("", indent(meta.remediation.snippet.trimEnd(), "    "));
  }
  if (!origin || hasReferences(meta)) {
    out.push("", "Mappings:");
    for (const [key, label] of REFERENCE_LABELS) {
      out.push(`  ${`${label}:`.padEnd(14)}${meta.references[key].length > 0 ? meta.references[key].join(", ") : "-"}`);
    }
  }
  if (meta.sources.length > 0) out.push("", "Sources:", ...meta.sources.map((s) => `  - ${s}`));
  return `${out.join("\n")}\n`;
}
