/**
 * Read-only, provably. Two independent enumerations of what the audit can send:
 *  - statically, every AWS SDK command and paginator the source imports, up front or on first use as
 *    `const { ... } = await import(...)` (only src/scanners/live may import an AWS client, and only commands,
 *    paginators, clients and types);
 *  - dynamically, every operation the fake endpoint received during audits that use every feature
 *    (assumed roles, all regions, deployed templates, the caller's own account).
 * Both must be Describe/List/Get operations (sts:AssumeRole aside: it only obtains credentials), must agree,
 * and docs/iam-policy.json must grant exactly them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_API_OPERATIONS, LIVE_API_OPERATIONS, scanConfig, scanLive } from "../../src/scanners/live/index.js";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  configItemsFrom,
  EXTERNAL_ID_B,
  FakeAws,
  fakeCredentials,
  ROLE_NAME,
  standardState,
} from "../support/fake-aws/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Select: AWS Config's advanced query, a read of recorded configuration. */
const READ_ONLY = /^(Describe|List|Get|Select)[A-Z]/;
/** Obtains credentials, changes nothing; it belongs to the caller's policy, not to docs/iam-policy.json. */
const CREDENTIAL_OPERATIONS = new Set(["sts:AssumeRole"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith(".ts") ? [full] : [];
  });
}

const IAM_PREFIX: Record<string, string> = { "config-service": "config" };

interface StaticUse {
  file: string;
  operations: Set<string>;
  problems: string[];
}

