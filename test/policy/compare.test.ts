/**
 * comparePolicies (--policy-base): which changes count as weakenings and which do not. Strengthening, a narrower or
 * shorter waiver and an unchanged policy report nothing; a parameter without a declared direction counts every
 * change; a removed or rewritten custom rule, a weaker default profile and a strict profile that stops selecting
 * resources are weakenings; each at the line of the working tree's file that makes it.
 */
import { describe, expect, it } from "vitest";
import { comparePolicies } from "../../src/policy/compare.js";
import { buildPolicy, type PolicySource, parsePolicyText, readPolicySources } from "../../src/policy/load.js";
import { compileCustomRule } from "../../src/rules/declarative/index.js";
import { allRules } from "../../src/rules/index.js";
import type { RuleMeta } from "../../src/rules/types.js";
import { fakeMeta } from "../engine/helpers.js";

const shipped = readPolicySources({ cwd: process.cwd() }).filter((s) => s.shipped);

function sources(text: string, file: string): PolicySource[] {
  return [...shipped, parsePolicyText({ file, absolute: `/repo/${file}`, shipped: false, errors: [] }, text)];
}

const pluginMeta: RuleMeta = fakeMeta("org-list", {
  parameters: [{ name: "allowed", type: "string[]", default: ["a"], description: "allowed values" }],
});

function changes(base: string, head: string): string[] {
  const rules = [...allRules.map((r) => r.meta), pluginMeta];
  const opts = {
    ruleIds: rules.map((m) => m.id),
    parameters: Object.fromEntries(rules.map((m) => [m.id, m.parameters])),
  };
  const b = buildPolicy(sources(base, "base.yaml"), opts);
  const headSources = sources(head, "rdsguard.yaml");
  const h = buildPolicy(headSources, opts);
  expect([...b.errors, ...h.errors]).toEqual([]);
  const custom = [...b.policy.customRules, ...h.policy.customRules]
    .map((s) => compileCustomRule(s).meta)
    .filter((m, i, all) => all.findIndex((o) => o.id === m.id) === i);
  return comparePolicies({
    base: b.policy,
    head: h.policy,
    headSource: headSources[1],
    baseLabel: "main",
    rules: [...rules, ...custom],
  }).map((c) => `${c.ruleId} ${c.loc.line}:${c.loc.column} ${c.message}`);
}

describe("comparePolicies", () => {
  it("reports nothing for the same policy, a stricter one, or a narrower and shorter waiver", () => {
    const base = `version: 1
rules:
  backup-retention:
    severity: medium
    parameters: { minimumDays: 7 }
waivers:
  - { rule: "*", resource: "db-*", reason: reviewed, expires: 2027-01-01 }
`;
    expect(changes(base, base)).toEqual([]);
    const stricter = `version: 1
rules:
  backup-retention:
    severity: critical
    parameters: { minimumDays: 14 }
  instance-class:
    parameters: { allowBurstable: false }
waivers:
  - { rule: multi-az, resource: db-orders, reason: reviewed, expires: 2026-12-01 }
`;
    expect(changes(base, stricter)).toEqual([]);
  });

  it("counts a later expiry, or none, as a widened waiver", () => {
    const base = "version: 1\nwaivers:\n  - { rule: multi-az, resource: Db, reason: r, expires: 2026-12-01 }\n";
    const head = "version: 1\nwaivers:\n  - { rule: multi-az, resource: Db, reason: r }\n";
    expect(changes(base, head)).toEqual([
      'waiver-added 3:5 waiver widened relative to main: multi-az on Db with no expiry (was multi-az on Db until 2026-12-01); reason given: "r"',
    ]);
  });

  it("counts every change of a parameter that declares no direction", () => {
    const base = "version: 1\nrules:\n  org-list:\n    parameters: { allowed: [a] }\n";
    const head = "version: 1\nrules:\n  org-list:\n    parameters: { allowed: [a, b] }\n";
    expect(changes(base, head)).toEqual([
      'policy-weakened 4:28 org-list parameter allowed changed from ["a"] to ["a","b"] (this parameter does not declare which way is stricter, so every change counts) for profiles default, development, production, relative to main',
    ]);
  });

  it("reports a weaker default profile at defaultProfile", () => {
    const base = "version: 1\ndefaultProfile: production\n";
    const head = "version: 1\ndefaultProfile: development\n";
    const found = changes(base, head);
    expect(found.length).toBeGreaterThan(0);
    for (const c of found) {
      expect(c).toMatch(
        /^policy-weakened 2:17 .* for resources no profile selects \(defaultProfile production -> development\), relative to main$/,
      );
    }
    expect(found).toContain(
      "policy-weakened 2:17 instance-class parameter allowBurstable changed from false to true for resources no profile selects (defaultProfile production -> development), relative to main",
    );
  });

  it("reports a strict profile that stops selecting resources", () => {
    const base = `version: 1
profiles:
  - name: production
    match:
      tags: { tier: [gold] }
`;
    const head = `version: 1
profiles:
  - name: production
    match:
      accounts: ["111122223333"]
`;
    const found = changes(base, head);
    expect(found[0]).toMatch(
      /^policy-weakened 5:7 profile production no longer selects tag tier=gold \(relative to main\); such resources may fall to profile \w+, which is weaker: /,
    );
  });

  it("reports a removed and a rewritten custom rule", () => {
    const rule = (id: string, pattern: string) => `  - id: ${id}
    title: Graviton
    severity: medium
    appliesTo: { kinds: [db-instance] }
    condition: { attribute: DBInstanceClass, matches: "${pattern}" }
`;
    const base = `version: 1\ncustomRules:\n${rule("org-a", "^db\\\\.r7g")}${rule("org-b", "^db\\\\.r7g")}`;
    const head = `version: 1\ncustomRules:\n${rule("org-a", ".*")}`;
    expect(changes(base, head)).toEqual([
      "policy-weakened 3:5 custom rule org-a is rewritten relative to main (rdsguard cannot tell whether the new condition is as strict, so every change counts)",
      "policy-weakened 3:3 custom rule org-b is removed, relative to main",
    ]);
  });
});
