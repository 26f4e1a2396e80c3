import { describe, expect, it } from "vitest";
import { runRules } from "../../src/engine/engine.js";
import { checkInlineSuppressions } from "../../src/engine/suppression.js";
import type { Finding } from "../../src/engine/types.js";
import type { InlineSuppression, Model } from "../../src/model/types.js";
import type { PolicyWaiver } from "../../src/policy/types.js";
import type { Verdict } from "../../src/rules/types.js";
import { constantRule, instance, liveInstance, liveModel, loc, policyWith, templateModel } from "./helpers.js";

const now = new Date("2026-06-15T12:00:00Z");
const policyLoc = loc("rdsguard.yaml", 12, 5);

function judge(opts: {
  verdict?: Verdict;
  inline?: InlineSuppression[];
  waivers?: PolicyWaiver[];
  model?: Model;
  at?: Date;
}): Finding {
  const rule = constantRule("multi-az", [
    { verdict: opts.verdict ?? "fail", message: "MultiAZ is false (AWS default)", property: "MultiAZ" },
  ]);
  const model = opts.model ?? templateModel("templates/db.yaml", [instance("Db", { suppressions: opts.inline ?? [] })]);
  const findings = runRules([model], {
    rules: [rule],
    policy: policyWith({ waivers: opts.waivers ?? [] }),
    strict: false,
    now: opts.at ?? now,
  });
  expect(findings).toHaveLength(1);
  return findings[0] as Finding;
}

describe("policy waivers", () => {
  const waiver = (over: Partial<PolicyWaiver> = {}): PolicyWaiver => ({
    rule: "multi-az",
    resource: "Db",
    reason: "single-AZ test database",
    loc: policyLoc,
    ...over,
  });

  it("a valid waiver suppresses the finding but keeps its verdict", () => {
    const f = judge({ waivers: [waiver({ expires: "2026-12-31" })] });
    expect(f.verdict).toBe("fail");
    expect(f.suppression).toEqual({
      kind: "policy",
      reason: "single-AZ test database",
      expires: "2026-12-31",
      loc: policyLoc,
    });
    expect(f.expiredSuppression).toBeUndefined();
    expect(f.message).toBe("MultiAZ is false (AWS default)");
  });

  it("an expired waiver makes the finding active again and says so", () => {
    const f = judge({ waivers: [waiver({ expires: "2026-01-31" })] });
    expect(f.verdict).toBe("fail");
    expect(f.suppression).toBeUndefined();
    expect(f.expiredSuppression).toMatchObject({ kind: "policy", expires: "2026-01-31" });
    expect(f.message).toBe(
      'MultiAZ is false (AWS default) [waiver expired on 2026-01-31 at rdsguard.yaml:12:5; it said: "single-AZ test database"]',
    );
  });

  it("a waiver stops applying at 00:00 UTC on its expiry date", () => {
    const w = [waiver({ expires: "2026-06-15" })];
    expect(judge({ waivers: w, at: new Date("2026-06-14T23:59:59Z") }).suppression).toBeDefined();
    expect(judge({ waivers: w, at: new Date("2026-06-15T00:00:00Z") }).expiredSuppression).toBeDefined();
  });

  it("a valid waiver wins over an expired one for the same finding", () => {
    const f = judge({
      waivers: [waiver({ expires: "2026-01-31" }), waiver({ reason: "renewed", expires: "2027-01-31" })],
    });
    expect(f.suppression?.reason).toBe("renewed");
    expect(f.expiredSuppression).toBeUndefined();
  });

  it("matches rule '*' and globs on logical id, file#logicalId and ARN", () => {
    expect(judge({ waivers: [waiver({ rule: "*" })] }).suppression).toBeDefined();
    expect(judge({ waivers: [waiver({ resource: "D*" })] }).suppression).toBeDefined();
    expect(judge({ waivers: [waiver({ resource: "templates/*.yaml#Db" })] }).suppression).toBeDefined();
    expect(judge({ waivers: [waiver({ resource: "**/db.yaml#Db" })] }).suppression).toBeDefined();
    expect(judge({ waivers: [waiver({ resource: "other.yaml#Db" })] }).suppression).toBeUndefined();
    expect(judge({ waivers: [waiver({ rule: "iam-auth" })] }).suppression).toBeUndefined();

    const live = liveModel("123456789012", "eu-west-1", [liveInstance("legacy-orders", "123456789012")]);
    expect(
      judge({ model: live, waivers: [waiver({ resource: "arn:aws:rds:*:123456789012:db:legacy-*" })] }).suppression,
    ).toBeDefined();
    expect(judge({ model: live, waivers: [waiver({ resource: "legacy-orders" })] }).suppression).toBeDefined();
    expect(
      judge({ model: live, waivers: [waiver({ resource: "arn:aws:rds:*:999999999999:db:*" })] }).suppression,
    ).toBeUndefined();
  });

  it("only applies to fail and unknown verdicts", () => {
    expect(judge({ verdict: "pass", waivers: [waiver()] }).suppression).toBeUndefined();
    expect(judge({ verdict: "not-applicable", waivers: [waiver()] }).suppression).toBeUndefined();
    expect(judge({ verdict: "unknown", waivers: [waiver()] }).suppression).toBeDefined();
    expect(judge({ verdict: "pass", waivers: [waiver({ expires: "2020-01-01" })] }).message).toBe(
      "MultiAZ is false (AWS default)",
    );
  });
});

