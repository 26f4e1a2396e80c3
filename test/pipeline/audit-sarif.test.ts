/**
 * Audit SARIF that GitHub code scanning accepts, over real HTTP (the fake AWS endpoint), run by the built CLI
 * from a subdirectory of a git repository: with a --stack-template mapping the mapped findings point at the
 * repository file; findings with no repository file (unmapped live resources, deployed templates) are left out
 * and counted, in the run's properties, a notification and a line on stderr; merge keeps it acceptable.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type * as Sarif from "sarif";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/engine/types.js";
import { FakeAws, fakeEnv, ORDERS_TEMPLATE, standardState } from "../support/fake-aws/index.js";
import { assertGithubAcceptsSarif } from "../support/github-sarif.js";

const repo = path.resolve(import.meta.dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const NOW = "2026-03-01";
const REGIONS = "us-east-1,eu-west-1,ap-southeast-2";

let fake: FakeAws;
let endpointUrl: string;
let work: string;
let top: string;

beforeAll(async () => {
  fake = new FakeAws(standardState(new Date(`${NOW}T00:00:00Z`)).state);
  endpointUrl = await fake.start();
  work = mkdtempSync(path.join(tmpdir(), "rdsguard-audit-sarif-"));
  top = path.join(work, "repo");
  mkdirSync(path.join(top, "stacks"), { recursive: true });
  mkdirSync(path.join(top, "ops"), { recursive: true });
  writeFileSync(path.join(top, "stacks/orders.yaml"), ORDERS_TEMPLATE);
  // The legacy stack's live cluster fails several rules; its template declares the same logical ids.
  writeFileSync(
    path.join(top, "stacks/legacy.yaml"),
    [
      "Resources:",
      "  LegacyCluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-mysql",
      "  LegacyWriter:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      DBClusterIdentifier: !Ref LegacyCluster",
      "      DBInstanceClass: db.t3.medium",
      "      Engine: aurora-mysql",
      "",
    ].join("\n"),
  );
  spawnSync("git", ["init", "-q"], { cwd: top });
});
afterAll(async () => {
  await fake.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The built CLI, asynchronously: the fake AWS endpoint answers from this process's event loop. */
function runCli(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

let counter = 0;
async function audit(args: string[]) {
  const base = path.join(work, `audit-${++counter}`);
  const r = await runCli(
    [
      "audit",
      "--regions",
      REGIONS,
      "--endpoint-url",
      endpointUrl,
      "--now",
      NOW,
      ...args,
      "--format",
      `sarif=${base}.sarif`,
      "--format",
      `json=${base}.json`,
    ],
    path.join(top, "ops"),
    { ...process.env, ...fakeEnv() },
  );
  return {
    status: r.status,
    stderr: r.stderr,
    sarifText: readFileSync(`${base}.sarif`, "utf8"),
    sarif: JSON.parse(readFileSync(`${base}.sarif`, "utf8")) as Sarif.Log,
    report: JSON.parse(readFileSync(`${base}.json`, "utf8")) as ScanReport,
    jsonPath: `${base}.json`,
  };
}

const inSarif = (f: ScanReport["findings"][number]) =>
  (f.verdict === "fail" || f.verdict === "unknown") && f.suppression === undefined;

describe("audit SARIF that GitHub accepts", () => {
  it("without a mapping: no result without a file; the count is in the run, a notification and stderr", async () => {
    const r = await audit([]);
    expect(r.status).toBe(1);
    assertGithubAcceptsSarif(r.sarif, { repoRoot: top });
    const run = r.sarif.runs[0] as Sarif.Run;
    const left = r.report.findings.filter(inSarif).length;
    expect(left).toBeGreaterThan(5);
    expect(run.results).toEqual([]);
    expect(run.properties?.findingsWithoutRepositoryFile).toBe(left);
    const note = run.invocations?.[0]?.toolExecutionNotifications?.find(
      (n) => n.properties?.kind === "findings-without-repository-file",
    );
    expect(note?.message.text).toMatch(new RegExp(`^${left} findings left out: no file in the repository`));
    expect(r.stderr).toContain(`rdsguard: ${left} findings have no file in the repository and are not in the SARIF`);
  });

  it("with --stack-template (relative to the working directory) and --templates: mapped findings point at the repository file", async () => {
    const r = await audit(["--templates", "--stack-template", "legacy-stack=../stacks/legacy.yaml"]);
    expect(r.status).toBe(1);
    expect(r.report.root).toBe(top);
    assertGithubAcceptsSarif(r.sarif, { repoRoot: top });
    const run = r.sarif.runs[0] as Sarif.Run;
    const uris = new Set(run.results?.map((x) => x.locations?.[0]?.physicalLocation?.artifactLocation?.uri));
    expect([...uris]).toEqual(["stacks/legacy.yaml"]);
    const mapped = r.report.findings.filter((f) => inSarif(f) && f.location?.file === "stacks/legacy.yaml");
    expect(run.results).toHaveLength(mapped.length);
    expect(mapped.length).toBeGreaterThan(0);
    // Deployed templates (deployed/...) and unmapped resources are counted, not emitted.
    const deployed = r.report.findings.filter((f) => inSarif(f) && f.location?.file?.startsWith("deployed/"));
    expect(deployed.length).toBeGreaterThan(0);
    expect(run.properties?.findingsWithoutRepositoryFile).toBe(
      r.report.findings.filter(inSarif).length - mapped.length,
    );
  });

  it("a policy file's stackTemplates are repository paths, whatever the working directory", async () => {
    writeFileSync(
      path.join(top, "ops/rdsguard.yaml"),
      "version: 1\nstackTemplates:\n  legacy-stack: stacks/legacy.yaml\n",
    );
    try {
      const r = await audit(["--config", "rdsguard.yaml"]);
      expect(r.report.errors).toEqual([]);
      assertGithubAcceptsSarif(r.sarif, { repoRoot: top });
      expect(r.sarif.runs[0]?.results?.length).toBeGreaterThan(0);
    } finally {
      rmSync(path.join(top, "ops/rdsguard.yaml"));
    }
  });

  it("merge of audit shards stays acceptable", async () => {
    const a = await audit(["--stack-template", "legacy-stack=../stacks/legacy.yaml"]);
    const b = await audit(["--regions", "eu-west-1", "--stack-template", "legacy-stack=../stacks/legacy.yaml"]);
    const out = path.join(work, "merged.sarif");
    const m = await runCli(["merge", a.jsonPath, b.jsonPath, "--format", `sarif=${out}`], top, process.env);
    expect(m.status).toBe(1);
    const merged = JSON.parse(readFileSync(out, "utf8")) as Sarif.Log;
    assertGithubAcceptsSarif(merged, { repoRoot: top });
    expect(merged.runs[0]?.results?.length).toBeGreaterThan(0);
  });
});
