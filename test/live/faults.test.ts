/**
 * Faults over real HTTP: throttling then success, throttling that never ends, access denied in one region,
 * a call slower than the timeout, a key the auditor may not describe. Each failure is contained to its
 * account/region (or key), reported with where and why, and the rest of the scan is complete.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LiveScanOptions, scanLive } from "../../src/scanners/live/index.js";
import {
  ACCOUNT_A,
  clusterArn,
  FakeAws,
  fakeCredentials,
  type StandardFixture,
  standardState,
} from "../support/fake-aws/index.js";

const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];
let fixture: StandardFixture;
let fake: FakeAws;
let endpointUrl: string;

function options(overrides: Partial<LiveScanOptions> = {}): LiveScanOptions {
  return {
    regions: REGIONS,
    concurrency: 4,
    timeoutMs: 2000,
    maxAttempts: 3,
    endpointUrl,
    credentials: fakeCredentials,
    homeRegion: "us-east-1",
    ...overrides,
  };
}

function expectComplete(result: Awaited<ReturnType<typeof scanLive>>, region: string): void {
  const m = result.models.find((x) => x.region === region);
  expect(m, `model for ${region}`).toBeDefined();
  for (const id of fixture.expected.find((e) => e.account === ACCOUNT_A && e.region === region)?.ids ?? []) {
    expect(m?.resources.has(id), `${id} lost`).toBe(true);
  }
}

beforeAll(async () => {
  fixture = standardState();
  fake = new FakeAws(fixture.state);
  endpointUrl = await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
});

describe("faults", () => {
  it("retries throttling and completes: the endpoint sees the retries, the call count does not", async () => {
    fake.faults = [
      {
        service: "rds",
        action: "DescribeDBInstances",
        region: "us-east-1",
        times: 2,
        error: { status: 400, code: "Throttling", message: "Rate exceeded" },
      },
    ];
    const result = await scanLive(options());
    expect(result.errors).toEqual([]);
    for (const region of REGIONS) expectComplete(result, region);
    expect(fake.count({ action: "DescribeDBInstances", region: "us-east-1" })).toBe(3);
    expect(fake.count({ action: "DescribeDBInstances", region: "us-east-1", faulted: true })).toBe(2);
    // One logical call per page: retries of the same call are not extra API calls.
    expect(result.operations.get("rds:DescribeDBInstances")).toBe(3);
    expect(result.apiCalls).toBe(fake.requests.length - 2);
  });

  it("reports throttling that outlasts the retries, keeps the region's model, and marks its CAs unknown", async () => {
    fake.faults = [
      {
        service: "rds",
        action: "DescribeCertificates",
        region: "eu-west-1",
        error: { status: 400, code: "Throttling", message: "Rate exceeded" },
      },
    ];
    const result = await scanLive(options({ maxAttempts: 2 }));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ kind: "aws", account: ACCOUNT_A, region: "eu-west-1" });
    expect(result.errors[0]?.message).toMatch(
      /^rds:DescribeCertificates .*throttled \(gave up after 2 attempts\): Throttling: Rate exceeded/,
    );
    expect(fake.count({ action: "DescribeCertificates", region: "eu-west-1" })).toBe(2);
    const eu = result.models.find((m) => m.region === "eu-west-1");
    expectComplete(result, "eu-west-1");
    // No CA data is not "expired": the model says it does not know.
    expect(eu?.certificates).toBeUndefined();
    expect(result.models.find((m) => m.region === "us-east-1")?.certificates?.size).toBe(4);
  });

  it("contains AccessDenied to its region: reported, not retried, other regions complete", async () => {
    fake.faults = [
      {
        service: "rds",
        region: "ap-southeast-2",
        error: {
          status: 403,
          code: "AccessDenied",
          message:
            "User: arn:aws:iam::111111111111:user/auditor is not authorized to perform: rds:DescribeDBInstances with an explicit deny",
        },
      },
    ];
    const errors: unknown[] = [];
    const result = await scanLive(options({ onError: (e) => errors.push(e) }));
    const denied = result.errors.filter((e) => e.region === "ap-southeast-2");
    expect(denied.length).toBeGreaterThanOrEqual(1);
    for (const e of denied) {
      expect(e).toMatchObject({ kind: "aws", account: ACCOUNT_A, region: "ap-southeast-2" });
      expect(e.message).toMatch(/access denied: AccessDenied: User: .* is not authorized/);
    }
    expect(errors).toEqual(result.errors);
    expect(result.targets.find((t) => t.region === "ap-southeast-2")?.ok).toBe(false);
    expect(result.models.map((m) => m.region).sort()).toEqual(["eu-west-1", "us-east-1"]);
    expectComplete(result, "us-east-1");
    expectComplete(result, "eu-west-1");
    // Access denied is final: one request per listing, no retries.
    expect(fake.count({ action: "DescribeDBInstances", region: "ap-southeast-2" })).toBe(1);
    expect(fake.count({ action: "DescribeDBClusters", region: "ap-southeast-2" })).toBe(1);
  });

  it("times out a slow call per attempt, reports the region, and does not wait for the slow endpoint", async () => {
    fake.faults = [{ service: "rds", action: "DescribeDBClusters", region: "eu-west-1", delayMs: 20_000 }];
    const started = Date.now();
    const result = await scanLive(options({ timeoutMs: 300, maxAttempts: 2 }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(10_000);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ kind: "aws", account: ACCOUNT_A, region: "eu-west-1" });
    expect(result.errors[0]?.message).toMatch(/^rds:DescribeDBClusters timed out after 2 attempts: TimeoutError/);
    expect(fake.count({ action: "DescribeDBClusters", region: "eu-west-1" })).toBe(2);
    expect(result.models.map((m) => m.region).sort()).toEqual(["ap-southeast-2", "us-east-1"]);
    expectComplete(result, "us-east-1");
    expectComplete(result, "ap-southeast-2");
  });

  it("keeps a cluster whose key cannot be described, with the key unknown and the reason", async () => {
    fake.faults = [
      {
        service: "kms",
        action: "DescribeKey",
        region: "us-east-1",
        error: { status: 400, code: "AccessDeniedException", message: "not authorized to perform kms:DescribeKey" },
      },
    ];
    const result = await scanLive(options());
    const kmsErrors = result.errors.filter((e) => e.message.startsWith("kms:DescribeKey"));
    // Two distinct keys in us-east-1, each reported once.
    expect(kmsErrors).toHaveLength(2);
    for (const e of kmsErrors) expect(e).toMatchObject({ kind: "aws", account: ACCOUNT_A, region: "us-east-1" });
    const use1 = result.models.find((m) => m.region === "us-east-1");
    const orders = use1?.resources.get(clusterArn(ACCOUNT_A, "us-east-1", "orders"));
    expect(orders?.kind).toBe("db-cluster");
    const key = use1?.resources.get(fixture.keys.ordersCmk);
    expect(key).toMatchObject({
      kind: "kms-key",
      enabled: { state: "unknown" },
      rotationEnabled: { state: "unknown" },
    });
    if (key?.kind === "kms-key" && key.enabled.state === "unknown") expect(key.enabled.reason).toMatch(/access denied/);
    // No rotation question for a key that could not be described.
    expect(fake.count({ action: "GetKeyRotationStatus", region: "us-east-1" })).toBe(0);
    expectComplete(result, "us-east-1");
  });

  it("reports an unreachable endpoint per region without hanging", async () => {
    const result = await scanLive(
      options({ endpointUrl: "http://127.0.0.1:9", timeoutMs: 500, maxAttempts: 1, regions: ["us-east-1"] }),
    );
    expect(result.models).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toMatch(/^sts:GetCallerIdentity /);
  });

  it("bounds concurrency: never more account x region scans in flight than asked", async () => {
    const regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "sa-east-1"];
    // Each region's cluster listing is slow, so scans overlap as much as the limiter lets them.
    fake.faults = regions.map((region) => ({ service: "rds", action: "DescribeDBClusters", region, delayMs: 150 }));
    const result = await scanLive(options({ regions, concurrency: 2 }));
    expect(result.errors).toEqual([]);
    expect(result.models).toHaveLength(regions.length);
    expect(fake.peakConcurrent.get("DescribeDBClusters")).toBe(2);
  });
});
