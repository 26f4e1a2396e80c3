/**
 * `rdsguard audit --source config`: one set of databases (the fake organisation of test/support/fake-aws) served
 * both as Describe answers and as the AWS Config items an aggregator holds, audited both ways through the real
 * command over HTTP. The findings must be the same, apart from the origin of values and the attributes AWS Config
 * does not record (unknown, with that reason). Also: staleness (--max-age), a missing or denied aggregator, a
 * throttled query, malformed items, filters, and the calls made.
 *
 * moto 5.2.1 cannot serve this: its AWS Config backend has no RDS or KMS resource types and
 * SelectAggregateResourceConfig is not implemented (select_resource_config answers canned results only).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { run as audit } from "../../src/commands/audit.js";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  configItemsFrom,
  EXTERNAL_ID_B,
  FakeAws,
  type FakeConfigItem,
  fakeEnv,
  ROLE_NAME,
  standardState,
} from "../support/fake-aws/index.js";

const NOW = "2026-03-01";
const CAPTURED = "2026-02-28T22:00:00.000Z";
const REGIONS = "us-east-1,eu-west-1,ap-southeast-2";
const AGGREGATOR = "org-aggregator";

let fake: FakeAws;
let endpointUrl: string;
let tmp: string;
let items: FakeConfigItem[];
const savedEnv = { ...process.env };
let stderr: string[];
let spies: MockInstance[] = [];

function captureInto(into: string[]) {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    into.push(String(chunk));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
}

async function runAudit(name: string, args: string[]): Promise<{ code: number; report: ScanReport; stderr: string }> {
  const out = path.join(tmp, `${name}.json`);
  stderr = [];
  spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(captureInto([])),
    vi.spyOn(process.stderr, "write").mockImplementation(captureInto(stderr)),
  ];
  let code: number;
  try {
    code = await audit([...args, "--endpoint-url", endpointUrl, "--now", NOW, "--format", `json=${out}`]);
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return { code, report: JSON.parse(readFileSync(out, "utf8")) as ScanReport, stderr: stderr.join("") };
}

const viaConfig = (name: string, extra: string[] = []) =>
  runAudit(name, ["--source", "config", "--aggregator", AGGREGATOR, "--region", "us-east-1", ...extra]);

beforeAll(async () => {
  Object.assign(process.env, fakeEnv());
  const fixture = standardState(new Date(`${NOW}T00:00:00Z`));
  items = configItemsFrom(fixture.state, { capturedAt: CAPTURED });
  fixture.state.aggregators = [{ name: AGGREGATOR, account: ACCOUNT_A, items }];
  fake = new FakeAws(fixture.state);
  endpointUrl = await fake.start();
  tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-config-source-"));
});
afterAll(async () => {
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
  process.env = savedEnv;
});
beforeEach(() => {
  fake.reset();
  const aggregator = fake.state.aggregators?.[0];
  if (aggregator) {
    aggregator.items = items;
    delete aggregator.extraRows;
  }
});

/** fingerprint -> finding, for one rule's findings of both runs to be compared. */
function byFingerprint(report: ScanReport): Map<string, Finding> {
  return new Map(report.findings.map((f) => [f.fingerprint, f]));
}

