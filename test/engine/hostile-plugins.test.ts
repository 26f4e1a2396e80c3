/**
 * Plugins that misbehave in ways a rule author can: throwing values that cannot be turned into text, returning
 * huge lists. Each ends in the documented rule error or policy error, never a crash of the run.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Judge, loadRuleSet } from "../../src/engine/report.js";
import type { Model } from "../../src/model/types.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

const cwd = process.cwd();
const HOSTILE = "test/fixtures/plugins/hostile";
const NOW = new Date("2026-03-01T12:00:00Z");
const TEMPLATE = "test/fixtures/custom-rules/graviton.yaml";
const AT = { file: TEMPLATE, line: 13, column: 3 };

function model(): Model {
  const result = scanTemplateText(readFileSync(TEMPLATE, "utf8"), TEMPLATE, {});
  if (!result.model) throw new Error("no model");
  return result.model;
}

async function judgeWith(plugin: string) {
  const rules = await loadRuleSet({ cwd, plugins: [`${HOSTILE}/${plugin}`] });
  const j = new Judge({ policy: rules.policy, rules: rules.rules, strict: false, now: NOW });
  j.judge(model());
  return { rules, j };
}

describe("a plugin throwing values that cannot be turned into text (unprintable-throws.mjs)", async () => {
  const { rules, j } = await judgeWith("unprintable-throws.mjs");
  const label = `(plugin ${HOSTILE}/unprintable-throws.mjs)`;
  const errorOn = (id: string) => j.errors.find((e) => e.message.startsWith(`rule ${id} `) && e.line === AT.line);

  it("loads", () => {
    expect(rules.errors).toEqual([]);
  });

  it("throw Object.create(null): a rule error at the resource", () => {
    expect(errorOn("throws-null-prototype")).toEqual({
      kind: "rule",
      message: `rule throws-null-prototype ${label} threw an object that cannot be turned into text on ArmDb`,
      ...AT,
    });
  });

  it("a throwing toString and a throwing message getter: rule errors too", () => {
    expect(errorOn("throws-bad-tostring")?.message).toBe(
      `rule throws-bad-tostring ${label} threw an object that cannot be turned into text on ArmDb`,
    );
    expect(errorOn("throws-bad-message")?.message).toBe(
      `rule throws-bad-message ${label} threw Error: (unreadable message) on ArmDb`,
    );
    expect(errorOn("throws-null")?.message).toBe(`rule throws-null ${label} threw null on ArmDb`);
  });

  it("each resource gets one unknown finding per rule, and the built-in rules still judge", () => {
    const unknown = j.findings.filter((f) => f.ruleId.startsWith("throws-"));
    expect(unknown).toHaveLength(4 * 4);
    expect(new Set(unknown.map((f) => f.verdict))).toEqual(new Set(["unknown"]));
    expect(j.findings.filter((f) => f.ruleId === "multi-az")).toHaveLength(4);
  });
});

describe("a plugin throwing Object.create(null) at import (unprintable-at-import.mjs)", () => {
  it("is a policy error naming the plugin", async () => {
    const rules = await loadRuleSet({ cwd, plugins: [`${HOSTILE}/unprintable-at-import.mjs`] });
    expect(rules.errors).toEqual([
      {
        kind: "policy",
        file: `${HOSTILE}/unprintable-at-import.mjs`,
        message: `plugin ${HOSTILE}/unprintable-at-import.mjs: cannot be loaded: an object that cannot be turned into text`,
      },
    ]);
  });
});

describe("a plugin returning 200,000 results for one resource (many-results.mjs)", () => {
  it("every result becomes a finding; the stack does not overflow", async () => {
    const { rules, j } = await judgeWith("many-results.mjs");
    expect(rules.errors).toEqual([]);
    expect(j.errors).toEqual([]);
    const mine = j.findings.filter((f) => f.ruleId === "many-results");
    expect(mine).toHaveLength(200_000);
    expect(mine[199_999]?.message).toBe("check 199999 of ArmDb");
  }, 60_000);
});
