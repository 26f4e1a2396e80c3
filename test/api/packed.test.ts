/**
 * The library API as a consumer meets it: `npm pack`, install the tarball into an empty project, import
 * scanTemplates / audit / renderReport from "rdsguard", run them, and type-check a TypeScript consumer against
 * the published declarations.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-api-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_fund: "false" } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const CONSUMER_JS = `import { audit, renderReport, scanTemplates } from "rdsguard";

const warnings = [];
const report = await scanTemplates(["legacy.yaml"], { parameters: { Nope: "x" }, onWarning: (w) => warnings.push(w) });
let auditError;
try {
  await audit({ regions: ["not a region"] });
} catch (err) {
  auditError = err.message;
}
process.stdout.write(JSON.stringify({
  schemaVersion: report.schemaVersion,
  kind: report.kind,
  failing: report.findings.filter((f) => f.verdict === "fail").map((f) => f.ruleId + ":" + f.resource.name).sort(),
  compact: renderReport(report, "compact").split("\\n")[0],
  sarifVersion: JSON.parse(renderReport(report, "sarif")).version,
  warnings,
  auditError,
}));
`;

const CONSUMER_TS = `import { type Finding, renderReport, type ScanReport, scanTemplates } from "rdsguard";

const report: ScanReport = await scanTemplates(["legacy.yaml"], { strict: true, region: "eu-west-1" });
const first: Finding | undefined = report.findings[0];
const text: string = renderReport(report, "markdown", { markdownLimit: 100_000 });
console.log(first?.ruleId, text.length);
// @ts-expect-error: not a format
renderReport(report, "pdf");
`;

describe("the packed package as a library", () => {
  it("installs from the tarball and scans, audits and renders through the documented API", () => {
    const packed = run("npm", ["pack", "--pack-destination", tmp, "--silent"], repo)
      .trim()
      .split("\n")
      .at(-1) as string;
    const consumer = path.join(tmp, "consumer");
    run("mkdir", ["-p", consumer], tmp);
    writeFileSync(
      path.join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--ignore-scripts", "--omit=peer", path.join(tmp, packed)],
      consumer,
    );
    copyFileSync(
      path.join(repo, "examples/templates/mysql-legacy-standalone.yaml"),
      path.join(consumer, "legacy.yaml"),
    );
    writeFileSync(path.join(consumer, "consumer.mjs"), CONSUMER_JS);
    const out = JSON.parse(run(process.execPath, ["consumer.mjs"], consumer));
    expect(out).toEqual({
      schemaVersion: 1,
      kind: "template",
      failing: [
        "backup-retention:LegacyDb",
        "backup-retention:LegacyDb",
        "ca-certificate:LegacyDb",
        "deletion-protection:LegacyDb",
        "deletion-protection:LegacyDbReplica",
        "encryption-in-transit:LegacyDb",
        "encryption-in-transit:LegacyDbReplica",
        "engine-version:LegacyDb",
        "engine-version:LegacyDbReplica",
        "iam-auth:LegacyDb",
        "iam-auth:LegacyDbReplica",
        "multi-az:LegacyDb",
        "public-access:LegacyDbReplica",
        "storage-encrypted:LegacyDb",
        "storage-encrypted:LegacyDbReplica",
      ],
      compact: expect.stringMatching(
        /^legacy\.yaml:16:3: encryption-in-transit: DB instance LegacyDb: DBParameterGroupName is not set: /,
      ),
      sarifVersion: "2.1.0",
      warnings: ["parameter Nope is given a value but no scanned template declares it"],
      auditError: "--regions: not a region name: not a region",
    });
    expect(readdirSync(path.join(consumer, "node_modules/rdsguard/dist"))).toContain("index.d.ts");

    writeFileSync(path.join(consumer, "consumer.ts"), CONSUMER_TS);
    const tsc = path.join(repo, "node_modules/typescript/bin/tsc");
    run(
      process.execPath,
      [
        tsc,
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--skipLibCheck",
        "consumer.ts",
      ],
      consumer,
    );
  }, 600_000);
});