describe("audit --source config: the same verdicts as the Describe calls", () => {
  let direct: ScanReport;
  let config: ScanReport;
  let configCode: number;
  let configStderr: string;
  let configRequests: FakeAws["requests"];

  beforeAll(async () => {
    fake.reset();
    ({ report: direct } = await runAudit("direct", [
      "--regions",
      REGIONS,
      "--role-arn",
      `arn:aws:iam::{account}:role/${ROLE_NAME}`,
      "--accounts",
      `${ACCOUNT_A},${ACCOUNT_B}`,
      "--external-id",
      EXTERNAL_ID_B,
    ]));
    const directCalls = fake.requests.length;
    fake.reset();
    ({ report: config, code: configCode, stderr: configStderr } = await viaConfig("config"));
    configRequests = [...fake.requests];
    expect(directCalls).toBeGreaterThan(configRequests.length);
  });

  it("judges the same resources with the same rules, with the same fingerprints", () => {
    expect(direct.errors).toEqual([]);
    expect(config.errors).toEqual([]);
    expect(configCode).toBe(1);
    const d = byFingerprint(direct);
    const c = byFingerprint(config);
    expect(d.size).toBeGreaterThan(40);
    expect([...c.keys()].filter((fp) => !d.has(fp))).toEqual([]);
    // What only the Describe calls give: the server certificate's validity (CertificateDetails), which AWS Config
    // does not record; the CA itself is judged from both.
    const onlyDirect = [...d.values()].filter((f) => !c.has(f.fingerprint));
    expect(onlyDirect.length).toBeGreaterThan(0);
    expect(new Set(onlyDirect.map((f) => `${f.ruleId} ${f.property}`))).toEqual(
      new Set(["ca-certificate CertificateDetails"]),
    );
  });

  it("gives the same verdict everywhere, except unknowns on attributes AWS Config does not record", () => {
    const d = byFingerprint(direct);
    const differences: string[] = [];
    for (const [fp, f] of byFingerprint(config)) {
      const other = d.get(fp) as Finding;
      if (f.verdict === other.verdict) continue;
      // Only ever towards unknown, and saying why.
      expect(f.verdict, `${f.ruleId} ${f.resource.name}: ${f.message}`).toBe("unknown");
      expect(f.message).toContain("not recorded by AWS Config");
      differences.push(`${f.ruleId} ${f.resource.name}: ${other.verdict} -> unknown`);
    }
    // Each difference is one of these, no more.
    expect(differences.sort()).toEqual(
      [
        // DBInstance items carry no DeletionProtection.
        "deletion-protection b-app: pass -> unknown",
        "deletion-protection billing-mysql: pass -> unknown",
        "deletion-protection reports-db: fail -> unknown",
        "deletion-protection reports-replica-eu: fail -> unknown",
        "deletion-protection reports-replica: fail -> unknown",
        "deletion-protection sydney-pg: fail -> unknown",
        // No item carries StorageEncryptionType, so StorageEncrypted=false may be an AWS owned key (sse-rds):
        // analytics is one (Describe: pass), legacy and billing-mysql are not (Describe: fail).
        "storage-encrypted analytics: pass -> unknown",
        "storage-encrypted billing-mysql: fail -> unknown",
        "storage-encrypted legacy: fail -> unknown",
        // DBCluster items carry no ServerlessV2ScalingConfiguration, and analytics hosts db.serverless members.
        "instance-class analytics: pass -> unknown",
        // The Config source reads which parameter group is used, not the group's parameters: a custom group's TLS
        // setting is unknown (default groups keep the engine's defaults, judged alike from both sources).
        "encryption-in-transit orders: pass -> unknown",
        "encryption-in-transit reports-db: fail -> unknown",
        "encryption-in-transit reports-replica-eu: fail -> unknown",
        "encryption-in-transit reports-replica: fail -> unknown",
        // DBCluster items carry no PubliclyAccessible (metrics is a Multi-AZ DB cluster, judged on itself).
        "public-access metrics: pass -> unknown",
      ].sort(),
    );
  });

  it("says where each value came from and when it was captured", () => {
    const f = config.findings.find((x) => x.resource.kind === "db-instance") as Finding;
    expect(f.resource.origin.recordedBy).toBe("aws-config");
    expect(f.resource.origin.capturedAt).toBe(CAPTURED);
    expect(config.stats.oldestCapture).toBe(CAPTURED);
    expect(configStderr).toContain(`AWS Config items judged were captured ${CAPTURED} or later`);
  });

  it("reads the whole organisation in a few paged queries", () => {
    const ops = new Set(configRequests.map((r) => `${r.service}:${r.action}`));
    expect([...ops]).toEqual(["config:SelectAggregateResourceConfig"]);
    // One aggregation query, one RDS query per region holding databases, one KMS query per region with keys.
    const expressions = configRequests.map((r) => String(r.params.Expression));
    expect(expressions.filter((e) => e.includes("GROUP BY awsRegion"))).toHaveLength(1);
    expect(configRequests.length).toBeLessThanOrEqual(1 + 3 * 2);
  });
});

