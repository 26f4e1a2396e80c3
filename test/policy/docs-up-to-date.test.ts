import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderCatalogueMarkdown } from "../../src/commands/catalogue.js";
import { GATE_RULES } from "../../src/engine/gate-rules.js";
import { allRules as resourceRules } from "../../src/rules/index.js";

// The catalogue lists the gate's own rules (--policy-base) after the rules that judge resources.
const allRules = [...resourceRules, ...GATE_RULES];

describe("docs/rules.md", () => {
  it("is the catalogue generated from the rule metadata", () => {
    const expected = renderCatalogueMarkdown(allRules);
    let actual = "";
    try {
      actual = readFileSync(new URL("../../docs/rules.md", import.meta.url), "utf8");
    } catch {
      // Missing file: reported by the comparison below with the same instructions.
    }
    if (actual !== expected) {
      const a = actual.split("\n");
      const e = expected.split("\n");
      const line = e.findIndex((l, i) => a[i] !== l);
      expect.fail(
        `docs/rules.md is out of date with the rule metadata (first difference at line ${line + 1}). ` +
          "Regenerate it with `npm run docs` (builds, then runs " +
          "`node dist/cli.js rules --format markdown > docs/rules.md`) and commit the result.",
      );
    }
  });

  it("lists every rule with its mappings", () => {
    const text = renderCatalogueMarkdown(allRules);
    for (const { meta } of allRules) {
      expect(text).toContain(`## ${meta.id}\n`);
      for (const id of meta.references.securityHub) expect(text).toContain(`\`${id}\``);
    }
  });
});
