/**
 * A 200 answer that is not an answer (a proxy's HTML page, an empty body, a document without its ...Result) is an
 * error for that account/region, like a 500: never "no databases here". Over real HTTP to the fake endpoint.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LiveScanOptions, scanLive } from "../../src/scanners/live/index.js";
import { ACCOUNT_A, FakeAws, fakeCredentials, standardState } from "../support/fake-aws/index.js";

const REGIONS = ["us-east-1", "eu-west-1"];
let fake: FakeAws;
let endpointUrl: string;

function options(overrides: Partial<LiveScanOptions> = {}): LiveScanOptions {
  return {
    regions: REGIONS,
    concurrency: 4,
    timeoutMs: 2000,
    maxAttempts: 2,
    endpointUrl,
    credentials: fakeCredentials,
    homeRegion: "us-east-1",
    ...overrides,
  };
}

beforeAll(async () => {
  fake = new FakeAws(standardState().state);
  endpointUrl = await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
});

const BODIES: [string, { status?: number; contentType?: string; text: string }, RegExp][] = [
  [
    "an HTML page",
    { text: "<!doctype html><html><body>Please sign in to the proxy</body></html>" },
    /the body has no <DescribeDBInstancesResponse> element/,
  ],
  ["an empty body", { text: "", contentType: "text/xml" }, /the body is empty/],
  [
    "a response without its Result",
    {
      contentType: "text/xml",
      text: '<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></DescribeDBInstancesResponse>',
    },
    /the body has no <DescribeDBInstancesResult> element/,
  ],
];

describe("an HTTP 200 that is not an answer", () => {
  for (const [what, body, reason] of BODIES) {
    it(`${what}: an error for that account/region, the other region complete`, async () => {
      fake.faults = [{ service: "rds", action: "DescribeDBInstances", region: "eu-west-1", body }];
      const result = await scanLive(options());
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ kind: "aws", account: ACCOUNT_A, region: "eu-west-1" });
      expect(result.errors[0]?.message).toMatch(/^rds:DescribeDBInstances /);
      expect(result.errors[0]?.message).toMatch(/HTTP 200 but not an answer to DescribeDBInstances/);
      expect(result.errors[0]?.message).toMatch(reason);
      expect(result.targets.find((t) => t.region === "eu-west-1")?.ok).toBe(false);
      expect(result.models.map((m) => m.region)).toEqual(["us-east-1"]);
    });
  }

  it("KMS (JSON protocol): an HTML page for DescribeKey is an error for each key, and the key is unknown", async () => {
    fake.faults = [{ service: "kms", action: "DescribeKey", body: { text: "<html>proxy</html>" } }];
    const result = await scanLive(options({ regions: ["us-east-1"] }));
    expect(result.errors.length).toBeGreaterThan(0);
    for (const e of result.errors) {
      expect(e.message).toMatch(
        /^kms:DescribeKey \S+ failed: InvalidResponse: HTTP 200 but not an answer to DescribeKey: the body is not JSON/,
      );
    }
  });
});
