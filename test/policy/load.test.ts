import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ScanError } from "../../src/engine/types.js";
import { loadPolicy, shippedPolicyPath } from "../../src/policy/load.js";
import { effectiveRuleSettings } from "../../src/policy/profile.js";
import type { RuleMeta } from "../../src/rules/types.js";
import { fakeMeta } from "../engine/helpers.js";
import { parameters, ruleIds } from "./catalogue.js";

const FIXTURES = "test/fixtures/policy";
const cwd = process.cwd();
const known = ruleIds.join(", ");

function load(configPath?: string, dir = cwd) {
  return loadPolicy({ cwd: dir, ruleIds, parameters, ...(configPath !== undefined ? { configPath } : {}) });
}

/** How a user sees an error: file:line:col: message. */
function shown(errors: ScanError[]): string[] {
  return errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
}

function meta(id: string, params: RuleMeta["parameters"] = [], severity: RuleMeta["severity"] = "medium"): RuleMeta {
  return fakeMeta(id, { parameters: params, severity });
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rdsguard-policy-"));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("loadPolicy: which files", () => {
  it("reads only the shipped rules.yaml when there is no user file", () => {
    const dir = tempDir();
    const { policy, errors } = load(undefined, dir);
    expect(errors).toEqual([]);
    expect(policy.files).toEqual([shippedPolicyPath()]);
    expect(policy.profiles.map((p) => p.name)).toEqual(["production", "development"]);
    expect(policy.defaultProfile).toBe("default");
  });

  it("layers ./rdsguard.yaml from the working directory when present", () => {
    const dir = tempDir();
    copyFileSync(join(FIXTURES, "user-layer.yaml"), join(dir, "rdsguard.yaml"));
    const { policy, errors } = load(undefined, dir);
    expect(errors).toEqual([]);
    expect(policy.files).toEqual([shippedPolicyPath(), "rdsguard.yaml"]);
    expect(policy.defaultProfile).toBe("production");
  });

  it("prefers --config over ./rdsguard.yaml, and reports a missing --config file", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "rdsguard.yaml"), "version: 1\ndefaultProfile: development\n");
    writeFileSync(join(dir, "ci.yaml"), "version: 1\ndefaultProfile: production\n");
    expect(load("ci.yaml", dir).policy.defaultProfile).toBe("production");

    const missing = load("nope.yaml", dir);
    expect(missing.errors).toEqual([
      { kind: "policy", file: "nope.yaml", message: "cannot read policy file nope.yaml: no such file" },
    ]);
    expect(missing.policy.files).toEqual([shippedPolicyPath()]);
  });
});

describe("loadPolicy: layering", () => {
  const { policy, errors } = load(`${FIXTURES}/user-layer.yaml`);

  it("loads without errors", () => {
    expect(errors).toEqual([]);
  });

  it("overrides rule settings key by key and keeps the rest of the shipped settings", () => {
    const backup = meta("backup-retention", [{ name: "minimumDays", type: "integer", default: 7, description: "" }]);
    // Top level: user severity high and 10 days; production keeps its shipped severity, user's 30 days.
    expect(effectiveRuleSettings(policy, backup, "default")).toEqual({
      enabled: true,
      severity: "high",
      params: { minimumDays: 10 },
    });
    expect(effectiveRuleSettings(policy, backup, "production")).toEqual({
      enabled: true,
      severity: "high",
      params: { minimumDays: 30 },
    });
    // development is untouched by the user file.
    expect(effectiveRuleSettings(policy, backup, "development").params).toEqual({ minimumDays: 1 });
    expect(effectiveRuleSettings(policy, meta("iam-auth"), "default").enabled).toBe(false);
    expect(policy.rules["storage-encrypted"]).toEqual({
      enabled: true,
      severity: "high",
      parameters: expect.objectContaining({ requireCustomerManagedKey: false }),
    });
  });

  it("tries the user's profiles first, keeps a shipped profile's match when the user only changes its rules", () => {
    expect(policy.profiles.map((p) => p.name)).toEqual(["staging", "production", "development"]);
    expect(policy.profiles[0]?.match).toEqual({ tags: { Environment: ["staging"] }, stackNames: ["*-stg"] });
    expect(policy.profiles[1]?.match?.tags?.environment).toContain("prod");
    expect(policy.profiles[1]?.rules["instance-class"]?.parameters).toEqual({ allowBurstable: false });
  });

  it("adds the user's waivers with the place they are written, and normalizes stack template paths", () => {
    expect(policy.waivers).toEqual([
      {
        rule: "multi-az",
        resource: "reporting/*.yaml#ReportingDb",
        reason: "Reporting copy, rebuilt from the primary in minutes",
        expires: "2027-01-31",
        loc: { file: `${FIXTURES}/user-layer.yaml`, line: 26, column: 5 },
      },
    ]);
    expect(policy.stackTemplates).toEqual({ "orders-prod": "stacks/orders.yaml" });
  });

  it("treats an empty section like a missing one", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "rdsguard.yaml"),
      "version: 1\nrules:\nprofiles:\n  - name: qa\n    match:\n      tags:\n        env: qa\n    rules:\nwaivers:\n",
    );
    const { policy: p, errors: e } = load(undefined, dir);
    expect(e).toEqual([]);
    expect(p.profiles[0]).toEqual({ name: "qa", match: { tags: { env: ["qa"] } }, rules: {} });
  });
});

