import { describe, expect, it } from "vitest";
import { runRules } from "../../src/engine/engine.js";
import type { ScanError } from "../../src/engine/types.js";
import type { RuleContext } from "../../src/rules/types.js";
import {
  cluster,
  constantRule,
  fakeMeta,
  fakeRule,
  instance,
  liveInstance,
  liveModel,
  loc,
  policyWith,
  templateModel,
} from "./helpers.js";

const now = new Date("2026-06-15T12:00:00Z");

describe("runRules", () => {
  it("hands each finding to emit as it is made, in the order of the list it otherwise returns, keeping none", () => {
    const rule = fakeRule(fakeMeta("two", { appliesTo: ["db-cluster", "db-instance"] }), (resource) => [
      { verdict: "pass", message: `${resource.id} a`, property: "A" },
      { verdict: "fail", message: `${resource.id} b`, property: "B" },
    ]);
    const model = templateModel("t.yaml", [cluster("C"), instance("I")]);
    const opts = { rules: [rule], policy: policyWith({}), strict: false, now };
    const listed = runRules([model], opts);
    const emitted: unknown[] = [];
    let fingerprintsSeenWhileEmitting = 0;
    const kept = runRules([model], opts, (f) => {
      emitted.push(f);
      if (/^[0-9a-f]{64}$/.test(f.fingerprint)) fingerprintsSeenWhileEmitting++;
    });
    expect(kept).toEqual([]);
    expect(emitted).toEqual(listed);
    expect(listed.map((f) => f.message)).toEqual(["C a", "C b", "I a", "I b"]);
    expect(fingerprintsSeenWhileEmitting).toBe(4);
  });

  it("hands a rule only the resource kinds it applies to and maps each result to a finding", () => {
    const seen: string[] = [];
    const rule = fakeRule(fakeMeta("encrypted", { appliesTo: ["db-cluster"], severity: "critical" }), (resource) => {
      seen.push(resource.id);
      return [
        {
          verdict: "fail",
          message: "StorageEncrypted is false",
          property: "StorageEncrypted",
          loc: loc("t.yaml", 7, 9),
        },
      ];
    });
    const model = templateModel("t.yaml", [cluster("Cluster"), instance("Member", { role: "aurora-member" })]);
    const findings = runRules([model], { rules: [rule], policy: policyWith({}), strict: false, now });
    expect(seen).toEqual(["Cluster"]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "encrypted",
      severity: "critical",
      verdict: "fail",
      message: "StorageEncrypted is false",
      property: "StorageEncrypted",
      location: { file: "t.yaml", line: 7, column: 9 },
      profile: "default",
      resource: { id: "Cluster", name: "Cluster", kind: "db-cluster" },
    });
    expect(findings[0]?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("falls back to the resource's location when the result has none", () => {
    const rule = constantRule("r", [{ verdict: "fail", message: "missing", property: "MultiAZ" }]);
    const [finding] = runRules([templateModel("t.yaml", [instance("Db", { loc: loc("t.yaml", 42, 3) })])], {
      rules: [rule],
      policy: policyWith({}),
      strict: false,
      now,
    });
    expect(finding?.location).toEqual({ file: "t.yaml", line: 42, column: 3 });
  });

  it("keeps pass and not-applicable results as findings, and carries the condition label", () => {
    const rule = constantRule("r", [
      { verdict: "pass", message: "ok", property: "A" },
      { verdict: "not-applicable", message: "n/a", property: "B" },
      { verdict: "fail", message: "fails when IsProd=false", property: "C", when: "IsProd=false" },
    ]);
    const findings = runRules([templateModel("t.yaml", [instance("Db")])], {
      rules: [rule],
      policy: policyWith({}),
      strict: false,
      now,
    });
    expect(findings.map((f) => [f.verdict, f.property, f.when])).toEqual([
      ["pass", "A", undefined],
      ["not-applicable", "B", undefined],
      ["fail", "C", "IsProd=false"],
    ]);
  });

  it("gives the rule the parameters and profile selected for each resource, and skips disabled rules", () => {
    const contexts: Array<[string, RuleContext["params"], string]> = [];
    const rule = fakeRule(
      fakeMeta("backups", {
        parameters: [
          { name: "minimumDays", type: "integer", default: 7, description: "" },
          { name: "requireSnapshot", type: "boolean", default: true, description: "" },
        ],
      }),
      (resource, ctx) => {
        contexts.push([resource.id, ctx.params, ctx.profile]);
        return [{ verdict: "pass", message: "ok" }];
      },
    );
    const other = constantRule("other", [{ verdict: "fail", message: "x" }]);
    const policy = policyWith({
      rules: { backups: { parameters: { minimumDays: 10 } } },
      profiles: [
        {
          name: "production",
          match: { tags: { environment: ["prod"] } },
          rules: { backups: { parameters: { minimumDays: 35 }, severity: "critical" } },
        },
        { name: "development", match: { tags: { environment: ["dev"] } }, rules: { other: { enabled: false } } },
      ],
    });
    const model = templateModel("t.yaml", [
      instance("Prod", { tags: { environment: "prod" } }),
      instance("Dev", { tags: { environment: "dev" } }),
      instance("Untagged"),
    ]);
    const findings = runRules([model], { rules: [rule, other], policy, strict: false, now });
    expect(contexts).toEqual([
      ["Prod", { minimumDays: 35, requireSnapshot: true }, "production"],
      ["Dev", { minimumDays: 10, requireSnapshot: true }, "development"],
      ["Untagged", { minimumDays: 10, requireSnapshot: true }, "default"],
    ]);
    expect(findings.map((f) => `${f.resource.id}:${f.ruleId}:${f.severity}`)).toEqual([
      "Prod:backups:critical",
      "Prod:other:high",
      "Dev:backups:high",
      "Untagged:backups:high",
      "Untagged:other:high",
    ]);
  });

  it("turns a throwing rule into an unknown verdict for that resource instead of crashing", () => {
    const rule = fakeRule(fakeMeta("boom"), () => {
      throw new Error("unexpected shape");
    });
    const errors: ScanError[] = [];
    const [finding] = runRules([templateModel("t.yaml", [instance("Db")])], {
      rules: [rule],
      policy: policyWith({}),
      strict: false,
      now,
      onRuleError: (e) => errors.push(e),
    });
    expect(finding?.verdict).toBe("unknown");
    expect(finding?.message).toBe("rule error: rule boom threw Error: unexpected shape on Db");
    expect(errors).toEqual([
      expect.objectContaining({ kind: "rule", message: "rule boom threw Error: unexpected shape on Db" }),
    ]);
  });
});

describe("--strict", () => {
  const rule = constantRule("encrypted", [
    {
      verdict: "unknown",
      message: "StorageEncrypted comes from Fn::ImportValue SharedEncrypt, which cannot be resolved before deployment",
      property: "StorageEncrypted",
    },
    { verdict: "pass", message: "ok", property: "KmsKeyId" },
  ]);
  const model = templateModel("t.yaml", [instance("Db")]);

  it("leaves unknown as unknown without --strict", () => {
    const findings = runRules([model], { rules: [rule], policy: policyWith({}), strict: false, now });
    expect(findings.map((f) => f.verdict)).toEqual(["unknown", "pass"]);
  });

  it("turns unknown into fail, saying it could not be determined and why", () => {
    const findings = runRules([model], { rules: [rule], policy: policyWith({}), strict: true, now });
    expect(findings.map((f) => f.verdict)).toEqual(["fail", "pass"]);
    expect(findings[0]?.message).toBe(
      "Could not be determined, and --strict counts that as a failure: StorageEncrypted comes from " +
        "Fn::ImportValue SharedEncrypt, which cannot be resolved before deployment",
    );
    expect(findings[1]?.message).toBe("ok");
  });
});

describe("fingerprints", () => {
  const run = (resourceLine: number, resultLine: number, file = "templates/db.yaml") => {
    const rule = constantRule("encrypted", [
      { verdict: "fail", message: "m", property: "StorageEncrypted", loc: loc(file, resultLine, 5) },
    ]);
    const model = templateModel(file, [
      instance("Db", { loc: loc(file, resourceLine), origin: { source: "template", file, logicalId: "Db" } }),
    ]);
    const [finding] = runRules([model], { rules: [rule], policy: policyWith({}), strict: false, now });
    return finding?.fingerprint;
  };

  it("does not change when the code moves to other lines", () => {
    expect(run(10, 14)).toBe(run(110, 230));
  });

  it("changes with the file, the property, the resource and the condition label", () => {
    const base = run(10, 14);
    expect(run(10, 14, "templates/other.yaml")).not.toBe(base);

    const byProperty = (property: string, when?: string, id = "Db") => {
      const rule = constantRule("encrypted", [{ verdict: "fail", message: "m", property, ...(when ? { when } : {}) }]);
      return runRules([templateModel("t.yaml", [instance(id)])], {
        rules: [rule],
        policy: policyWith({}),
        strict: false,
        now,
      })[0]?.fingerprint;
    };
    expect(byProperty("StorageEncrypted")).not.toBe(byProperty("KmsKeyId"));
    expect(byProperty("StorageEncrypted")).not.toBe(byProperty("StorageEncrypted", "IsProd=false"));
    expect(byProperty("StorageEncrypted")).not.toBe(byProperty("StorageEncrypted", undefined, "Other"));
  });

  it("does not change with the verdict or message, and stays distinct for repeated results", () => {
    const fp = (verdict: "fail" | "pass", message: string) =>
      runRules([templateModel("t.yaml", [instance("Db")])], {
        rules: [constantRule("r", [{ verdict, message, property: "P" }])],
        policy: policyWith({}),
        strict: false,
        now,
      })[0]?.fingerprint;
    expect(fp("fail", "a")).toBe(fp("pass", "b"));

    const twice = runRules([templateModel("t.yaml", [instance("Db")])], {
      rules: [
        constantRule("r", [
          { verdict: "fail", message: "a", property: "P" },
          { verdict: "fail", message: "b", property: "P" },
        ]),
      ],
      policy: policyWith({}),
      strict: false,
      now,
    });
    expect(new Set(twice.map((f) => f.fingerprint)).size).toBe(2);
  });

  it("uses the ARN for live resources", () => {
    const rule = constantRule("r", [{ verdict: "fail", message: "m", property: "P" }]);
    const a = runRules([liveModel("111111111111", "eu-west-1", [liveInstance("orders", "111111111111")])], {
      rules: [rule],
      policy: policyWith({}),
      strict: false,
      now,
    })[0]?.fingerprint;
    const b = runRules([liveModel("222222222222", "eu-west-1", [liveInstance("orders", "222222222222")])], {
      rules: [rule],
      policy: policyWith({}),
      strict: false,
      now,
    })[0]?.fingerprint;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);

    // Mapping the stack to its template (audit --stack-template) adds a file and a location, not a new identity.
    const mapped = liveInstance("orders", "111111111111");
    mapped.origin = { ...mapped.origin, file: "stacks/orders.yaml", logicalId: "Orders", stackName: "orders" };
    mapped.loc = loc("stacks/orders.yaml", 12);
    const c = runRules([liveModel("111111111111", "eu-west-1", [mapped])], {
      rules: [rule],
      policy: policyWith({}),
      strict: false,
      now,
    })[0]?.fingerprint;
    expect(c).toBe(a);
  });
});
