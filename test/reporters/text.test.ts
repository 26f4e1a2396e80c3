import { describe, expect, it } from "vitest";
import { shouldColor } from "../../src/commands/output.js";
import { renderText } from "../../src/reporters/text.js";
import { auditReport, cleanReport, templateReport } from "./fixture.js";

/** Start of an ANSI colour sequence. */
const ANSI = `${String.fromCharCode(27)}[`;

describe("text view", () => {
  const out = renderText(templateReport());
  const lines = out.split("\n");

  it("prints path:line:col, severity, rule and message per finding, sorted by file then line", () => {
    expect(lines.slice(0, 10)).toEqual([
      "cdk.out/App Stack.template.json:7:11  low       storage-encrypted    DB cluster Odd,Name:50% (App/Stack/Odd,Name:50%/Resource): KmsKeyId is 'alias/a|b,c:d' (100% <unverified> & odd)",
      "    second line.",
      "templates/aurora.yaml:30:5            critical  deletion-protection  DB cluster OrdersCluster: DeletionProtection is not set: the AWS default is false.",
      "templates/aurora.yaml:42:7            high      storage-encrypted    DB cluster OrdersCluster: StorageEncrypted is false (literal).",
      "templates/aurora.yaml:80:7            medium    iam-auth             DB cluster ReportsCluster: EnableIAMDatabaseAuthentication is false.",
      "    suppressed: policy waiver until 2099-01-31: Reports use password auth until Q3",
      'templates/aurora.yaml:84:7            medium    backup-retention     DB cluster ReportsCluster: BackupRetentionPeriod is 3, below the required 7 days. [waiver expired on 2024-01-01 at templates/aurora.yaml:75:9; it said: "temporary"]',
      "templates/legacy db.yaml:12:9         medium    backup-retention     DB instance LegacyDb: BackupRetentionPeriod is 1 (from mapping RetentionByEnv), below the required 7 days. (when IsProd=false)",
      "templates/legacy db.yaml:15:9         unknown   iam-auth             DB instance LegacyDb: EnableIAMDatabaseAuthentication comes from parameter IamAuth, which has no default.",
      "",
    ]);
    expect(out).not.toContain("StorageEncrypted is true");
  });

  it("lists errors with their place, the failing rules with their help links, the summary and what to run next", () => {
    expect(lines.slice(10)).toEqual([
      "1 error:",
      "templates/broken.yaml:3:1  parse  unexpected end of the stream within a flow collection",
      "",
      "Rules that failed (why and how to fix: rdsguard explain RULE, or --verbose):",
      "  backup-retention       2  https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md#backup-retention",
      "  storage-encrypted      2  https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md#storage-encrypted",
      "  deletion-protection    1  https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md#deletion-protection",
      "",
      "rdsguard: 5 failing findings (1 critical, 1 high, 2 medium, 1 low), 1 unknown, 1 suppressed, 1 passed; 5 resources in 3 templates (6 files read), 1 error; 1.2s",
      "Next: fix the errors above (exit code 2); the findings of what was read are listed.",
      "",
    ]);
    expect(renderText(cleanReport()).trimEnd().split("\n").at(-1)).toMatch(/^rdsguard: no failing findings, 1 passed;/);
    const noErrors = renderText({ ...templateReport(), errors: [] });
    expect(noErrors.trimEnd().split("\n").at(-1)).toBe(
      "Next: 'rdsguard explain backup-retention' shows why it matters and the fix; add --verbose to see the fix under each finding.",
    );
  });

  it("names live findings by ARN, with their stack", () => {
    const audit = renderText(auditReport()).split("\n");
    expect(audit.slice(0, 2)).toEqual([
      "arn:aws:rds:eu-west-1:123456789012:cluster:billing-prod  high  storage-encrypted  DB cluster billing-prod: StorageEncrypted is false (DescribeDBClusters).",
      "    stack billing, BillingCluster",
    ]);
    expect(audit).toContain(
      "210987654321/us-east-1  aws  AccessDenied: not authorized to perform rds:DescribeDBClusters",
    );
  });

  it("wraps at words with a hanging indent at a terminal width, never cutting a URL", () => {
    const wide = renderText(templateReport(), { width: 120 }).split("\n");
    const hang = " ".repeat(69);
    expect(wide.slice(0, 8)).toEqual([
      "cdk.out/App Stack.template.json:7:11  low       storage-encrypted    DB cluster Odd,Name:50%",
      `${hang}(App/Stack/Odd,Name:50%/Resource): KmsKeyId is`,
      `${hang}'alias/a|b,c:d' (100% <unverified> & odd)`,
      `${hang}second line.`,
      "templates/aurora.yaml:30:5            critical  deletion-protection  DB cluster OrdersCluster: DeletionProtection is not",
      `${hang}set: the AWS default is false.`,
      "templates/aurora.yaml:42:7            high      storage-encrypted    DB cluster OrdersCluster: StorageEncrypted is false",
      `${hang}(literal).`,
    ]);
    // Narrow: the columns before the message take most of the line, so the message goes under it.
    const narrow = renderText(templateReport(), { width: 80, verbose: true }).split("\n");
    expect(narrow.slice(0, 7)).toEqual([
      "cdk.out/App Stack.template.json:7:11  low       storage-encrypted",
      "    DB cluster Odd,Name:50% (App/Stack/Odd,Name:50%/Resource): KmsKeyId is",
      "    'alias/a|b,c:d' (100% <unverified> & odd)",
      "    second line.",
      "    fix: Set the property that storage-encrypted checks.",
      "    help: https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md#storage-encrypted",
      "templates/aurora.yaml:30:5            critical  deletion-protection",
    ]);
    expect(narrow).toContain("    suppressed: policy waiver until 2099-01-31: Reports use password auth until");
    expect(narrow).toContain("                Q3");
    for (const line of [...wide, ...narrow]) {
      if (!line.includes("https://")) expect(line.length).toBeLessThanOrEqual(120);
    }
    for (const line of narrow) if (!line.includes("https://")) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("shows the quoted documentation only with verbose, and the short message by default", () => {
    const report = templateReport();
    const f = report.findings.find((x) => x.resource.name === "OrdersCluster" && x.ruleId === "storage-encrypted");
    if (!f) throw new Error("fixture changed");
    f.message =
      "StorageEncrypted is not set: AWS default false (RDS API reference: StorageEncrypted defaults to false)";
    f.citations = ["RDS API reference: StorageEncrypted defaults to false"];
    expect(renderText(report)).toContain(
      "templates/aurora.yaml:42:7            high      storage-encrypted    DB cluster OrdersCluster: StorageEncrypted is not set: AWS default false\n",
    );
    expect(renderText(report, { verbose: true })).toContain(
      "DB cluster OrdersCluster: StorageEncrypted is not set: AWS default false\n    source: RDS API reference: StorageEncrypted defaults to false\n    fix: Set the property that storage-encrypted checks.\n    help: https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md#storage-encrypted\n",
    );
  });

  it("compact: path:line:col: rule: message for active and undetermined findings, and errors", () => {
    expect(renderText(templateReport(), { compact: true }).split("\n")).toEqual([
      "cdk.out/App Stack.template.json:7:11: storage-encrypted: DB cluster Odd,Name:50% (App/Stack/Odd,Name:50%/Resource): KmsKeyId is 'alias/a|b,c:d' (100% <unverified> & odd) second line.",
      "templates/aurora.yaml:30:5: deletion-protection: DB cluster OrdersCluster: DeletionProtection is not set: the AWS default is false.",
      "templates/aurora.yaml:42:7: storage-encrypted: DB cluster OrdersCluster: StorageEncrypted is false (literal).",
      'templates/aurora.yaml:84:7: backup-retention: DB cluster ReportsCluster: BackupRetentionPeriod is 3, below the required 7 days. [waiver expired on 2024-01-01 at templates/aurora.yaml:75:9; it said: "temporary"]',
      "templates/legacy db.yaml:12:9: backup-retention: DB instance LegacyDb: BackupRetentionPeriod is 1 (from mapping RetentionByEnv), below the required 7 days. (when IsProd=false)",
      "templates/legacy db.yaml:15:9: iam-auth: DB instance LegacyDb: EnableIAMDatabaseAuthentication comes from parameter IamAuth, which has no default.",
      "templates/broken.yaml:3:1: error: parse: unexpected end of the stream within a flow collection",
      "",
    ]);
  });

  it("names the resource even when its logical id begins the message (DBInstance, Storage)", () => {
    const report = templateReport();
    const f = report.findings.find((x) => x.resource.name === "OrdersCluster" && x.ruleId === "storage-encrypted");
    if (!f) throw new Error("fixture changed");
    f.resource = { ...f.resource, name: "Storage" };
    f.message = "StorageEncrypted is false (literal).";
    expect(renderText(report)).toContain("DB cluster Storage: StorageEncrypted is false (literal).");
  });

  it("a baselined gate shows only new findings and counts the rest", () => {
    const report = templateReport();
    for (const f of report.findings) if (f.verdict === "fail") f.baselineState = "unchanged";
    const first = report.findings.find((f) => f.verdict === "fail" && !f.suppression);
    if (!first) throw new Error("fixture changed");
    first.baselineState = "new";
    const text = renderText(report);
    const findingLines = text.split("\n").filter((l) => / {2}(critical|high|medium|low|info|unknown) {2}/.test(l));
    expect(findingLines).toHaveLength(3); // the new one, the waived one and the undetermined one
    expect(text).toMatch(/, 4 in the baseline \(not shown\),/);
    expect(text).not.toContain("in baseline (not new)");
  });

  it("has no colour unless asked, and colour when asked", () => {
    expect(out).not.toContain(ANSI);
    const coloured = renderText(templateReport(), { color: true });
    expect(coloured).toContain(ANSI);
    expect(coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g"), "")).toBe(out);
  });
});

describe("colour decision", () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    ["a TTY", tty, {}, false, true],
    ["a pipe", pipe, {}, false, false],
    ["a TTY with NO_COLOR=1", tty, { NO_COLOR: "1" }, false, false],
    ["a TTY with an empty NO_COLOR", tty, { NO_COLOR: "" }, false, true],
    ["a pipe with FORCE_COLOR=1", pipe, { FORCE_COLOR: "1" }, false, true],
    ["a pipe with FORCE_COLOR empty", pipe, { FORCE_COLOR: "" }, false, true],
    ["a TTY with FORCE_COLOR=0", tty, { FORCE_COLOR: "0" }, false, false],
    ["a TTY with FORCE_COLOR=false", tty, { FORCE_COLOR: "false" }, false, false],
    ["FORCE_COLOR=1 over NO_COLOR=1", pipe, { FORCE_COLOR: "1", NO_COLOR: "1" }, false, true],
    ["--no-color over FORCE_COLOR", tty, { FORCE_COLOR: "1" }, true, false],
    ["a TTY with TERM=dumb", tty, { TERM: "dumb" }, false, false],
    ["TERM=dumb with FORCE_COLOR=1", tty, { TERM: "dumb", FORCE_COLOR: "1" }, false, true],
  ])("%s", (_name, stream, env, flag, expected) => {
    expect(shouldColor(stream, env as Record<string, string>, flag as boolean)).toBe(expected);
  });
});
