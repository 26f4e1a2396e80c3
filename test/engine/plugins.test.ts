/**
 * Rule plugins: ES modules in test/fixtures/plugins/ importing defineRule from "rdsguard" (the package's own entry,
 * dist/index.js, by self-reference), loaded from the policy's `plugins:` and from --plugin. Metadata is checked and
 * completed; a plugin that cannot be used is a policy error at the line naming it; a rule that throws or returns
 * garbage at run time becomes one unknown finding and a rule error while every other rule goes on. And a plugin
 * and a declarative rule with the same logic give the same verdicts, properties, places and conditions.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlugins, loadPluginsSync } from "../../src/engine/plugins.js";
import { Judge, loadRuleSet, loadRuleSetSync, type RuleSet } from "../../src/engine/report.js";
import type { Finding } from "../../src/engine/types.js";
import type { Model } from "../../src/model/types.js";
import type { PluginRef } from "../../src/policy/types.js";
import { allRules } from "../../src/rules/index.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

const cwd = process.cwd();
const POLICIES = "test/fixtures/policy/custom";
const PLUGINS = "test/fixtures/plugins";
const NOW = new Date("2026-03-01T12:00:00Z");
const builtinIds = allRules.map((r) => r.meta.id);

function scan(name: string): Model {
  const file = `test/fixtures/custom-rules/${name}`;
  const result = scanTemplateText(readFileSync(file, "utf8"), file, {});
  if (!result.model) throw new Error(`no model for ${name}`);
  return result.model;
}

function judge(rules: RuleSet, model: Model): Judge {
  const j = new Judge({ policy: rules.policy, rules: rules.rules, strict: false, now: NOW });
  j.judge(model);
  return j;
}

function findingsOf(j: Judge, ruleId: string): Finding[] {
  return j.findings.filter((f) => f.ruleId === ruleId);
}

/** What must be identical between two rules with the same logic: everything but the wording. */
function essence(f: Finding) {
  return {
    resource: f.resource.name,
    verdict: f.verdict,
    property: f.property,
    location: f.location,
    when: f.when,
    severity: f.severity,
  };
}

function ref(file: string): PluginRef {
  return { spec: file, path: path.resolve(cwd, PLUGINS, file) };
}

describe("a plugin named in the policy (graviton.yaml)", async () => {
  const rules = await ruleSet("graviton.yaml");

  it('loads with `import { defineRule } from "rdsguard"`, its metadata completed', () => {
    expect(rules.errors).toEqual([]);
    const ids = rules.rules.map((r) => r.meta.id);
    expect(ids).toEqual([...builtinIds, "graviton-declared", "graviton-plugin"]);
    expect(rules.policy.plugins).toEqual([
      {
        spec: "../../plugins/graviton.mjs",
        path: path.resolve(cwd, PLUGINS, "graviton.mjs"),
        loc: { file: `${POLICIES}/graviton.yaml`, line: 5, column: 5 },
      },
    ]);
    expect(rules.rules.find((r) => r.meta.id === "graviton-plugin")?.meta).toEqual({
      id: "graviton-plugin",
      title: "DB instances use a Graviton class (plugin)",
      severity: "low",
      description: "The instance class is an AWS Graviton (arm64) class.",
      rationale: "",
      remediation: { text: "", snippet: "" },
      parameters: [],
      references: { securityHub: [], awsConfig: [], checkov: [], cfnNag: [], cfnGuard: [], cdkNag: [] },
      appliesTo: ["db-instance"],
      tags: ["cost"],
      sources: [],
      definedIn: { kind: "plugin", file: `${PLUGINS}/graviton.mjs` },
    });
  });

  it("gives the same verdict, property, place and condition as the declarative rule, for each resource", () => {
    const j = judge(rules, scan("graviton.yaml"));
    expect(j.errors).toEqual([]);
    const declared = findingsOf(j, "graviton-declared").map(essence);
    const plugin = findingsOf(j, "graviton-plugin").map(essence);
    expect(plugin).toEqual(declared);
    // And those are the expected ones: a pass, a fail, an unknown (parameter without default) and a conditional.
    const at = (line: number, column: number) => ({ file: "test/fixtures/custom-rules/graviton.yaml", line, column });
    expect(declared).toEqual([
      { resource: "ArmDb", verdict: "pass", property: "DBInstanceClass", location: at(17, 24), severity: "low" },
      { resource: "IntelDb", verdict: "fail", property: "DBInstanceClass", location: at(23, 24), severity: "low" },
      {
        resource: "ReportingDb",
        verdict: "unknown",
        property: "DBInstanceClass",
        location: at(29, 24),
        severity: "low",
      },
      {
        resource: "StagedDb",
        verdict: "fail",
        property: "DBInstanceClass",
        location: at(35, 52),
        when: "IsProd=false",
        severity: "low",
      },
    ]);
    // Same identity, so a waiver or a baseline treats both alike: the fingerprints differ only by rule id.
    const fingerprints = new Set(j.findings.map((f) => f.fingerprint));
    expect(fingerprints.size).toBe(j.findings.length);
  });

  it("findings of a plugin rule carry the plugin's own words", () => {
    const j = judge(rules, scan("graviton.yaml"));
    expect(findingsOf(j, "graviton-plugin").map((f) => f.message)).toEqual([
      "db.r7g.large is a Graviton class",
      "db.m5.large is not a Graviton class",
      "the class is unknown: parameter ReportingClass has no Default and no value was given (--parameters)",
      "db.t3.medium is not a Graviton class",
    ]);
  });

  it("a policy can set a plugin rule's severity and waive it like any rule", async () => {
    const { policy, rules: set, errors } = await loadRuleSet({ cwd, plugins: [`${PLUGINS}/graviton.mjs`] });
    expect(errors).toEqual([]);
    const lowered = {
      ...policy,
      rules: { ...policy.rules, "graviton-plugin": { severity: "critical" as const } },
      waivers: [{ rule: "graviton-plugin", resource: "IntelDb", reason: "x86-only vendor build" }],
    };
    const j = new Judge({ policy: lowered, rules: set, strict: false, now: NOW });
    j.judge(scan("graviton.yaml"));
    const intel = findingsOf(j, "graviton-plugin").find((f) => f.resource.name === "IntelDb");
    expect(intel).toMatchObject({
      severity: "critical",
      suppression: { kind: "policy", reason: "x86-only vendor build" },
    });
  });
});