describe("loadPolicy: errors name file:line:col and what was expected", () => {
  it("wrong type", () => {
    const { errors } = load(`${FIXTURES}/wrong-type.yaml`);
    expect(shown(errors)).toEqual([
      `${FIXTURES}/wrong-type.yaml:6:20: rules.backup-retention.parameters.minimumDays must be integer, got "seven"`,
      `${FIXTURES}/wrong-type.yaml:8:14: rules.iam-auth.enabled must be boolean, got "yes"`,
    ]);
    expect(errors.every((e) => e.kind === "policy")).toBe(true);
  });

  it("unknown rule id, at the top level and in a profile", () => {
    expect(shown(load(`${FIXTURES}/unknown-rule.yaml`).errors)).toEqual([
      `${FIXTURES}/unknown-rule.yaml:5:3: rules: unknown rule id "multi-a"; known rule ids: ${known}`,
      `${FIXTURES}/unknown-rule.yaml:10:7: profiles[0].rules: unknown rule id "instance-klass"; known rule ids: ${known}`,
    ]);
  });

  it("bad dates in waivers", () => {
    expect(shown(load(`${FIXTURES}/bad-date.yaml`).errors)).toEqual([
      `${FIXTURES}/bad-date.yaml:6:14: waivers[0].expires must be a date written YYYY-MM-DD (a real calendar day), got "2027-02-30"`,
      `${FIXTURES}/bad-date.yaml:10:14: waivers[1].expires must be a date written YYYY-MM-DD (a real calendar day), got "next year"`,
    ]);
  });

  it("a waiver without a reason is reported and not honoured; the rest of the file still applies", () => {
    const { policy, errors } = load(`${FIXTURES}/missing-reason.yaml`);
    expect(shown(errors)).toEqual([
      `${FIXTURES}/missing-reason.yaml:7:5: waivers[0] is missing required key "reason" (every waiver must say why)`,
      `${FIXTURES}/missing-reason.yaml:11:13: waivers[1].reason must not be blank (every waiver must say why)`,
    ]);
    expect(policy.waivers.map((w) => w.rule)).toEqual(["*"]);
    expect(policy.rules["backup-retention"]?.parameters).toEqual({ minimumDays: 21 });
  });

  it("unknown keys point at the key", () => {
    expect(shown(load(`${FIXTURES}/unknown-key.yaml`).errors)).toEqual([
      `${FIXTURES}/unknown-key.yaml:2:1: policy: unknown key "rule"; expected one of: version, defaultProfile, rules, profiles, waivers, stackTemplates, customRules, plugins`,
      `${FIXTURES}/unknown-key.yaml:8:7: profiles[0].match: unknown key "tag"; expected one of: tags, stackNames, accounts, paths`,
    ]);
  });

  it("version, severity, unknown parameter, account ids and an empty match", () => {
    const backupParams = parameters["backup-retention"]?.map((p) => p.name).join(", ");
    expect(shown(load(`${FIXTURES}/misc-errors.yaml`).errors)).toEqual([
      `${FIXTURES}/misc-errors.yaml:1:10: version must be 1, got 2`,
      `${FIXTURES}/misc-errors.yaml:5:15: rules.multi-az.severity must be one of critical, high, medium, low, info; got "severe"`,
      `${FIXTURES}/misc-errors.yaml:8:7: rules.backup-retention.parameters: unknown parameter "minimumDayz" for rule backup-retention; its parameters are: ${backupParams}`,
      `${FIXTURES}/misc-errors.yaml:12:18: profiles[0].match.accounts[0] must be string, got 123456789012 (quote account ids, e.g. "012345678901")`,
      `${FIXTURES}/misc-errors.yaml:12:32: profiles[0].match.accounts[1] must be a 12-digit AWS account id, got "12345"`,
      `${FIXTURES}/misc-errors.yaml:14:12: profiles[1].match must name at least one criterion: tags, stackNames, accounts or paths`,
    ]);
  });

  it("a file with errors is not applied", () => {
    const { policy } = load(`${FIXTURES}/misc-errors.yaml`);
    expect(policy.files).toEqual(["rules.yaml"]);
    expect(policy.rules["multi-az"]?.severity).toBe("medium");
  });

  it("duplicate profile names and a defaultProfile that names no profile", () => {
    expect(shown(load(`${FIXTURES}/duplicate-profile.yaml`).errors)).toEqual([
      `${FIXTURES}/duplicate-profile.yaml:7:11: profiles[1].name: profile "staging" is defined twice`,
    ]);
    const bad = load(`${FIXTURES}/unknown-default-profile.yaml`);
    expect(shown(bad.errors)).toEqual([
      `${FIXTURES}/unknown-default-profile.yaml:2:17: defaultProfile "staging" names no profile; defined profiles: default, qa, production, development`,
    ]);
    expect(bad.policy.defaultProfile).toBe("default");
  });

  it("YAML syntax errors and an empty file", () => {
    expect(shown(load(`${FIXTURES}/bad-yaml.yaml`).errors)).toEqual([
      `${FIXTURES}/bad-yaml.yaml:4:3: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }`,
    ]);
    expect(shown(load(`${FIXTURES}/empty.yaml`).errors)).toEqual([
      `${FIXTURES}/empty.yaml:1:1: policy must be a mapping, got nothing (empty value)`,
    ]);
  });

  it("unknown rule id in a waiver", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "rdsguard.yaml"),
      "version: 1\nwaivers:\n  - rule: multi-a\n    resource: Db\n    reason: x\n",
    );
    expect(shown(load(undefined, dir).errors)).toEqual([
      `rdsguard.yaml:3:11: waivers[0].rule must be a known rule id or "*", got "multi-a"; known rule ids: ${known}`,
    ]);
  });
});
