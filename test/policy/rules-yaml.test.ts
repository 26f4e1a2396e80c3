import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isIsoDate } from "../../src/policy/dates.js";
import { loadPolicy, shippedPolicyPath } from "../../src/policy/load.js";
import { effectiveRuleSettings, selectProfile } from "../../src/policy/profile.js";
import { policySchema } from "../../src/policy/schema.js";
import { allRules } from "../../src/rules/index.js";
import { SEVERITIES } from "../../src/rules/types.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";
import { instance, templateModel } from "../engine/helpers.js";
import { parameters, ruleIds } from "./catalogue.js";

const emptyDir = mkdtempSync(join(tmpdir(), "rdsguard-rules-yaml-"));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));
const { policy, errors } = loadPolicy({ cwd: emptyDir, ruleIds, parameters });

describe("the shipped rules.yaml", () => {
  it("loads without errors against the real rules", () => {
    expect(errors).toEqual([]);
  });

  it("validates against schema/policy.schema.json on its own (as an editor would use it)", () => {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    ajv.addFormat("date", { type: "string", validate: isIsoDate });
    const validate = ajv.compile(policySchema());
    const valid = validate(parse(readFileSync(shippedPolicyPath(), "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("enables every rule with exactly its default severity and parameters", () => {
    expect(Object.keys(policy.rules)).toEqual(allRules.map((r) => r.meta.id));
    for (const { meta } of allRules) {
      const expected: Record<string, unknown> = { enabled: true, severity: meta.severity };
      if (meta.parameters.length > 0) {
        expected.parameters = Object.fromEntries(meta.parameters.map((p) => [p.name, p.default]));
      }
      expect(policy.rules[meta.id], meta.id).toEqual(expected);
    }
  });

  it("has a stricter production profile and a relaxed development profile", () => {
    const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
    let raised = 0;
    let lowered = 0;
    for (const { meta } of allRules) {
      const base = effectiveRuleSettings(policy, meta, "default");
      const prod = effectiveRuleSettings(policy, meta, "production");
      const dev = effectiveRuleSettings(policy, meta, "development");
      expect(prod.enabled && dev.enabled, meta.id).toBe(true);
      // Lower index = more severe.
      expect(rank(prod.severity), meta.id).toBeLessThanOrEqual(rank(base.severity));
      expect(rank(dev.severity), meta.id).toBeGreaterThanOrEqual(rank(base.severity));
      if (rank(prod.severity) < rank(base.severity)) raised++;
      if (rank(dev.severity) > rank(base.severity)) lowered++;
    }
    expect(raised).toBeGreaterThan(0);
    expect(lowered).toBeGreaterThan(0);
    const instanceClass = allRules.find((r) => r.meta.id === "instance-class");
    expect(instanceClass).toBeDefined();
    if (instanceClass) {
      expect(effectiveRuleSettings(policy, instanceClass.meta, "production").params.allowBurstable).toBe(false);
      expect(effectiveRuleSettings(policy, instanceClass.meta, "development").params.allowBurstable).toBe(true);
    }
    const backups = allRules.find((r) => r.meta.id === "backup-retention");
    if (backups) {
      const days = (profile: string) =>
        effectiveRuleSettings(policy, backups.meta, profile).params.minimumDays as number;
      expect(days("production")).toBeGreaterThanOrEqual(days("default"));
      expect(days("development")).toBeLessThanOrEqual(days("default"));
    }
  });

  it("selects production and development by tag, stack name and path, and default otherwise", () => {
    const pick = (over: Parameters<typeof instance>[1], extra: Parameters<typeof templateModel>[2] = {}) => {
      const db = instance("Db", over);
      return selectProfile(policy, db, templateModel(db.origin.file ?? "t.yaml", [db], extra));
    };
    expect(pick({ tags: { Environment: "Production" } })).toBe("production");
    expect(pick({ tags: { env: "prd" } })).toBe("production");
    expect(pick({ tags: { environment: "dev" } })).toBe("development");
    expect(pick({ tags: { stage: "sandbox" } })).toBe("development");
    expect(pick({}, { stackName: "orders-prod" })).toBe("production");
    expect(pick({}, { stackName: "orders-dev" })).toBe("development");
    expect(pick({ origin: { source: "template", file: "infra/prod/db.yaml", logicalId: "Db" } })).toBe("production");
    expect(pick({ origin: { source: "template", file: "infra/dev/db.yaml", logicalId: "Db" } })).toBe("development");
    expect(pick({ tags: { team: "payments" } })).toBe("default");
  });
});

describe("tags that cannot all be resolved", () => {
  const text = [
    "Parameters:",
    "  Owner:",
    "    Type: String",
    "Resources:",
    "  Db:",
    "    Type: AWS::RDS::DBInstance",
    "    Properties:",
    "      Engine: postgres",
    "      Tags:",
    "        - Key: Environment",
    "          Value: Production",
    "        - Key: StackId",
    "          Value: !Ref AWS::StackId",
    "        - Key: Owner",
    "          Value: !Ref Owner",
  ].join("\n");

  it("keep the known ones: one unresolvable value is unknown on its own, and Environment still selects production", () => {
    const model = scanTemplateText(text, "tags.yaml").model;
    const db = model?.resources.get("Db");
    if (!model || !db) throw new Error("no model");
    expect(db.tags).toEqual({ Environment: "Production" });
    expect(db.tagsUnknown).toBeUndefined();
    expect(Object.keys(db.unknownTags ?? {}).sort()).toEqual(["Owner", "StackId"]);
    expect(db.unknownTags?.Owner).toMatch(/^tag Owner is unknown: /);
    expect(selectProfile(policy, db, model)).toBe("production");
  });
});