describe("inline suppressions", () => {
  const at = loc("templates/db.yaml", 14, 11);

  it("a valid inline suppression suppresses the finding", () => {
    const f = judge({ inline: [{ rule: "multi-az", reason: "dev only", expires: "2027-01-31", loc: at }] });
    expect(f.verdict).toBe("fail");
    expect(f.suppression).toEqual({ kind: "inline", reason: "dev only", expires: "2027-01-31", loc: at });
  });

  it("an expired inline suppression brings the finding back and says so", () => {
    const f = judge({ inline: [{ rule: "multi-az", reason: "dev only", expires: "2026-03-01", loc: at }] });
    expect(f.suppression).toBeUndefined();
    expect(f.expiredSuppression).toEqual({ kind: "inline", reason: "dev only", expires: "2026-03-01", loc: at });
    expect(f.message).toContain("waiver expired on 2026-03-01 at templates/db.yaml:14:11");
  });

  it("an inline suppression without a reason is not honoured and the finding says why", () => {
    const f = judge({ inline: [{ rule: "multi-az", loc: at }] });
    expect(f.suppression).toBeUndefined();
    expect(f.expiredSuppression).toBeUndefined();
    expect(f.message).toBe(
      "MultiAZ is false (AWS default) [inline suppression at templates/db.yaml:14:11 ignored: it gives no reason " +
        "(every suppression must say why)]",
    );
    expect(judge({ inline: [{ rule: "multi-az", reason: "   ", loc: at }] }).suppression).toBeUndefined();
  });

  it("an inline suppression for another rule does not apply", () => {
    expect(judge({ inline: [{ rule: "iam-auth", reason: "x", loc: at }] }).suppression).toBeUndefined();
  });

  it("checkInlineSuppressions reports missing reasons, bad dates and unknown rule ids with their place", () => {
    const model = templateModel("templates/db.yaml", [
      instance("Db", {
        suppressions: [
          { rule: "multi-az", loc: loc("templates/db.yaml", 14, 11) },
          { rule: "multi-az", reason: "ok", expires: "2027-02-30", loc: loc("templates/db.yaml", 17, 11) },
          { rule: "mutli-az", reason: "typo", loc: loc("templates/db.yaml", 20, 11) },
          { rule: "iam-auth", reason: "fine", expires: "2027-01-31", loc: loc("templates/db.yaml", 23, 11) },
        ],
      }),
    ]);
    const errors = checkInlineSuppressions([model], ["multi-az", "iam-auth"]);
    expect(errors).toEqual([
      {
        kind: "policy",
        file: "templates/db.yaml",
        line: 14,
        column: 11,
        message: "inline suppression of multi-az on Db ignored: it gives no reason (every suppression must say why)",
      },
      {
        kind: "policy",
        file: "templates/db.yaml",
        line: 17,
        column: 11,
        message:
          'inline suppression of multi-az on Db ignored: its expires must be a date written YYYY-MM-DD, got "2027-02-30"',
      },
      {
        kind: "policy",
        file: "templates/db.yaml",
        line: 20,
        column: 11,
        message:
          'inline suppression of mutli-az on Db ignored: it names unknown rule id "mutli-az" (known rule ids: multi-az, iam-auth)',
      },
    ]);
  });
});
