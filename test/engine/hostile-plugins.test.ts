/**
 * Plugins that misbehave in ways a rule author can: throwing values that cannot be turned into text, returning
 * huge lists, looping forever, calling process.exit, never finishing their import. Each ends in the documented rule
 * error or policy error, within a time budget, never a crash or a silent end of the run.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlugins, loadPluginsSync } from "../../src/engine/plugins.js";
import { Judge, loadRuleSet } from "../../src/engine/report.js";
import type { Model } from "../../src/model/types.js";
import { allRules } from "../../src/rules/index.js";
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
    // Copying 200,000 results out of the worker takes a second or two on a busy machine: a generous call budget.
    const budget = { importMs: 10_000, callMs: 30_000, totalMs: 60_000 };
    const plugins = await loadPlugins(
      [{ spec: "many-results.mjs", path: path.resolve(cwd, HOSTILE, "many-results.mjs") }],
      allRules.map((r) => r.meta.id),
      cwd,
      budget,
    );
    const base = await loadRuleSet({ cwd });
    const j = new Judge({ policy: base.policy, rules: [...base.rules, ...plugins.rules], strict: false, now: NOW });
    j.judge(model());
    expect(plugins.errors).toEqual([]);
    expect(j.errors).toEqual([]);
    const mine = j.findings.filter((f) => f.ruleId === "many-results");
    expect(mine).toHaveLength(200_000);
    expect(mine[199_999]?.message).toBe("check 199999 of ArmDb");
  }, 60_000);
});

describe("plugins run in a worker with a time budget (plugin-host.ts)", () => {
  const budget = { importMs: 1_500, callMs: 300, totalMs: 5_000 };
  const builtinIds = allRules.map((r) => r.meta.id);
  const ref = (file: string) => ({ spec: file, path: path.resolve(cwd, HOSTILE, file) });

  async function judgeHosted(file: string) {
    const plugins = await loadPlugins([ref(file)], builtinIds, cwd, budget);
    const base = await loadRuleSet({ cwd });
    const j = new Judge({ policy: base.policy, rules: [...base.rules, ...plugins.rules], strict: false, now: NOW });
    j.judge(model());
    return { plugins, j };
  }

  it("an infinite loop: a rule error at the budget, the plugin stopped, its later calls rule errors too", async () => {
    const started = performance.now();
    const { plugins, j } = await judgeHosted("loops-forever.mjs");
    expect(plugins.errors).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(j.errors.map((e) => e.message)).toEqual([
      `rule loops-forever (plugin ${HOSTILE}/loops-forever.mjs) did not return within 300 ms, the time budget of a plugin rule (the plugin was stopped) on ArmDb`,
      ...["IntelDb", "ReportingDb", "StagedDb"].map(
        (name) =>
          `rule loops-forever (plugin ${HOSTILE}/loops-forever.mjs) was not run: the plugin was stopped earlier, after a rule overran its time budget on ${name}`,
      ),
    ]);
    expect(j.findings.filter((f) => f.ruleId === "loops-forever").map((f) => f.verdict)).toEqual([
      "unknown",
      "unknown",
      "unknown",
      "unknown",
    ]);
    expect(j.findings.filter((f) => f.ruleId === "multi-az")).toHaveLength(4);
  });

  it("process.exit in a rule is a rule error and ends nothing", async () => {
    const { j } = await judgeHosted("exits.mjs");
    expect(j.errors.map((e) => e.message)[0]).toBe(
      `rule calls-exit (plugin ${HOSTILE}/exits.mjs) called process.exit(0), which only stops its own call on ArmDb`,
    );
    expect(j.errors).toHaveLength(4);
  });

  it("process.exit while being imported is a load error", async () => {
    const plugins = await loadPlugins([ref("exits-at-import.mjs")], builtinIds, cwd, budget);
    expect(plugins.errors.map((e) => e.message)).toEqual([
      "plugin exits-at-import.mjs: cannot be loaded: called process.exit(0) while being imported",
    ]);
  });

  it("an import that never settles is a load error at the import budget", async () => {
    for (const file of ["awaits-forever.mjs", "import-never-ends.mjs"]) {
      const started = performance.now();
      const plugins = await loadPlugins([ref(file)], builtinIds, cwd, budget);
      expect(performance.now() - started).toBeLessThan(4_000);
      expect(plugins.errors.map((e) => e.message)).toEqual([
        `plugin ${file}: cannot be loaded: its import did not finish within 1500 ms, the time budget of a plugin import`,
      ]);
    }
  });

  it("a sound plugin gives the same findings hosted as in-process (loadPluginsSync)", async () => {
    const file = path.resolve(cwd, "test/fixtures/plugins/graviton.mjs");
    const hosted = await loadPlugins([{ spec: "g", path: file }], builtinIds, cwd, budget);
    const inProcess = loadPluginsSync([{ spec: "g", path: file }], builtinIds, cwd);
    const m = model();
    const ctx = { model: m, params: {}, profile: "default", now: NOW };
    for (const resource of m.resources.values()) {
      expect(hosted.rules[0]?.evaluate(resource, ctx)).toEqual(inProcess.rules[0]?.evaluate(resource, ctx));
    }
  });
});
