/**
 * Reports built from real template text through the template scanner, the rules and the engine (default policy
 * settings), so reporter tests also see what the product really emits.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runRules } from "../../src/engine/engine.js";
import type { Finding, ScanError, ScanReport } from "../../src/engine/types.js";
import { emptyPolicy } from "../../src/policy/load.js";
import { allRules } from "../../src/rules/index.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

export function reportFromTemplates(files: Record<string, string>, root: string): ScanReport {
  const findings: Finding[] = [];
  const errors: ScanError[] = [];
  let templatesWithDatabases = 0;
  let resources = 0;
  for (const [file, text] of Object.entries(files)) {
    const result = scanTemplateText(text, file);
    if (result.error) errors.push(result.error);
    if (!result.model || result.model.resources.size === 0) continue;
    templatesWithDatabases++;
    resources += result.model.resources.size;
    findings.push(
      ...runRules([result.model], {
        rules: allRules,
        policy: emptyPolicy(),
        strict: false,
        now: new Date("2026-11-30T00:00:00Z"),
      }),
    );
  }
  return {
    schemaVersion: 1,
    tool: { name: "rdsguard", version: "0.1.0" },
    kind: "template",
    startedAt: "2026-11-30T10:00:00.000Z",
    finishedAt: "2026-11-30T10:00:00.500Z",
    root,
    rules: allRules.map((r) => r.meta),
    findings,
    errors,
    stats: { filesScanned: Object.keys(files).length, templatesWithDatabases, resources, durationMs: 500 },
  };
}

/** Every template in examples/templates/, the quick start's scan, keyed by its repository path. */
export function exampleTemplates(): Record<string, string> {
  const root = new URL("../../", import.meta.url).pathname;
  const files: Record<string, string> = {};
  for (const entry of readdirSync(join(root, "examples/templates"), { recursive: true })) {
    const path = `examples/templates/${String(entry)}`;
    if (/\.(ya?ml|json|template)$/.test(path)) files[path] = readFileSync(join(root, path), "utf8");
  }
  return files;
}
