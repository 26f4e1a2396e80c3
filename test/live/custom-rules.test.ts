/**
 * One custom rule, two inputs: the same policy (customRules and a plugin) judges the live state of the fake AWS
 * account (`rdsguard audit`) and a CloudFormation template declaring the same databases (`rdsguard scan`), and
 * every rule gives each pair the same verdict. Cluster-owned attributes of members, KMS key managers read from KMS
 * and from the template's key, versions and tags must all agree.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { run as audit } from "../../src/commands/audit.js";
import { run as scan } from "../../src/commands/scan.js";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import { FakeAws, fakeEnv, standardState } from "../support/fake-aws/index.js";

const NOW = "2026-03-01";
const POLICY = "test/fixtures/policy/custom/live.yaml";
const TEMPLATE = "test/fixtures/custom-rules/live-pairs.yaml";
const CUSTOM = [
  "backup-week",
  "graviton-declared",
  "graviton-plugin",
  "customer-key",
  "current-engine",
  "private-standalone",
  "protected",
  "team-tagged",
  "night-backups",
];
/** Template logical id -> live DB identifier (standardState in test/support/fake-aws/fixtures.ts). */
const PAIRS: Record<string, string> = {
  OrdersCluster: "orders",
  OrdersWriter: "orders-1",
  LegacyCluster: "legacy",
  LegacyWriter: "legacy-1",
  ReportsDb: "reports-db",
  BillingMysql: "billing-mysql",
};

let fake: FakeAws;
let tmp: string;
const savedEnv = { ...process.env };
let live: { code: number; report: ScanReport };
let template: { code: number; report: ScanReport };

async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const swallow = ((_chunk: unknown, ...rest: unknown[]) => {
    (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  const spies: MockInstance[] = [
    vi.spyOn(process.stdout, "write").mockImplementation(swallow),
    vi.spyOn(process.stderr, "write").mockImplementation(swallow),
  ];
  try {
    return await f();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

async function runTo(command: typeof audit, name: string, args: string[]) {
  const out = path.join(tmp, `${name}.json`);
  const code = await quietly(() => command([...args, "--config", POLICY, "--now", NOW, "--format", `json=${out}`]));
  return { code, report: JSON.parse(readFileSync(out, "utf8")) as ScanReport };
}

beforeAll(async () => {
  Object.assign(process.env, fakeEnv());
  fake = new FakeAws(standardState(new Date(`${NOW}T00:00:00Z`)).state);
  const endpointUrl = await fake.start();
  tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-live-custom-"));
  live = await runTo(audit, "audit", ["--regions", "us-east-1,eu-west-1", "--endpoint-url", endpointUrl]);
  template = await runTo(scan, "scan", [TEMPLATE]);
});
afterAll(async () => {
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
  process.env = savedEnv;
});

/** ruleId -> resource name -> "verdict" for the custom rules. */
function verdicts(report: ScanReport, names: readonly string[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const f of report.findings as Finding[]) {
    if (!CUSTOM.includes(f.ruleId) || !names.includes(f.resource.name)) continue;
    out[f.ruleId] ??= {};
    const seen = (out[f.ruleId] as Record<string, string>)[f.resource.name];
    if (seen !== undefined) throw new Error(`two findings of ${f.ruleId} on ${f.resource.name}`);
    (out[f.ruleId] as Record<string, string>)[f.resource.name] = f.verdict;
  }
  return out;
}

function renamed(table: Record<string, Record<string, string>>): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(table).map(([rule, row]) => [
      rule,
      Object.fromEntries(Object.entries(row).map(([name, v]) => [PAIRS[name] ?? name, v])),
    ]),
  );
}

describe("the same custom rules on a template and on the live state it describes", () => {
  it("both runs load the policy and its plugin without errors", () => {
    expect(live.report.errors).toEqual([]);
    expect(template.report.errors).toEqual([]);
    expect(live.report.kind).toBe("audit");
    expect(template.report.kind).toBe("template");
    for (const report of [live.report, template.report]) {
      expect(report.rules.map((r) => r.id)).toEqual(expect.arrayContaining(CUSTOM));
    }
    expect(live.code).toBe(1);
    expect(template.code).toBe(1);
  });

  it("every custom rule gives every pair the same verdict", () => {
    const fromTemplate = renamed(verdicts(template.report, Object.keys(PAIRS)));
    const fromLive = verdicts(live.report, Object.values(PAIRS));
    expect(fromLive).toEqual(fromTemplate);
  });

  it("and those verdicts are the expected ones", () => {
    expect(verdicts(live.report, Object.values(PAIRS))).toEqual({
      "backup-week": {
        orders: "pass",
        "orders-1": "pass",
        legacy: "fail",
        "legacy-1": "fail",
        "reports-db": "fail",
        "billing-mysql": "pass",
      },
      "graviton-declared": { "orders-1": "pass", "legacy-1": "fail", "reports-db": "pass", "billing-mysql": "pass" },
      "graviton-plugin": { "orders-1": "pass", "legacy-1": "fail", "reports-db": "pass", "billing-mysql": "pass" },
      "customer-key": {
        orders: "pass",
        "orders-1": "pass",
        legacy: "fail",
        "legacy-1": "fail",
        "reports-db": "fail",
        "billing-mysql": "fail",
      },
      "current-engine": {
        orders: "pass",
        "orders-1": "not-applicable",
        legacy: "fail",
        "legacy-1": "not-applicable",
        "reports-db": "pass",
        "billing-mysql": "pass",
      },
      "private-standalone": {
        "orders-1": "not-applicable",
        "legacy-1": "not-applicable",
        "reports-db": "pass",
        "billing-mysql": "fail",
      },
      protected: {
        orders: "pass",
        "orders-1": "pass",
        legacy: "fail",
        "legacy-1": "fail",
        "reports-db": "fail",
        "billing-mysql": "pass",
      },
      "team-tagged": { orders: "pass", legacy: "fail" },
      "night-backups": {
        orders: "pass",
        "orders-1": "pass",
        legacy: "pass",
        "legacy-1": "pass",
        "reports-db": "pass",
        "billing-mysql": "fail",
      },
    });
  });

  it("a member's cluster-owned value comes from its cluster in both, and says so", () => {
    const member = (report: ScanReport, name: string) =>
      report.findings.find((f) => f.ruleId === "backup-week" && f.resource.name === name)?.message;
    expect(member(template.report, "LegacyWriter")).toBe(
      "BackupRetentionPeriod is 1 (inherited from LegacyCluster: BackupRetentionPeriod of the DB cluster), which is not at least 7",
    );
    expect(member(live.report, "legacy-1")).toMatch(
      /^BackupRetentionPeriod is 1 \(inherited from legacy: BackupRetentionPeriod of the DB cluster\), which is not at least 7$/,
    );
  });

  it("the live finding names the account and region; the template finding its file and line", () => {
    const liveFinding = live.report.findings.find((f) => f.ruleId === "private-standalone" && f.verdict === "fail");
    expect(liveFinding?.resource).toMatchObject({
      name: "billing-mysql",
      origin: { source: "live", account: "111111111111", region: "eu-west-1" },
    });
    const templateFinding = template.report.findings.find(
      (f) => f.ruleId === "private-standalone" && f.verdict === "fail",
    );
    expect(templateFinding).toMatchObject({
      resource: { name: "BillingMysql" },
      location: { file: TEMPLATE, line: 76, column: 27 },
    });
  });
});