async function ruleSet(policy: string): Promise<RuleSet> {
  return loadRuleSet({ cwd, configPath: `${POLICIES}/${policy}` });
}

describe("plugins that cannot be used (broken-plugins.yaml)", async () => {
  const rules = await ruleSet("broken-plugins.yaml");
  const FILE = `${POLICIES}/broken-plugins.yaml`;
  const byLine = (line: number) => rules.errors.filter((e) => e.line === line).map((e) => e.message);

  it("every error is a policy error at the line and column of the plugins: entry", () => {
    expect(rules.errors.every((e) => e.kind === "policy" && e.file === FILE && e.column === 5)).toBe(true);
    expect(rules.errors.map((e) => e.line)).toEqual([5, 5, 5, 6, 7, 8, 9]);
  });

  it("bad metadata names the plugin and the rule; the plugin's sound rule still loads", () => {
    expect(byLine(5)).toEqual([
      `plugin ../../plugins/bad-meta.mjs: rule 1: meta.id must be lower-case words joined by '-', got "Bad_Id"`,
      'plugin ../../plugins/bad-meta.mjs: rule 2: bad-severity: meta.severity must be one of critical, high, medium, low, info, got "urgent"',
      "plugin ../../plugins/bad-meta.mjs: rule 3: has no evaluate(resource, context) function",
    ]);
    expect(rules.rules.map((r) => r.meta.id)).toContain("sound-plugin-rule");
  });

  it("a module that throws at import, has a syntax error or does not exist cannot be loaded", () => {
    expect(byLine(6)).toEqual([
      "plugin ../../plugins/throws-at-import.mjs: cannot be loaded: Error: ORG_RULES_TOKEN is not set",
    ]);
    // The wording of a syntax error is the module loader's (vitest's here; Node's in test/cli/custom-rules.test.ts).
    expect(byLine(7)).toEqual([
      expect.stringMatching(/^plugin \.\.\/\.\.\/plugins\/syntax-error\.mjs: cannot be loaded: \S/),
    ]);
    expect(byLine(8)).toEqual([
      expect.stringMatching(
        /^plugin \.\.\/\.\.\/plugins\/not-there\.mjs: cannot be loaded: Cannot find module '.*test\/fixtures\/plugins\/not-there\.mjs'/,
      ),
    ]);
  });

  it("a plugin may not reuse a built-in rule id; its other rule loads", () => {
    expect(byLine(9)).toEqual([
      'plugin ../../plugins/reuses-builtin.mjs: rule id "multi-az" is already taken by a built-in rule',
    ]);
    expect(rules.rules.filter((r) => r.meta.id === "multi-az")).toEqual([
      allRules.find((r) => r.meta.id === "multi-az"),
    ]);
    expect(rules.rules.map((r) => r.meta.id)).toContain("fresh-plugin-rule");
  });

  it("a default export of one rule is a plugin too; the policy still applies", () => {
    expect(rules.rules.map((r) => r.meta.id)).toEqual([
      ...builtinIds,
      "sound-plugin-rule",
      "fresh-plugin-rule",
      "multi-az-standalone",
    ]);
    expect(rules.policy.files).toContain(FILE);
    const j = judge(rules, scan("standalone.yaml"));
    const multiAz = findingsOf(j, "multi-az-standalone").map((f) => `${f.resource.name} ${f.verdict}`);
    expect(multiAz).toEqual(["PgNew fail", "PgOld fail", "MysqlDefaults fail", "PgUnknown fail"]);
  });

  it("a custom rule may not take a plugin's id", async () => {
    const clash = await loadRuleSet({ cwd, configPath: `${POLICIES}/plugin-id-clash.yaml` });
    expect(clash.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`)).toEqual([
      `${POLICIES}/plugin-id-clash.yaml:8:9: customRules[0].id: rule id "graviton-plugin" is already taken by a built-in rule or a plugin; choose another id`,
    ]);
    const rule = clash.rules.filter((r) => r.meta.id === "graviton-plugin");
    expect(rule.map((r) => r.meta.definedIn?.kind)).toEqual(["plugin"]);
  });
});

describe("--plugin (the loadRuleSet plugins option)", () => {
  it("resolves against the working directory and names the plugin by that path", async () => {
    const fixtures = path.join(cwd, "test/fixtures");
    const rules = await loadRuleSet({ cwd: fixtures, plugins: ["plugins/default-export.mjs"] });
    expect(rules.errors).toEqual([]);
    const rule = rules.rules.find((r) => r.meta.id === "multi-az-standalone");
    expect(rule?.meta.definedIn).toEqual({ kind: "plugin", file: "plugins/default-export.mjs" });
  });

  it("a plugin named by the policy and again by --plugin is loaded once", async () => {
    const rules = await loadRuleSet({
      cwd,
      configPath: `${POLICIES}/graviton.yaml`,
      plugins: [`${PLUGINS}/graviton.mjs`],
    });
    expect(rules.errors).toEqual([]);
    expect(rules.rules.filter((r) => r.meta.definedIn?.kind === "plugin")).toHaveLength(1);
  });

  it("a --plugin that cannot be loaded is reported against its own file (it has no policy line)", async () => {
    const rules = await loadRuleSet({ cwd, plugins: [`${PLUGINS}/throws-at-import.mjs`] });
    expect(rules.errors).toEqual([
      {
        kind: "policy",
        file: `${PLUGINS}/throws-at-import.mjs`,
        message: `plugin ${PLUGINS}/throws-at-import.mjs: cannot be loaded: Error: ORG_RULES_TOKEN is not set`,
      },
    ]);
    expect(rules.rules.map((r) => r.meta.id)).toEqual(builtinIds);
  });
});

describe("rules that break at run time (misbehaving.mjs)", async () => {
  const rules = await loadRuleSet({ cwd, plugins: [`${PLUGINS}/misbehaving.mjs`] });
  const j = judge(rules, scan("graviton.yaml"));
  const label = `(plugin ${PLUGINS}/misbehaving.mjs)`;

  it("load: their metadata is sound", () => {
    expect(rules.errors).toEqual([]);
  });

  it("each gives one unknown finding per resource saying what went wrong", () => {
    const on = (id: string) =>
      findingsOf(j, id)
        .filter((f) => f.resource.name === "ArmDb")
        .map((f) => ({ verdict: f.verdict, message: f.message, location: f.location }));
    const at = { file: "test/fixtures/custom-rules/graviton.yaml", line: 13, column: 3 };
    expect(on("throws-always")).toEqual([
      {
        verdict: "unknown",
        message: `rule error: rule throws-always ${label} threw TypeError: cannot read tags of ArmDb on ArmDb`,
        location: at,
      },
    ]);
    expect(on("returns-object")).toEqual([
      {
        verdict: "unknown",
        message: `rule error: rule returns-object ${label} returned an object instead of a list of results on ArmDb`,
        location: at,
      },
    ]);
    expect(on("verdict-ok")).toEqual([
      {
        verdict: "unknown",
        message: `rule error: rule verdict-ok ${label} returned a result #1 whose verdict is "ok" (pass, fail, unknown or not-applicable) on ArmDb`,
        location: at,
      },
    ]);
    expect(on("line-zero")).toEqual([
      {
        verdict: "unknown",
        message: `rule error: rule line-zero ${label} returned a result #1 whose loc is not {file, line, column} with 1-based numbers on ArmDb`,
        location: at,
      },
    ]);
    for (const id of ["throws-always", "returns-object", "verdict-ok", "line-zero"]) {
      expect(
        findingsOf(j, id).map((f) => f.resource.name),
        id,
      ).toEqual(["ArmDb", "IntelDb", "ReportingDb", "StagedDb"]);
      expect(new Set(findingsOf(j, id).map((f) => f.verdict)), id).toEqual(new Set(["unknown"]));
    }
  });

  it("each is a rule error (kind rule) naming the rule, the plugin and the resource, at the resource", () => {
    expect(j.errors).toHaveLength(16);
    expect(j.errors.every((e) => e.kind === "rule")).toBe(true);
    expect(j.errors[0]).toEqual({
      kind: "rule",
      message: `rule throws-always ${label} threw TypeError: cannot read tags of ArmDb on ArmDb`,
      file: "test/fixtures/custom-rules/graviton.yaml",
      line: 13,
      column: 3,
    });
    expect(new Set(j.errors.map((e) => e.message.split(" ")[1]))).toEqual(
      new Set(["throws-always", "returns-object", "verdict-ok", "line-zero"]),
    );
  });

  it("the other rules still judge every resource", () => {
    const builtin = j.findings.filter((f) => builtinIds.includes(f.ruleId));
    expect(new Set(builtin.map((f) => f.resource.name))).toEqual(
      new Set(["ArmDb", "IntelDb", "ReportingDb", "StagedDb"]),
    );
    expect(findingsOf(j, "multi-az").map((f) => `${f.resource.name} ${f.verdict}`)).toEqual([
      "ArmDb fail",
      "IntelDb fail",
      "ReportingDb fail",
      "StagedDb fail",
    ]);
    expect(builtin.every((f) => !f.message.startsWith("rule error"))).toBe(true);
  });
});

