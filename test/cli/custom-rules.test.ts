/**
 * Policy-defined rules and plugins through the built CLI (npm test builds first), as a CI job runs it: findings in
 * the JSON report, rules in SARIF (validated against the SARIF 2.1.0 schema), exit codes with --fail-on, a broken
 * plugin or a faulty policy exiting 2 while the report is still written, and the catalogue commands.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type * as Sarif from "sarif";
import { afterAll, describe, expect, it } from "vitest";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import type { RuleMeta } from "../../src/rules/types.js";
import { xsdErrors } from "../reporters/junit-tools.js";
import { compileSarifValidator } from "../reporters/sarif-tools.js";
import { assertGithubAcceptsSarif } from "../support/github-sarif.js";

const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-custom-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const POLICY = "test/fixtures/policy/custom/cli.yaml";
const GRAVITON = "test/fixtures/custom-rules/graviton.yaml";
const KEPT = "test/fixtures/custom-rules/two-weeks.yaml";

function rdsguard(args: string[]) {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let counter = 0;
function scanTo(format: "json" | "sarif", args: string[]) {
  const out = path.join(tmp, `report-${++counter}.${format}`);
  const r = rdsguard(["scan", ...args, "--now", "2026-03-01", "--format", `${format}=${out}`]);
  return { ...r, text: readFileSync(out, "utf8") };
}

function scanJson(args: string[]) {
  const r = scanTo("json", args);
  return { ...r, report: JSON.parse(r.text) as ScanReport };
}

const line = (f: Finding) =>
  `${f.ruleId} ${f.resource.name} ${f.verdict}${f.when ? ` when ${f.when}` : ""} ${f.location?.line}:${f.location?.column}`;

describe("rdsguard scan --config with customRules and plugins", () => {
  it("reports the custom and plugin findings next to the built-in ones", () => {
    const { code, report } = scanJson(["--config", POLICY, GRAVITON]);
    expect(code).toBe(1);
    expect(report.errors).toEqual([]);
    const custom = report.findings.filter((f) =>
      ["graviton-declared", "graviton-plugin", "retention-two-weeks"].includes(f.ruleId),
    );
    expect(custom.map(line)).toEqual([
      "graviton-declared ArmDb pass 17:24",
      "retention-two-weeks ArmDb fail 13:3",
      "graviton-plugin ArmDb pass 17:24",
      "graviton-declared IntelDb fail 23:24",
      "retention-two-weeks IntelDb fail 19:3",
      "graviton-plugin IntelDb fail 23:24",
      "graviton-declared ReportingDb unknown 29:24",
      "retention-two-weeks ReportingDb fail 25:3",
      "graviton-plugin ReportingDb unknown 29:24",
      "graviton-declared StagedDb fail when IsProd=false 35:52",
      "retention-two-weeks StagedDb fail 31:3",
      "graviton-plugin StagedDb fail when IsProd=false 35:52",
    ]);
    const kept = custom.find((f) => f.ruleId === "retention-two-weeks");
    expect(kept).toMatchObject({
      severity: "critical",
      property: "BackupRetentionPeriod",
      message:
        "BackupRetentionPeriod is not set: AWS default 1 (RDS API reference, CreateDBInstance/CreateDBCluster: BackupRetentionPeriod defaults to 1), which is not at least 14",
    });
    // The report's rule list describes them, with where they are defined.
    const described = Object.fromEntries(report.rules.map((r) => [r.id, r.definedIn]));
    expect(described["retention-two-weeks"]).toEqual({ kind: "policy", file: POLICY, line: 18, column: 5 });
    expect(described["graviton-plugin"]).toEqual({ kind: "plugin", file: "test/fixtures/plugins/graviton.mjs" });
  });

  it("--fail-on: a failing custom rule of that severity fails the gate; passing it does not", () => {
    // Every database fails retention-two-weeks (critical) here.
    expect(rdsguard(["scan", "--config", POLICY, "--fail-on", "critical", GRAVITON]).code).toBe(1);
    // KeptDb passes it; the built-in rules still fail it, at high and below.
    const kept = scanJson(["--config", POLICY, "--fail-on", "critical", KEPT]);
    expect(kept.code).toBe(0);
    expect(kept.report.findings.filter((f) => f.verdict === "fail").map((f) => f.severity)).not.toContain("critical");
    expect(kept.report.findings.find((f) => f.ruleId === "retention-two-weeks")).toMatchObject({
      verdict: "pass",
      message:
        'BackupRetentionPeriod is 14 (literal), which is at least 14; Engine is postgres (literal), which is not one of ["mysql", "mariadb"]',
    });
    expect(rdsguard(["scan", "--config", POLICY, "--fail-on", "high", KEPT]).code).toBe(1);
  });

  it("SARIF lists the custom and plugin rules in tool.driver.rules and validates against the SARIF 2.1.0 schema", () => {
    const { code, text } = scanTo("sarif", ["--config", POLICY, GRAVITON]);
    expect(code).toBe(1);
    const log = JSON.parse(text) as Sarif.Log;
    expect(compileSarifValidator()(log)).toEqual([]);
    assertGithubAcceptsSarif(log, { repoRoot: repo });
    const run = log.runs[0] as Sarif.Run;
    const rules = run.tool.driver.rules ?? [];
    const custom = rules.find((r) => r.id === "retention-two-weeks");
    expect(custom).toMatchObject({
      id: "retention-two-weeks",
      shortDescription: { text: "Backups are kept for two weeks" },
      fullDescription: {
        text: "Automated backups are kept for at least 14 days. Our recovery objective allows restoring data up to two weeks old.",
      },
      defaultConfiguration: { level: "error" },
      properties: { tags: ["security", "backup"], "security-severity": expect.any(String) },
    });
    expect(rules.map((r) => r.id)).toEqual(expect.arrayContaining(["graviton-declared", "graviton-plugin"]));
    // Every result points at its rule.
    const results = run.results ?? [];
    const ofCustom = results.filter((r) => r.ruleId === "retention-two-weeks");
    expect(ofCustom).toHaveLength(4);
    for (const r of results) expect(rules[r.ruleIndex ?? -1]?.id).toBe(r.ruleId);
    const staged = results.find(
      (r) => r.ruleId === "graviton-plugin" && r.locations?.[0]?.physicalLocation?.region?.startLine === 35,
    );
    expect(staged?.locations?.[0]?.physicalLocation).toMatchObject({
      artifactLocation: { uri: GRAVITON },
      region: { startLine: 35, startColumn: 52 },
    });
  });

  it("every report format carries the custom and plugin findings (JUnit valid against its XSD)", async () => {
    const formats = ["text", "json", "sarif", "junit", "markdown", "github"] as const;
    const files = Object.fromEntries(formats.map((f) => [f, path.join(tmp, `every-format.${f}`)]));
    const r = rdsguard([
      "scan",
      "--config",
      POLICY,
      GRAVITON,
      "--now",
      "2026-03-01",
      ...formats.flatMap((f) => ["--format", `${f}=${files[f]}`]),
    ]);
    expect(r.code).toBe(1);
    const read = (f: (typeof formats)[number]) => readFileSync(files[f] as string, "utf8");
    for (const f of formats) {
      expect(read(f), f).toContain("graviton-declared");
      expect(read(f), f).toContain("graviton-plugin");
    }
    expect(await xsdErrors(read("junit"))).toEqual([]);
    expect(read("junit")).toContain('<testsuite name="graviton-plugin"');
    // A plugin rule without remediation text gets no empty "Fix:" line.
    expect(read("github")).not.toMatch(/Fix: $/m);
    expect(read("github")).toMatch(
      /^::(warning|error|notice) file=test\/fixtures\/custom-rules\/graviton\.yaml,.*title=rdsguard graviton-plugin \(low\)/m,
    );
  });

  it("a broken plugin exits 2, and the report still holds every other finding", () => {
    const { code, report, stdout } = scanJson([
      "--config",
      "test/fixtures/policy/custom/broken-plugins.yaml",
      GRAVITON,
    ]);
    expect(code).toBe(2);
    const file = "test/fixtures/policy/custom/broken-plugins.yaml";
    expect(report.errors.map((e) => `${e.kind} ${e.file}:${e.line}:${e.column}`)).toEqual([
      `policy ${file}:5:5`,
      `policy ${file}:5:5`,
      `policy ${file}:5:5`,
      `policy ${file}:6:5`,
      `policy ${file}:7:5`,
      `policy ${file}:8:5`,
      `policy ${file}:9:5`,
    ]);
    // Node's own words for the module that does not parse.
    expect(report.errors[4]?.message).toMatch(
      /^plugin \.\.\/\.\.\/plugins\/syntax-error\.mjs: cannot be loaded: SyntaxError: Unexpected token/,
    );
    expect(report.errors[5]?.message).toMatch(
      /^plugin \.\.\/\.\.\/plugins\/not-there\.mjs: cannot be loaded: Cannot find module '\/.*\/test\/fixtures\/plugins\/not-there\.mjs'/,
    );
    // The console view (printed because the JSON goes to a file) names each place too.
    expect(stdout).toContain(
      `${file}:6:5  policy  plugin ../../plugins/throws-at-import.mjs: cannot be loaded: Error: ORG_RULES_TOKEN is not set`,
    );
    const rules = new Set(report.findings.map((f) => f.ruleId));
    expect(rules).toEqual(
      new Set([
        "storage-encrypted",
        "iam-auth",
        "backup-retention",
        "deletion-protection",
        "multi-az",
        "instance-class",
        "ca-certificate",
        "engine-version",
        "encryption-in-transit",
        "public-access",
        "sound-plugin-rule",
        "multi-az-standalone",
      ]),
    );
  });

  it("a plugin rule that throws exits 2 with a rule error, and unknown findings in its place", () => {
    const { code, report } = scanJson(["--plugin", "test/fixtures/plugins/misbehaving.mjs", GRAVITON]);
    expect(code).toBe(2);
    expect(report.errors).toHaveLength(16);
    expect(report.errors[0]).toEqual({
      kind: "rule",
      message:
        "rule throws-always (plugin test/fixtures/plugins/misbehaving.mjs) threw TypeError: cannot read tags of ArmDb on ArmDb",
      file: GRAVITON,
      line: 13,
      column: 3,
    });
    expect(report.findings.filter((f) => f.ruleId === "throws-always").map((f) => f.verdict)).toEqual([
      "unknown",
      "unknown",
      "unknown",
      "unknown",
    ]);
    expect(report.findings.filter((f) => f.ruleId === "multi-az").map((f) => f.verdict)).toEqual([
      "fail",
      "fail",
      "fail",
      "fail",
    ]);
  });

  it("a faulty custom rule exits 2; the policy's sound rule still judges", () => {
    const { code, report } = scanJson(["--config", "test/fixtures/policy/custom/errors.yaml", GRAVITON]);
    expect(code).toBe(2);
    expect(report.errors).toHaveLength(12);
    expect(report.errors[0]).toMatchObject({
      kind: "policy",
      file: "test/fixtures/policy/custom/errors.yaml",
      line: 12,
      column: 7,
    });
    expect(report.findings.filter((f) => f.ruleId === "sound-rule").map((f) => f.verdict)).toEqual([
      "fail",
      "fail",
      "fail",
      "fail",
    ]);
  });
});

describe("rdsguard rules and explain --config", () => {
  it("rules --format json lists the custom and plugin rules after the built-in ones, with definedIn and condition", () => {
    const { code, stdout } = rdsguard(["rules", "--format", "json", "--config", POLICY]);
    expect(code).toBe(0);
    const metas = JSON.parse(stdout) as RuleMeta[];
    expect(metas.slice(-5).map((m) => m.id)).toEqual([
      "graviton-declared",
      "retention-two-weeks",
      "graviton-plugin",
      "policy-weakened",
      "waiver-added",
    ]);
    expect(metas.find((m) => m.id === "graviton-declared")).toMatchObject({
      condition: "Judges DB instance. Passes when DBInstanceClass matches /^db\\.[a-z]+\\d+g[a-z]*\\./.",
      definedIn: { kind: "policy", file: POLICY, line: 8, column: 5 },
    });
  });

  it("rules (table) shows them", () => {
    const { code, stdout } = rdsguard(["rules", "--config", POLICY]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^retention-two-weeks +critical +Backups are kept for two weeks/m);
    expect(stdout).toMatch(/^graviton-plugin +low +DB instances use a Graviton class \(plugin\)/m);
  });

  it("explain RULE shows where the rule is defined and its condition in words", () => {
    const { code, stdout } = rdsguard(["explain", "retention-two-weeks", "--config", POLICY]);
    expect(code).toBe(0);
    expect(stdout).toContain("retention-two-weeks: Backups are kept for two weeks\n");
    expect(stdout).toContain("Default severity: critical\n");
    expect(stdout).toContain(`Defined in: policy ${POLICY}:18\n`);
    expect(stdout).toContain(
      'Condition:\n  Judges DB cluster, DB instance (standalone, read-replica). Passes when all of (BackupRetentionPeriod >= 14; not (Engine is one of ["mysql", "mariadb"])).\n',
    );
    expect(stdout).toContain("    BackupRetentionPeriod: 14\n");

    const json = rdsguard(["explain", "graviton-plugin", "--config", POLICY, "--format", "json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      id: "graviton-plugin",
      definedIn: { kind: "plugin", file: "test/fixtures/plugins/graviton.mjs" },
    });
  });

  it("explain of a custom rule without its policy says the rule is unknown", () => {
    const { code, stderr } = rdsguard(["explain", "retention-two-weeks"]);
    expect(code).toBe(2);
    expect(stderr).toContain('rdsguard explain: unknown rule "retention-two-weeks"');
  });

  it("rules --format markdown has a section for each custom rule", () => {
    const { code, stdout } = rdsguard(["rules", "--format", "markdown", "--config", POLICY]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "| [`retention-two-weeks`](#retention-two-weeks) | Backups are kept for two weeks | critical | — | — | — | — | — | — |",
    );
    const section = stdout.slice(stdout.indexOf("## retention-two-weeks"), stdout.indexOf("## graviton-plugin"));
    expect(section).toContain(
      `**Backups are kept for two weeks** · default severity **critical** · applies to: DB cluster, DB instance · tags: backup · defined in policy ${POLICY}:18`,
    );
    expect(section).toContain(
      '**Condition.** Judges DB cluster, DB instance (standalone, read-replica). Passes when all of (BackupRetentionPeriod >= 14; not (Engine is one of ["mysql", "mariadb"])).',
    );
    expect(section).toContain("**Remediation.** Set BackupRetentionPeriod to 14 or more.");
    expect(section).toContain("```yaml\nBackupRetentionPeriod: 14\n```");
    expect(section).not.toContain("**Mappings.**");
  });

  it("a faulty policy: the catalogue still answers, the errors go to stderr with their place, exit 2", () => {
    const { code, stdout, stderr } = rdsguard([
      "rules",
      "--format",
      "json",
      "--config",
      "test/fixtures/policy/custom/errors.yaml",
    ]);
    expect(code).toBe(2);
    expect((JSON.parse(stdout) as RuleMeta[]).map((m) => m.id)).toContain("sound-rule");
    expect(stderr).toContain(
      'rdsguard rules: test/fixtures/policy/custom/errors.yaml:12:7: customRules[0].condition: unknown key "startsWith"',
    );
  });
});
