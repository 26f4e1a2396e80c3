import { describe, expect, it } from "vitest";
import { allRules, getRule, ruleIds } from "../../src/rules/index.js";
import { SEVERITIES } from "../../src/rules/types.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";
import { NOW } from "./build-model.js";

describe("rule catalogue", () => {
  it("has the ten rules, in a stable order, findable by id", () => {
    expect(ruleIds).toEqual([
      "storage-encrypted",
      "iam-auth",
      "backup-retention",
      "deletion-protection",
      "multi-az",
      "instance-class",
      "ca-certificate",
      "engine-version",
      "encryption-in-transit",
      "public-access",
    ]);
    for (const id of ruleIds) expect(getRule(id)?.meta.id).toBe(id);
    expect(getRule("nope")).toBeUndefined();
  });

  it("has complete metadata", () => {
    for (const { meta } of allRules) {
      expect(SEVERITIES).toContain(meta.severity);
      for (const text of [meta.title, meta.description, meta.rationale, meta.remediation.text]) {
        expect(text.length, meta.id).toBeGreaterThan(10);
      }
      expect(meta.appliesTo.length).toBeGreaterThan(0);
      expect(meta.tags.length).toBeGreaterThan(0);
      expect(
        meta.sources.every((s) => s.startsWith("https://")),
        meta.id,
      ).toBe(true);
      expect(Object.keys(meta.references).sort()).toEqual([
        "awsConfig",
        "cdkNag",
        "cfnGuard",
        "cfnNag",
        "checkov",
        "securityHub",
      ]);
      for (const p of meta.parameters) {
        const ok =
          (p.type === "integer" && Number.isInteger(p.default)) ||
          (p.type === "boolean" && typeof p.default === "boolean") ||
          (p.type === "string" && typeof p.default === "string") ||
          (p.type === "string[]" && Array.isArray(p.default));
        expect(ok, `${meta.id}.${p.name}`).toBe(true);
      }
    }
  });

  it("remediation snippets, scanned by the real template scanner, pass their own rule (default and production settings)", () => {
    const production = { allowBurstable: false, requireCustomerManagedKey: true };
    for (const rule of allRules) {
      const scanned = scanTemplateText(rule.meta.remediation.snippet, "snippet.yaml");
      expect(scanned.error, rule.meta.id).toBeUndefined();
      const model = scanned.model;
      if (!model) throw new Error(`${rule.meta.id}: snippet has no database resources`);
      const defaults = Object.fromEntries(rule.meta.parameters.map((p) => [p.name, p.default]));
      for (const params of [defaults, { ...defaults, ...production }]) {
        let judged = 0;
        for (const resource of model.resources.values()) {
          if (!rule.meta.appliesTo.includes(resource.kind)) continue;
          for (const r of rule.evaluate(resource, { model, params, profile: "p", now: NOW })) {
            // Neither fail nor unknown: a fix must be one the rule can confirm.
            expect(["pass", "not-applicable"], `${rule.meta.id} ${resource.id}: ${r.message}`).toContain(r.verdict);
            if (r.verdict === "pass") judged++;
          }
        }
        expect(judged, rule.meta.id).toBeGreaterThan(0);
      }
    }
  });

  it("no remediation snippet sets a cluster-owned property on an Aurora member (CloudFormation ignores or rejects it)", () => {
    for (const rule of allRules) {
      const model = scanTemplateText(rule.meta.remediation.snippet, "snippet.yaml").model;
      for (const resource of model?.resources.values() ?? []) {
        if (resource.kind !== "db-instance" || resource.role !== "aurora-member") continue;
        for (const attr of [
          resource.storageEncrypted,
          resource.deletionProtection,
          resource.iamAuth,
          resource.backupRetentionPeriod,
        ]) {
          expect(attr.state, `${rule.meta.id} ${resource.id}`).toBe("absent");
        }
      }
    }
  });

  it("maps the peer rule ids verified against the peers' own sources", () => {
    const byId = Object.fromEntries(allRules.map((r) => [r.meta.id, r.meta.references]));
    // Verified against the peers' sources (cfn_nag custom_rules, checkov checks, cdk-nag rules).
    expect(byId["storage-encrypted"]?.cfnNag).toEqual(["F26", "F27", "F19"]);
    expect(byId["deletion-protection"]?.cfnNag).toEqual(["F80"]);
    expect(byId["backup-retention"]?.cfnNag).toEqual(["W75"]);
    expect(byId["iam-auth"]?.checkov).toEqual(["CKV_AWS_161", "CKV_AWS_162"]);
    expect(byId["multi-az"]?.checkov).toEqual(["CKV_AWS_157"]);
    // cfn_nag RDSInstancePubliclyAccessibleRule (F22), checkov RDSPubliclyAccessible (CKV_AWS_17), the AWS Config
    // managed rule RDS_INSTANCE_PUBLIC_ACCESS_CHECK (Security Hub RDS.2), cdk-nag's HIPAA/NIST packs.
    expect(byId["public-access"]?.cfnNag).toEqual(["F22"]);
    expect(byId["public-access"]?.checkov).toEqual(["CKV_AWS_17"]);
    expect(byId["public-access"]?.securityHub).toEqual(["RDS.2"]);
    expect(byId["public-access"]?.awsConfig).toEqual(["rds-instance-public-access-check"]);
  });
});