describe("audit --source config: faults are reported and the rest goes on", () => {
  it("a missing aggregator is an error (exit 2), with its name", async () => {
    const { code, report } = await runAudit("missing", [
      "--source",
      "config",
      "--aggregator",
      "no-such-aggregator",
      "--region",
      "us-east-1",
    ]);
    expect(code).toBe(2);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.message).toContain("aggregator no-such-aggregator");
    expect(report.errors[0]?.message).toContain("no such configuration aggregator");
    expect(report.findings).toEqual([]);
  });

  it("a denied aggregator is an error (exit 2)", async () => {
    fake.faults = [
      { service: "config", error: { status: 400, code: "AccessDeniedException", message: "not authorized" } },
    ];
    const { code, report } = await viaConfig("denied");
    expect(code).toBe(2);
    expect(report.errors[0]?.message).toMatch(/SelectAggregateResourceConfig .*access denied/);
  });

  it("a throttled region query is retried, and one that stays throttled is an error for that region only", async () => {
    fake.faults = [
      {
        service: "config",
        times: 2,
        error: { status: 400, code: "ThrottlingException", message: "Rate exceeded" },
      },
    ];
    const once = await viaConfig("throttled-once");
    expect(once.report.errors).toEqual([]);
    expect(fake.count({ service: "config", faulted: true })).toBe(2);

    fake.reset();
    // Every query about eu-west-1 stays throttled past the retries.
    fake.faults = [
      {
        service: "config",
        paramsInclude: "awsRegion = 'eu-west-1'",
        error: { status: 400, code: "ThrottlingException", message: "Rate exceeded" },
      },
    ];
    const throttled = await viaConfig("throttled", ["--max-attempts", "2"]);
    expect(throttled.code).toBe(2);
    expect(throttled.report.errors.map((e) => `${e.region}: ${e.message}`)).toEqual([
      expect.stringMatching(/^eu-west-1: config:SelectAggregateResourceConfig \(aggregator org-aggregator\) throttled/),
    ]);
    const judged = new Set(throttled.report.findings.map((f) => f.resource.origin.region));
    expect(judged.has("eu-west-1")).toBe(false);
    expect(judged.has("us-east-1")).toBe(true);
  });

  it("an item that cannot be read is an error for its account and region; the others are judged", async () => {
    const aggregator = fake.state.aggregators?.[0];
    if (!aggregator) throw new Error("no aggregator");
    aggregator.extraRows = [
      {
        region: "eu-west-1",
        row: `{"accountId":"${ACCOUNT_A}","awsRegion":"eu-west-1","resourceType":"AWS::RDS::DBInstance"`,
      },
      { region: "us-east-1", row: "<html>not json</html>" },
    ];
    const { code, report } = await viaConfig("malformed");
    expect(code).toBe(2);
    const messages = report.errors.map((e) => `${e.account ?? "-"} ${e.region} ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^111111111111 eu-west-1 AWS Config item \d+ of region eu-west-1 cannot be read \(not JSON\); this account and region are not judged$/,
        ),
        expect.stringMatching(
          /^- us-east-1 AWS Config item \d+ of region us-east-1 cannot be read \(not JSON\); its account is unknown$/,
        ),
      ]),
    );
    const regionsJudged = new Set(
      report.findings.map((f) => `${f.resource.origin.account} ${f.resource.origin.region}`),
    );
    expect(regionsJudged.has(`${ACCOUNT_A} eu-west-1`)).toBe(false);
    expect(regionsJudged.has(`${ACCOUNT_A} us-east-1`)).toBe(true);
    expect(regionsJudged.has(`${ACCOUNT_B} us-east-1`)).toBe(true);
  });

  it("--max-age makes an account and region with older items an error, not judged", async () => {
    const aggregator = fake.state.aggregators?.[0];
    if (!aggregator) throw new Error("no aggregator");
    aggregator.items = items.map((i) =>
      i.accountId === ACCOUNT_B ? { ...i, configurationItemCaptureTime: "2026-02-20T00:00:00.000Z" } : i,
    );
    const { code, report } = await viaConfig("stale", ["--max-age", "36h"]);
    expect(code).toBe(2);
    expect(report.errors.map((e) => `${e.account} ${e.region}`)).toEqual([`${ACCOUNT_B} us-east-1`]);
    expect(report.errors[0]?.message).toMatch(
      /^AWS Config items older than --max-age: \d+ of \d+, the oldest captured 2026-02-20T00:00:00.000Z \(9\.0 days ago\); this account and region are not judged$/,
    );
    expect(report.findings.some((f) => f.resource.origin.account === ACCOUNT_B)).toBe(false);
    expect(report.findings.some((f) => f.resource.origin.account === ACCOUNT_A)).toBe(true);
  });

  it("--accounts and --regions filter the items, inside the query", async () => {
    const { report } = await viaConfig("filtered", ["--accounts", ACCOUNT_B, "--regions", "us-east-1"]);
    expect(new Set(report.findings.map((f) => f.resource.origin.account))).toEqual(new Set([ACCOUNT_B]));
    const expressions = fake.requests.map((r) => String(r.params.Expression));
    expect(expressions.some((e) => e.includes("GROUP BY"))).toBe(false);
    expect(expressions.every((e) => e.includes(`'${ACCOUNT_B}'`) || e.includes("AWS::KMS::Key"))).toBe(true);
  });

  it("a key the aggregator holds no item for is unknown, saying so", async () => {
    const aggregator = fake.state.aggregators?.[0];
    if (!aggregator) throw new Error("no aggregator");
    aggregator.items = items.filter((i) => i.resourceType !== "AWS::KMS::Key");
    const { report } = await viaConfig("no-keys");
    const keyFindings = report.findings.filter(
      (f) => f.verdict === "unknown" && /KMS key .* not recorded by AWS Config/.test(f.message),
    );
    expect(keyFindings.length).toBeGreaterThan(0);
  });

  it("--describe-certificates adds one DescribeCertificates per region", async () => {
    await viaConfig("certs", ["--describe-certificates"]);
    expect(fake.count({ service: "rds", action: "DescribeCertificates" })).toBe(3);
  });

  it.each([
    [["--source", "config"], /--source config needs --aggregator/],
    [["--source", "nope"], /--source takes 'describe' or 'config'/],
    [["--aggregator", "x"], /--aggregator needs --source config/],
    [["--source", "config", "--aggregator", "x", "--max-age", "soon"], /--max-age takes a duration/],
    [["--source", "config", "--aggregator", "x", "--role-arn", "arn:aws:iam::111111111111:role/X"], /does not apply/],
  ])("usage: %j", async (args, message) => {
    stderr = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(captureInto(stderr));
    let code: number;
    try {
      code = await audit(args as string[]);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(2);
    expect(stderr.join("")).toMatch(message);
  });
});