describe("loadPluginsSync (require of an ES module, Node 20.19+)", () => {
  it("loads the same plugin synchronously, with the same rules as the asynchronous loader", async () => {
    const sync = loadPluginsSync([ref("graviton.mjs")], builtinIds, cwd);
    const async = await loadPlugins([ref("graviton.mjs")], builtinIds, cwd);
    expect(sync.errors).toEqual([]);
    expect(sync.rules.map((r) => r.meta)).toEqual(async.rules.map((r) => r.meta));
    const model = scan("graviton.yaml");
    const ctx = { model, params: {}, profile: "default", now: NOW };
    for (const resource of model.resources.values()) {
      expect(sync.rules[0]?.evaluate(resource, ctx)).toEqual(async.rules[0]?.evaluate(resource, ctx));
    }
  });

  it("loadRuleSetSync gives the policy's rules and plugins like loadRuleSet", async () => {
    const sync = loadRuleSetSync({ cwd, configPath: `${POLICIES}/graviton.yaml` });
    const async = await ruleSet("graviton.yaml");
    expect(sync.errors).toEqual([]);
    expect(sync.rules.map((r) => r.meta.id)).toEqual(async.rules.map((r) => r.meta.id));
    const a = judge(sync, scan("graviton.yaml")).findings.map(essence);
    const b = judge(async, scan("graviton.yaml")).findings.map(essence);
    expect(a).toEqual(b);
  });

  it("reports the plugins it cannot load, each with its error", () => {
    const loaded = loadPluginsSync(
      [ref("default-export.mjs"), ref("throws-at-import.mjs"), ref("syntax-error.mjs"), ref("not-there.mjs")],
      builtinIds,
      cwd,
    );
    expect(loaded.rules.map((r) => r.meta.id)).toEqual(["multi-az-standalone"]);
    expect(loaded.errors.map((e) => e.message)).toEqual([
      "plugin throws-at-import.mjs: cannot be loaded: Error: ORG_RULES_TOKEN is not set",
      expect.stringMatching(/^plugin syntax-error\.mjs: cannot be loaded: SyntaxError: /),
      expect.stringMatching(/^plugin not-there\.mjs: cannot be loaded: Cannot find module '.*not-there\.mjs'/),
    ]);
    expect(loaded.errors.map((e) => e.file)).toEqual([
      `${PLUGINS}/throws-at-import.mjs`,
      `${PLUGINS}/syntax-error.mjs`,
      `${PLUGINS}/not-there.mjs`,
    ]);
  });
});
