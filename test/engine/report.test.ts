import { describe, expect, it } from "vitest";
import { enabledRules, Judge } from "../../src/engine/report.js";
import { emptyPolicy } from "../../src/policy/load.js";
import { allRules } from "../../src/rules/index.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

const template = `Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Metadata:
      rdsguard:
        suppress:
          - rule: multi-az
    Properties:
      Engine: postgres
      DBInstanceClass: db.m7g.large
`;

describe("Judge", () => {
  it("describes only the rules enabled in some profile", () => {
    const policy = emptyPolicy();
    expect(enabledRules(policy).map((r) => r.id)).toEqual(allRules.map((r) => r.meta.id));
    policy.rules["iam-auth"] = { enabled: false };
    expect(enabledRules(policy).map((r) => r.id)).not.toContain("iam-auth");
    // Enabled again by a profile: still described.
    policy.profiles.push({
      name: "production",
      match: { tags: { environment: ["prod"] } },
      rules: { "iam-auth": { enabled: true } },
    } as never);
    expect(enabledRules(policy).map((r) => r.id)).toContain("iam-auth");
  });

  it("judges template models, counts them, and reports an inline waiver without a reason", () => {
    const builder = new Judge({ policy: emptyPolicy(), strict: false, now: new Date("2026-11-30T00:00:00Z") });
    const model = scanTemplateText(template, "db.yaml").model;
    if (!model) throw new Error("no model");
    builder.judge(model);
    const report = builder.report({ kind: "template", startedAt: new Date(), root: "/repo" }, { filesScanned: 3 });
    expect(report.stats).toMatchObject({ filesScanned: 3, templatesWithDatabases: 1, resources: 1 });
    expect(report.findings.find((f) => f.ruleId === "multi-az")).toMatchObject({ verdict: "fail" });
    expect(report.findings.find((f) => f.ruleId === "multi-az")?.suppression).toBeUndefined();
    expect(report.errors).toEqual([expect.objectContaining({ kind: "policy", file: "db.yaml", line: 7, column: 13 })]);
  });
});
