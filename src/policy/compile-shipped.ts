/**
 * The shipped rules.yaml compiled into a module (src/policy/shipped-policy.ts) at build time, so that a run loads
 * the default policy without parsing YAML: its value and the positions of its nodes (what policy messages point
 * at). The shipped file is validated against the schema by the test suite (test/policy/rules-yaml.test.ts), not
 * at run time. Used by scripts/compile-policy.mjs (npm run build) and test/policy/shipped-policy.test.ts.
 */

import { yamlLibrary } from "../util/lazy.js";
import { MAX_ALIAS_COUNT, type PositionTree, positionTree } from "./locate.js";

export interface CompiledPolicy {
  /** The file as plain data, as parsing it gives (parseLocatedYaml). */
  value: unknown;
  positions: PositionTree;
}

/** rules.yaml's text compiled; throws on a YAML error (the build stops). */
export function compilePolicy(text: string, file = "rules.yaml"): CompiledPolicy {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) throw new Error(`${file}: invalid YAML: ${doc.errors[0]?.message}`);
  return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), positions: positionTree(doc, lineCounter) };
}

/** The TypeScript module for a compiled policy. */
export function renderPolicyModule(compiled: CompiledPolicy): string {
  return [
    "// Generated from rules.yaml by scripts/compile-policy.mjs (`npm run build`): edit rules.yaml, not this file.",
    "// test/policy/shipped-policy.test.ts checks that this is what parsing rules.yaml gives.",
    'import type { CompiledPolicy } from "./compile-shipped.js";',
    "",
    "export const SHIPPED_POLICY: CompiledPolicy = {",
    `  value: ${JSON.stringify(compiled.value, null, 2).replace(/\n/g, "\n  ")},`,
    `  positions: ${JSON.stringify(compiled.positions)},`,
    "};",
    "",
  ].join("\n");
}
