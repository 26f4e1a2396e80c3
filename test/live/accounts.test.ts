/**
 * Many accounts through an assumed role with {account} substitution, an external id, 'all' enabled regions,
 * and an account whose role cannot be assumed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scanLive } from "../../src/scanners/live/index.js";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ACCOUNT_C,
  dbArn,
  EXTERNAL_ID_B,
  FakeAws,
  fakeCredentials,
  ROLE_NAME,
  type StandardFixture,
  standardState,
} from "../support/fake-aws/index.js";

let fixture: StandardFixture;
let fake: FakeAws;
let endpointUrl: string;
const ROLE = `arn:aws:iam::{account}:role/${ROLE_NAME}`;

beforeAll(async () => {
  fixture = standardState();
  fake = new FakeAws(fixture.state);
  endpointUrl = await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset());

const base = () => ({
  concurrency: 3,
  timeoutMs: 5000,
  maxAttempts: 2,
  endpointUrl,
  credentials: fakeCredentials,
  homeRegion: "us-east-1",
});

describe("accounts and roles", () => {
  it("assumes the role in each account, lists each account's enabled regions, and keeps accounts apart", async () => {
    const result = await scanLive({
      ...base(),
      regions: "all",
      roleArn: ROLE,
      accounts: [ACCOUNT_A, ACCOUNT_B, ACCOUNT_C],
      externalId: EXTERNAL_ID_B,
      sessionName: "nightly-audit",
    });
    // C has no such role: one error for the account, the others are complete.
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ kind: "aws", account: ACCOUNT_C });
    expect(result.errors[0]?.message).toMatch(
      /^sts:AssumeRole arn:aws:iam::333333333333:role\/RdsGuardAudit access denied: AccessDenied/,
    );
    expect(result.models.map((m) => `${m.account}/${m.region}`).sort()).toEqual([
      `${ACCOUNT_A}/ap-southeast-2`,
      `${ACCOUNT_A}/eu-west-1`,
      `${ACCOUNT_A}/us-east-1`,
      `${ACCOUNT_B}/us-east-1`,
    ]);
    for (const { account, region, ids } of fixture.expected) {
      const m = result.models.find((x) => x.account === account && x.region === region);
      for (const id of ids) expect(m?.resources.has(id), `${id} lost`).toBe(true);
    }
    // One AssumeRole per account (not per region or call), with the session name and external id.
    const assumes = fake.requests.filter((r) => r.action === "AssumeRole");
    expect(assumes.map((r) => r.params.RoleArn).sort()).toEqual(
      [ACCOUNT_A, ACCOUNT_B, ACCOUNT_C].map((a) => `arn:aws:iam::${a}:role/${ROLE_NAME}`),
    );
    for (const r of assumes) {
      expect(r.params.RoleSessionName).toBe("nightly-audit");
      expect(r.params.ExternalId).toBe(EXTERNAL_ID_B);
    }
    // With roles the account is known: no GetCallerIdentity.
    expect(fake.count({ action: "GetCallerIdentity" })).toBe(0);
    // Enabled regions and global clusters: once per reachable account, with that account's credentials.
    expect(fake.count({ action: "DescribeRegions", account: ACCOUNT_A })).toBe(1);
    expect(fake.count({ action: "DescribeRegions", account: ACCOUNT_B })).toBe(1);
    expect(fake.count({ action: "DescribeGlobalClusters", account: ACCOUNT_A })).toBe(1);
    expect(fake.count({ action: "DescribeGlobalClusters", account: ACCOUNT_B })).toBe(1);
    // Every RDS call of B's model went out with B's assumed credentials.
    const bModel = result.models.find((m) => m.account === ACCOUNT_B);
    const bApp = bModel?.resources.get(dbArn(ACCOUNT_B, "us-east-1", "b-app"));
    expect(bApp?.origin).toMatchObject({ account: ACCOUNT_B, region: "us-east-1" });
    // Clusters, instances, certificates, global clusters, and the lifecycle of b-app's engine (mysql).
    expect(fake.requests.filter((r) => r.service === "rds" && r.account === ACCOUNT_B)).toHaveLength(5);
    // B's customer key is disabled and unrotated.
    expect(bModel?.resources.get(fixture.keys.bCmk)).toMatchObject({
      kind: "kms-key",
      enabled: { state: "known", value: false },
      rotationEnabled: { state: "known", value: false },
      keyManager: { state: "known", value: "CUSTOMER" },
    });
  });

  it("reports the account whose role needs an external id that was not given", async () => {
    const result = await scanLive({
      ...base(),
      regions: ["us-east-1"],
      roleArn: ROLE,
      accounts: [ACCOUNT_A, ACCOUNT_B],
    });
    expect(result.errors.map((e) => e.account)).toEqual([ACCOUNT_B]);
    expect(result.models.map((m) => m.account)).toEqual([ACCOUNT_A]);
  });

  it("without a role, audits the caller's own account once, named by GetCallerIdentity", async () => {
    const result = await scanLive({ ...base(), regions: ["eu-west-1"] });
    expect(result.errors).toEqual([]);
    expect(fake.count({ action: "GetCallerIdentity" })).toBe(1);
    expect(fake.count({ action: "AssumeRole" })).toBe(0);
    expect(result.models.map((m) => `${m.account}/${m.region}`)).toEqual([`${ACCOUNT_A}/eu-west-1`]);
  });

  it("places a global cluster in a member's region when the writer's region is not scanned, and not at all when no member region is", async () => {
    const eu = await scanLive({ ...base(), regions: ["eu-west-1"] });
    expect(eu.models[0]?.resources.has(fixture.globalClusterArn)).toBe(true);
    const sydney = await scanLive({ ...base(), regions: ["ap-southeast-2"] });
    expect(sydney.models[0]?.resources.has(fixture.globalClusterArn)).toBe(false);
  });
});
