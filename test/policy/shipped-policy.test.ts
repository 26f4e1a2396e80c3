/**
 * The shipped rules.yaml is compiled at build time into src/policy/shipped-policy.ts (scripts/compile-policy.mjs),
 * so that a run reads no YAML for it. The compiled module must be what parsing rules.yaml gives today, value and
 * positions alike, or the two have drifted (run `npm run build`).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compilePolicy, renderPolicyModule } from "../../src/policy/compile-shipped.js";
import { loadPolicy, readPolicySources, shippedPolicyPath } from "../../src/policy/load.js";
import { locatedFromTree, type PositionTree, parseLocatedYaml } from "../../src/policy/locate.js";
import { SHIPPED_POLICY } from "../../src/policy/shipped-policy.js";
import { parameters, ruleIds } from "./catalogue.js";

const text = readFileSync(shippedPolicyPath(), "utf8");
const parsed = parseLocatedYaml(text, "rules.yaml", "policy");

/** Every path the tree holds, with the keys of its maps. */
function paths(tree: PositionTree, prefix: string[] = []): { path: string[]; keys: string[] }[] {
  const here = { path: prefix, keys: Object.keys(tree.m ?? {}) };
  const below = [
    ...Object.entries(tree.m ?? {}).flatMap(([k, child]) => paths(child, [...prefix, k])),
    ...(tree.s ?? []).flatMap((child, i) => paths(child, [...prefix, String(i)])),
  ];
  return [here, ...below];
}

describe("the compiled shipped policy", () => {
  it("is up to date with rules.yaml (the module the build writes from it, byte for byte)", () => {
    const module = readFileSync(new URL("../../src/policy/shipped-policy.ts", import.meta.url), "utf8");
    expect(module).toBe(renderPolicyModule(compilePolicy(text)));
  });

  it("holds the value that parsing rules.yaml gives", () => {
    expect(parsed.errors).toEqual([]);
    expect(SHIPPED_POLICY.value).toEqual(parsed.value);
  });

  it("gives every position that parsing rules.yaml gives: nodes, keys, and the nearest ancestor of a missing path", () => {
    const compiled = locatedFromTree(SHIPPED_POLICY.value, SHIPPED_POLICY.positions, "rules.yaml");
    const all = paths(SHIPPED_POLICY.positions);
    expect(all.length).toBeGreaterThan(150);
    for (const { path, keys } of all) {
      expect(compiled.at(path), path.join(".")).toEqual(parsed.at(path));
      for (const key of [...keys, "no-such-key"]) {
        expect(compiled.at(path, key), `${path.join(".")} key ${key}`).toEqual(parsed.at(path, key));
      }
      expect(compiled.at([...path, "missing", "deeper"])).toEqual(parsed.at([...path, "missing", "deeper"]));
      expect(compiled.at([...path, "7"])).toEqual(parsed.at([...path, "7"]));
    }
    // Spot checks against the file itself.
    expect(compiled.at(["defaultProfile"])).toEqual({
      file: "rules.yaml",
      ...lineColumnOf("defaultProfile: default", 17),
    });
    expect(compiled.at(["profiles", "1", "name"])).toEqual({
      file: "rules.yaml",
      ...lineColumnOf("- name: development", 11),
    });
  });

  it("is what a run loads for rules.yaml, as a copy: changing one run's policy does not change the next", () => {
    const shipped = readPolicySources({ cwd: process.cwd() })[0];
    if (!shipped) throw new Error("no shipped policy source");
    expect(shipped.shipped).toBe(true);
    expect(shipped.value).toEqual(parsed.value);
    (shipped.value as { rules: Record<string, unknown> }).rules["iam-auth"] = { enabled: false };
    const { policy, errors } = loadPolicy({ cwd: "/", ruleIds, parameters });
    expect(errors).toEqual([]);
    expect(policy.rules["iam-auth"]).toEqual({ enabled: true, severity: "medium" });
    expect(policy.files.map((f) => f.split("/").pop())).toEqual(["rules.yaml"]);
  });
});

/** Line and column (1-based) of `column` within the line of rules.yaml that starts with `line`. */
function lineColumnOf(start: string, column: number): { line: number; column: number } {
  const index = text.split("\n").findIndex((l) => l.trimStart().startsWith(start));
  return { line: index + 1, column };
}
