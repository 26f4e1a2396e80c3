/**
 * engine-version, encryption-in-transit and public-access on both sources: the live state of the fake account (real
 * HTTP to test/support/fake-aws) and a template declaring the same databases
 * (test/fixtures/rules/transit-and-exposure.yaml) give each pair the same verdict; the template's parameter groups
 * are followed by Ref, by literal name and under a Condition.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Model } from "../../src/model/types.js";
import { getRule } from "../../src/rules/index.js";
import type { RuleResult } from "../../src/rules/types.js";
import { scanLive } from "../../src/scanners/live/index.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";
import { FakeAws, fakeCredentials, standardState } from "../support/fake-aws/index.js";

const NOW = new Date("2026-03-01T00:00:00Z");
const RULES = ["engine-version", "encryption-in-transit", "public-access"];
const FILE = "test/fixtures/rules/transit-and-exposure.yaml";
/** Template logical id -> live DB identifier. */
const PAIRS: Record<string, string> = {
  OrdersCluster: "orders",
  OrdersWriter: "orders-1",
  LegacyCluster: "legacy",
  ReportsDb: "reports-db",
  BillingMysql: "billing-mysql",
  // sydney-pg's answer leaves PubliclyAccessible out (unknown live): compared on the other two rules below.
};

function judge(m: Model, name: string, ruleId: string): RuleResult[] {
  const rule = getRule(ruleId);
  const resource = [...m.resources.values()].find((r) => r.name === name);
  if (!rule || !resource) throw new Error(`no ${ruleId} or ${name}`);
  const params = Object.fromEntries(rule.meta.parameters.map((p) => [p.name, p.default]));
  return rule.evaluate(resource, { model: m, params, profile: "test", now: NOW });
}

let fake: FakeAws;
let models: Model[];
let template: Model;

beforeAll(async () => {
  fake = new FakeAws(standardState(NOW).state);
  const endpointUrl = await fake.start();
  const result = await scanLive({
    regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
    concurrency: 4,
    timeoutMs: 5000,
    maxAttempts: 1,
    endpointUrl,
    credentials: fakeCredentials,
  });
  expect(result.errors).toEqual([]);
  models = result.models;
  const scanned = scanTemplateText(readFileSync(path.resolve(FILE), "utf8"), FILE);
  if (!scanned.model) throw new Error(JSON.stringify(scanned.error));
  template = scanned.model;
});
afterAll(async () => {
  await fake.stop();
});

function liveModelOf(name: string): Model {
  const m = models.find((x) => [...x.resources.values()].some((r) => r.name === name));
  if (!m) throw new Error(`no live ${name}`);
  return m;
}

describe("the three rules on a template and on the live state it describes", () => {
  it("give every pair the same verdicts", () => {
    const table = (source: "template" | "live") =>
      Object.fromEntries(
        Object.entries(PAIRS).map(([logical, id]) => [
          id,
          Object.fromEntries(
            RULES.map((ruleId) => {
              const m = source === "template" ? template : liveModelOf(id);
              const name = source === "template" ? logical : id;
              return [
                ruleId,
                judge(m, name, ruleId)
                  .map((r) => r.verdict)
                  .join(","),
              ];
            }),
          ),
        ]),
      );
    expect(table("live")).toEqual(table("template"));
    expect(table("live")).toEqual({
      orders: { "engine-version": "pass", "encryption-in-transit": "pass", "public-access": "not-applicable" },
      "orders-1": {
        "engine-version": "not-applicable",
        "encryption-in-transit": "not-applicable",
        "public-access": "pass",
      },
      legacy: { "engine-version": "fail", "encryption-in-transit": "fail", "public-access": "not-applicable" },
      "reports-db": { "engine-version": "pass", "encryption-in-transit": "fail", "public-access": "pass" },
      "billing-mysql": { "engine-version": "fail", "encryption-in-transit": "fail", "public-access": "fail" },
    });
    // RDS for PostgreSQL 16 in a default.postgres16 group: TLS forced by default, on both.
    for (const ruleId of ["engine-version", "encryption-in-transit"]) {
      expect(judge(liveModelOf("sydney-pg"), "sydney-pg", ruleId)[0]?.verdict).toBe("pass");
      expect(judge(template, "SydneyPg", ruleId)[0]?.verdict).toBe("pass");
    }
    expect(judge(liveModelOf("sydney-pg"), "sydney-pg", "public-access")[0]?.verdict).toBe("unknown");
  });

  it("the warning ahead of MySQL 8.0's end of standard support carries the lower severity on both", () => {
    for (const [m, name] of [
      [template, "BillingMysql"],
      [liveModelOf("billing-mysql"), "billing-mysql"],
    ] as const) {
      expect(judge(m, name, "engine-version")[0]).toMatchObject({ verdict: "fail", severity: "low" });
    }
    expect(judge(liveModelOf("billing-mysql"), "billing-mysql", "engine-version")[0]?.message).toContain(
      "(dates: DescribeDBMajorEngineVersions)",
    );
  });

  it("the template follows a group by literal name and by Ref, at the parameter's line", () => {
    expect(judge(template, "ReportsDb", "encryption-in-transit")[0]).toMatchObject({
      verdict: "fail",
      loc: { file: FILE, line: 47, column: 24 },
    });
    expect(judge(template, "OrdersCluster", "encryption-in-transit")[0]).toMatchObject({
      verdict: "pass",
      loc: { file: FILE, line: 19, column: 24 },
    });
  });

  it("a group that exists only under an undecided Condition splits the verdict on it", () => {
    expect(judge(template, "MaybeStrict", "encryption-in-transit")[0]).toMatchObject({
      verdict: "fail",
      when: "IsStrict=false",
    });
  });

  it("live: one lifecycle call per region and engine, one read per distinct group, with Source=user", () => {
    const params = fake.requests.filter((r) => r.action === "DescribeDBParameters");
    expect(params.map((r) => `${r.region} ${r.params.DBParameterGroupName} ${r.params.Source}`).sort()).toEqual([
      "eu-west-1 reports-params user",
      "us-east-1 reports-params user",
    ]);
    expect(fake.count({ action: "DescribeDBClusterParameters" })).toBe(1);
    expect(fake.count({ action: "DescribeDBMajorEngineVersions" })).toBe(7);
  });
});

describe("when DescribeDBMajorEngineVersions is denied", () => {
  it("engine-version falls back to rdsguard's table, says so, and the error is reported", async () => {
    const denied = new FakeAws(standardState(NOW).state);
    denied.faults.push({
      action: "DescribeDBMajorEngineVersions",
      error: {
        status: 403,
        code: "AccessDenied",
        message: "not authorized to perform rds:DescribeDBMajorEngineVersions",
      },
    });
    const endpointUrl = await denied.start();
    try {
      const result = await scanLive({
        regions: ["eu-west-1"],
        concurrency: 2,
        timeoutMs: 5000,
        maxAttempts: 1,
        endpointUrl,
        credentials: fakeCredentials,
      });
      expect(result.errors.map((e) => e.message)).toEqual(
        expect.arrayContaining([
          expect.stringContaining("engine-version uses rdsguard's lifecycle table for this region"),
        ]),
      );
      const m = result.models[0] as Model;
      const [r] = judge(m, "billing-mysql", "engine-version");
      expect(r?.verdict).toBe("fail");
      expect(r?.message).toContain(
        "rdsguard's lifecycle table, retrieved 2026-12-02; DescribeDBMajorEngineVersions could not be read",
      );
    } finally {
      await denied.stop();
    }
  });
});