/** IAM actions a source file can send, from its @aws-sdk/client-* imports. */
function staticUse(file: string): StaticUse {
  const text = readFileSync(file, "utf8");
  const operations = new Set<string>();
  const problems: string[] = [];
  const rel = path.relative(ROOT, file);
  // Static imports, and the SDK loaded on first use: `const { XCommand } = await import("@aws-sdk/client-x")`.
  const importRe = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g;
  const lazyRe = /const\s*\{([^}]*)\}\s*=\s*await\s+import\(\s*"@aws-sdk\/client-([a-z0-9-]+)"\s*\)/g;
  const imports = [
    ...[...text.matchAll(importRe)].map((m) => [m[0], m[1], m[2], m[3]] as const),
    ...[...text.matchAll(lazyRe)].map((m) => [m[0], undefined, m[1], m[2]] as const),
  ];
  for (const m of imports) {
    const typeOnly = !!m[1];
    // The package name is not always the IAM prefix: @aws-sdk/client-config-service -> config.
    const service = IAM_PREFIX[m[3] ?? ""] ?? m[3] ?? "";
    for (const raw of (m[2] ?? "").split(",")) {
      const spec = raw.trim();
      if (spec === "" || typeOnly || spec.startsWith("type ")) continue;
      const name = spec.split(/\s+as\s+/)[0]?.trim() ?? "";
      if (name.endsWith("Client")) continue;
      if (name.endsWith("Command")) operations.add(`${service}:${name.slice(0, -"Command".length)}`);
      else if (name.startsWith("paginate")) operations.add(`${service}:${name.slice("paginate".length)}`);
      else
        problems.push(
          `${rel} imports value '${name}' from @aws-sdk/client-${service} (only clients, commands, paginators and types)`,
        );
    }
  }
  // Any other way of loading a client would hide what it sends from this list.
  const rest = text.replace(lazyRe, "");
  if (/import\s*\(\s*["']@aws-sdk\/client-/.test(rest) || /require\(\s*["']@aws-sdk\/client-/.test(rest)) {
    problems.push(`${rel} loads an AWS client dynamically other than as const { ... } = await import("...")`);
  }
  // Every send is of a command constructed in place, so the imports above are the whole list.
  for (const m of text.matchAll(/\.send\(\s*/g)) {
    const from = (m.index ?? 0) + m[0].length;
    const argument = text.slice(from, from + 80);
    if (!/^new [A-Z]\w*Command\(/.test(argument)) {
      problems.push(`${rel}: sends something other than 'new XxxCommand(': ${argument.split("\n")[0]}`);
    }
  }
  return { file: rel, operations, problems };
}

function policyActions(file = "docs/iam-policy.json"): {
  actions: string[];
  statements: { Effect: string; Action: string | string[] }[];
} {
  const policy = JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as {
    Version: string;
    Statement: { Effect: string; Action: string | string[] }[];
  };
  expect(policy.Version).toBe("2012-10-17");
  const actions = policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  return { actions, statements: policy.Statement };
}

const uses = sourceFiles(path.join(ROOT, "src")).map(staticUse);
const staticOperations = new Set(uses.flatMap((u) => [...u.operations]));

describe("read-only: what the source can send", () => {
  it("imports AWS clients only in the live scanner, and only clients, commands, paginators and types", () => {
    expect(uses.flatMap((u) => u.problems)).toEqual([]);
    const importers = uses.filter((u) => u.operations.size > 0).map((u) => u.file);
    for (const file of importers)
      expect(file.startsWith(`src${path.sep}scanners${path.sep}live${path.sep}`)).toBe(true);
  });

  it("can send only Describe/List/Get/Select operations (and AssumeRole to obtain credentials)", () => {
    expect(staticOperations.size).toBeGreaterThan(0);
    for (const op of staticOperations) {
      const name = op.split(":")[1] ?? "";
      expect(READ_ONLY.test(name) || CREDENTIAL_OPERATIONS.has(op), `${op} is not read-only`).toBe(true);
    }
  });

  it("declares the same list it uses (LIVE_API_OPERATIONS and CONFIG_API_OPERATIONS)", () => {
    expect([...staticOperations].sort()).toEqual(
      [...new Set([...LIVE_API_OPERATIONS, ...CONFIG_API_OPERATIONS])].sort(),
    );
  });

  it("docs/iam-policy.json grants exactly the operations used: no more, no fewer, no wildcards", () => {
    const { actions, statements } = policyActions();
    for (const s of statements) expect(s.Effect).toBe("Allow");
    for (const a of actions) expect(a).not.toContain("*");
    expect(new Set(actions).size).toBe(actions.length);
    const expected = [...LIVE_API_OPERATIONS].filter((op) => !CREDENTIAL_OPERATIONS.has(op)).sort();
    expect([...actions].sort()).toEqual(expected);
  });

  it("docs/iam-policy-config.json grants exactly what --source config uses", () => {
    const { actions, statements } = policyActions("docs/iam-policy-config.json");
    for (const s of statements) expect(s.Effect).toBe("Allow");
    expect(new Set(actions).size).toBe(actions.length);
    expect([...actions].sort()).toEqual([...CONFIG_API_OPERATIONS].sort());
  });

  it.each(["docs/iam-policy.json", "docs/iam-policy-config.json"])("the README shows the same policy as %s", (file) => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const policy = readFileSync(path.join(ROOT, file), "utf8").trim();
    expect(readme).toContain(policy);
  });
});

describe("read-only: what a full audit sends", () => {
  let fake: FakeAws;
  let received: Set<string>;
  let receivedConfig: Set<string>;

  beforeAll(async () => {
    const fixture = standardState();
    fixture.state.aggregators = [
      {
        name: "org",
        account: ACCOUNT_A,
        items: configItemsFrom(fixture.state, { capturedAt: new Date().toISOString() }),
      },
    ];
    fake = new FakeAws(fixture.state);
    const endpointUrl = await fake.start();
    const common = {
      concurrency: 4,
      timeoutMs: 5000,
      maxAttempts: 2,
      endpointUrl,
      credentials: fakeCredentials,
      homeRegion: "us-east-1",
    };
    // Every feature: roles in two accounts, all enabled regions, deployed templates ...
    await scanLive({
      ...common,
      regions: "all",
      roleArn: `arn:aws:iam::{account}:role/${ROLE_NAME}`,
      accounts: [ACCOUNT_A, ACCOUNT_B],
      externalId: EXTERNAL_ID_B,
      deployedTemplates: true,
    });
    // ... and the caller's own account.
    await scanLive({ ...common, regions: ["us-east-1"] });
    received = new Set(fake.requests.map((r) => `${r.service}:${r.action}`));
    fake.reset();
    // ... and the organisation read from AWS Config, with every option.
    const result = await scanConfig({ ...common, aggregator: "org", describeCertificates: true, maxAgeMs: 86_400_000 });
    expect(result.errors).toEqual([]);
    receivedConfig = new Set(fake.requests.map((r) => `${r.service}:${r.action}`));
  });
  afterAll(async () => {
    await fake.stop();
  });

  it("sends only read-only operations, all of them ones the source declares", () => {
    for (const op of received) {
      expect(READ_ONLY.test(op.split(":")[1] ?? "") || CREDENTIAL_OPERATIONS.has(op), `${op} sent`).toBe(true);
      expect(staticOperations.has(op), `${op} sent but not found in the source`).toBe(true);
    }
  });

  it("exercises every operation the source can send, so the policy is tested against calls actually made", () => {
    expect([...new Set([...received, ...receivedConfig])].sort()).toEqual([...staticOperations].sort());
    const { actions } = policyActions();
    const needed = [...received].filter((op) => !CREDENTIAL_OPERATIONS.has(op)).sort();
    expect([...actions].sort()).toEqual(needed);
    const config = policyActions("docs/iam-policy-config.json");
    expect([...config.actions].sort()).toEqual([...receivedConfig].sort());
    for (const op of receivedConfig) expect(READ_ONLY.test(op.split(":")[1] ?? ""), `${op} sent`).toBe(true);
  });
});
