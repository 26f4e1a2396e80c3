import { readFileSync } from "node:fs";
import type * as Sarif from "sarif";
import { beforeAll, describe, expect, it } from "vitest";
import { applyBaseline } from "../../src/reporters/baseline.js";
import { PROJECT_URL } from "../../src/reporters/common.js";
import { buildSarif, renderSarif, SARIF_FINGERPRINT_KEY, SECURITY_SEVERITY } from "../../src/reporters/sarif.js";
import { assertGithubAcceptsSarif, githubSarifProblems } from "../support/github-sarif.js";
import { auditReport, cleanReport, ROOT, RULES, templateReport } from "./fixture.js";
import { exampleTemplates, reportFromTemplates } from "./pipeline.js";
import { compileSarifValidator, multitoolValidate, prepareMultitool, sarifSchema } from "./sarif-tools.js";

const LEAKY = readFileSync(new URL("../fixtures/reporters/secret-template.yaml", import.meta.url), "utf8");

function run(log: Sarif.Log): Sarif.Run {
  const r = log.runs[0];
  if (!r) throw new Error("no run");
  return r;
}

const variants: Array<[string, () => string]> = [
  ["template report", () => renderSarif(templateReport())],
  ["template report with suppressed findings included", () => renderSarif(templateReport(), { suppressed: "include" })],
  ["audit report (live findings without a file)", () => renderSarif(auditReport())],
  [
    "report with a baseline applied",
    () =>
      renderSarif(applyBaseline(templateReport(), new Set([templateReport().findings[0]?.fingerprint ?? ""])), {
        baselineApplied: true,
      }),
  ],
  ["clean report", () => renderSarif(cleanReport())],
  [
    "examples/templates/ and a leaky template through scanner and rules",
    () => renderSarif(reportFromTemplates({ ...exampleTemplates(), "templates/leaky.yaml": LEAKY }, ROOT)),
  ],
];

describe("the vendored SARIF schema", () => {
  it("is the official OASIS SARIF 2.1.0 schema (draft-04)", () => {
    expect(sarifSchema.title).toBe("Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
    expect(sarifSchema.id).toBe(
      "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
    );
    expect(sarifSchema.$schema).toBe("http://json-schema.org/draft-04/schema#");
  });

  it("uses no keyword whose meaning changed after draft-04, so ajv 8 validates it as draft-04 would", () => {
    const text = JSON.stringify(sarifSchema);
    expect(text).not.toMatch(/"exclusiveM(in|ax)imum"/);
    expect(text).not.toMatch(/"\$ref":"(?!#\/definitions\/)/);
  });
});

describe("SARIF validates against the official SARIF 2.1.0 JSON schema (ajv)", () => {
  const validate = compileSarifValidator();
  it.each(variants)("%s", (_name, render) => {
    const errors = validate(JSON.parse(render()));
    expect(errors).toEqual([]);
  });

  it("the validator does reject a broken log (it is not vacuous)", () => {
    const log = JSON.parse(renderSarif(templateReport()));
    log.runs[0].results[0].level = "fatal";
    delete log.runs[0].tool.driver.name;
    expect(validate(log).length).toBeGreaterThan(0);
  });
});

describe("GitHub code scanning's ingestion rules (test/support/github-sarif.ts)", () => {
  it.each(variants)("%s", (_name, render) => {
    expect(githubSarifProblems(JSON.parse(render()))).toEqual([]);
  });

  it("the checker rejects what GitHub rejects (it is not vacuous)", () => {
    const log = JSON.parse(renderSarif(templateReport()));
    const [first, second, third] = log.runs[0].results;
    first.locations = [{ logicalLocations: [{ name: "x" }] }];
    second.locations[0].physicalLocation.artifactLocation = { uri: "file:///elsewhere/x.yaml" };
    third.locations[0].physicalLocation.artifactLocation.uri = "../outside.yaml";
    log.runs.push({ ...log.runs[0], results: undefined });
    const problems = githubSarifProblems(log, { repoRoot: "/nonexistent" });
    expect(problems).toEqual(
      expect.arrayContaining([
        "runs[0].results[0]: locationFromSarifResult: expected a physical location",
        "runs[0].results[1].locations[0]: uri file:///elsewhere/x.yaml has a scheme (not repository-relative)",
        "runs[0].results[2].locations[0]: uri ../outside.yaml climbs out of the repository",
        expect.stringMatching(/^runs\[0\]\.results\[3\]\.locations\[0\]: uri .* is not a file of the repository/),
        "runs[1]: Missing 'results' array in run",
        expect.stringMatching(/^runs\[1\]: category rdsguard\|rdsguard\/templates\/ repeats/),
      ]),
    );
  });
});

describe.runIf(process.platform === "linux")("SARIF passes `sarif-multitool validate --rule-kind Sarif;Ghas`", () => {
  beforeAll(() => prepareMultitool());

  it.each(variants)("%s: no errors", async (_name, render) => {
    const issues = await multitoolValidate(render());
    expect(issues.filter((i) => i.level === "error")).toEqual([]);
  });

  it("reports errors on a log GitHub would reject (it is not vacuous)", async () => {
    const log = JSON.parse(renderSarif(templateReport()));
    for (const rule of log.runs[0].tool.driver.rules) delete rule.help;
    const issues = await multitoolValidate(JSON.stringify(log));
    expect(issues.some((i) => i.level === "error")).toBe(true);
  });
});

describe("SARIF content", () => {
  const report = templateReport();
  const log = buildSarif(report);
  const r = run(log);
  const results = r.results ?? [];

  it("has one run with the tool, its version and every rule of the report", () => {
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    const driver = r.tool.driver;
    expect(driver.name).toBe("rdsguard");
    expect(driver.version).toBe("0.1.0");
    expect(driver.informationUri).toBe(PROJECT_URL);
    expect(driver.rules?.map((x) => x.id)).toEqual(RULES.map((x) => x.id));
  });

  it("describes each rule with help text, markdown with the snippet, a docs link, tags and security-severity", () => {
    for (const [i, rule] of (r.tool.driver.rules ?? []).entries()) {
      const meta = RULES[i];
      if (!meta) throw new Error("rule count");
      expect(rule.shortDescription?.text).toBe(meta.title);
      expect(rule.fullDescription?.text).toContain(meta.rationale);
      expect(rule.help?.text).toContain(meta.remediation.text);
      expect(rule.help?.markdown).toContain("```yaml\n");
      expect(rule.help?.markdown).toContain(meta.remediation.snippet);
      expect(rule.helpUri).toBe(`${PROJECT_URL}/blob/main/docs/rules.md#${meta.id}`);
      expect(rule.properties?.tags).toContain("security");
      expect(rule.properties?.precision).toBe("high");
      expect(rule.properties?.["security-severity"]).toBe(SECURITY_SEVERITY[meta.severity]);
      expect(rule.defaultConfiguration?.level).toBe(
        meta.severity === "critical" || meta.severity === "high"
          ? "error"
          : meta.severity === "medium"
            ? "warning"
            : "note",
      );
    }
  });

  it("scores security-severity inside GitHub's bands", () => {
    expect(Number(SECURITY_SEVERITY.critical)).toBeGreaterThanOrEqual(9);
    expect(Number(SECURITY_SEVERITY.high)).toBeGreaterThanOrEqual(7);
    expect(Number(SECURITY_SEVERITY.high)).toBeLessThan(9);
    expect(Number(SECURITY_SEVERITY.medium)).toBeGreaterThanOrEqual(4);
    expect(Number(SECURITY_SEVERITY.medium)).toBeLessThan(7);
    expect(Number(SECURITY_SEVERITY.low)).toBeLessThan(4);
    expect(Number(SECURITY_SEVERITY.info)).toBeGreaterThan(0);
  });

  it("emits results only for failing and undetermined findings, suppressed ones omitted by default", () => {
    const expected = report.findings.filter((f) => (f.verdict === "fail" || f.verdict === "unknown") && !f.suppression);
    expect(results).toHaveLength(expected.length);
    expect(new Set(results.map((x) => x.partialFingerprints?.[SARIF_FINGERPRINT_KEY]))).toEqual(
      new Set(expected.map((f) => f.fingerprint)),
    );
    expect(results.some((x) => x.suppressions)).toBe(false);
    expect(r.properties?.suppressedFindingsOmitted).toBe(1);
  });

  it("maps severity to level, unknown to kind review (level none), and keeps ruleIndex consistent", () => {
    for (const x of results) {
      expect(r.tool.driver.rules?.[x.ruleIndex ?? -1]?.id).toBe(x.ruleId);
    }
    const bySeverity = (fp: string) => results.find((x) => x.partialFingerprints?.[SARIF_FINGERPRINT_KEY] === fp);
    const critical = report.findings.find((f) => f.severity === "critical" && f.verdict === "fail");
    const unknown = report.findings.find((f) => f.verdict === "unknown");
    const low = report.findings.find((f) => f.severity === "low");
    expect(bySeverity(critical?.fingerprint ?? "")?.level).toBe("error");
    expect(bySeverity(critical?.fingerprint ?? "")?.kind).toBe("fail");
    expect(bySeverity(unknown?.fingerprint ?? "")?.level).toBe("none");
    expect(bySeverity(unknown?.fingerprint ?? "")?.kind).toBe("review");
    expect(bySeverity(unknown?.fingerprint ?? "")?.message.text).toMatch(/^Could not be determined: /);
    expect(bySeverity(low?.fingerprint ?? "")?.level).toBe("note");
    expect(bySeverity(low?.fingerprint ?? "")?.kind).toBe("fail");
  });

  it("names resource and property in the message and points at the exact value, %SRCROOT%-relative", () => {
    const first = results.find((x) => x.ruleId === "storage-encrypted" && x.level === "error");
    expect(first?.message.text).toBe("DB cluster OrdersCluster: StorageEncrypted is false (literal).");
    const physical = first?.locations?.[0]?.physicalLocation;
    expect(physical?.artifactLocation).toEqual({ uri: "templates/aurora.yaml", uriBaseId: "%SRCROOT%" });
    expect(physical?.region).toEqual({ startLine: 42, startColumn: 7 });
    expect(r.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: "file:///work/repo/" } });
    const spaced = results.find((x) => x.locations?.[0]?.physicalLocation?.artifactLocation?.uri?.includes("legacy"));
    expect(spaced?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe("templates/legacy%20db.yaml");
  });

  it("gives logical locations: logical id, CDK path", () => {
    const cdk = results.find((x) => x.locations?.[0]?.logicalLocations?.[0]?.name === "Odd,Name:50%");
    expect(cdk?.locations?.[0]?.logicalLocations?.[0]).toMatchObject({
      fullyQualifiedName: "App/Stack/Odd,Name:50%/Resource",
      kind: "resource",
    });
    const plain = results.find((x) => x.locations?.[0]?.logicalLocations?.[0]?.name === "OrdersCluster");
    expect(plain?.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName).toBe(
      "templates/aurora.yaml#OrdersCluster",
    );
  });

  it("sets primaryLocationLineHash to the line-free fingerprint", () => {
    for (const x of results) {
      expect(x.partialFingerprints?.primaryLocationLineHash).toBe(x.partialFingerprints?.[SARIF_FINGERPRINT_KEY]);
      expect(x.partialFingerprints?.primaryLocationLineHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("reports scan errors as tool execution notifications and says the execution was not successful", () => {
    const inv = r.invocations?.[0];
    expect(inv?.executionSuccessful).toBe(false);
    expect(inv?.toolExecutionNotifications).toEqual([
      {
        level: "error",
        message: { text: "unexpected end of the stream within a flow collection." },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: "templates/broken.yaml", uriBaseId: "%SRCROOT%" },
              region: { startLine: 3, startColumn: 1 },
            },
          },
        ],
        properties: { kind: "parse" },
      },
    ]);
    expect(run(buildSarif(cleanReport())).invocations?.[0]?.executionSuccessful).toBe(true);
  });

  it("distinguishes template scans from audits in automationDetails", () => {
    expect(r.automationDetails?.id).toBe("rdsguard/templates/");
    expect(run(buildSarif(auditReport())).automationDetails?.id).toBe("rdsguard/audit/");
  });

  it("emits suppressed findings with suppressions when asked to", () => {
    const withSuppressed = run(buildSarif(report, { suppressed: "include" })).results ?? [];
    const suppressed = withSuppressed.filter((x) => x.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]?.suppressions?.[0]).toMatchObject({
      kind: "external",
      status: "accepted",
      justification: "Reports use password auth until Q3",
      location: { physicalLocation: { artifactLocation: { uri: "rdsguard.yaml" }, region: { startLine: 14 } } },
    });
  });

  it("leaves out live findings without a repository file, and says how many in the run and a notification", () => {
    const audit = run(buildSarif(auditReport()));
    expect(audit.results).toEqual([]);
    expect(audit.properties?.findingsWithoutRepositoryFile).toBe(1);
    const notes = audit.invocations?.[0]?.toolExecutionNotifications ?? [];
    expect(notes[0]).toMatchObject({
      level: "error",
      properties: { kind: "aws", account: "210987654321", region: "us-east-1" },
    });
    expect(notes.at(-1)).toMatchObject({
      level: "note",
      properties: { kind: "findings-without-repository-file", count: 1 },
    });
    expect(notes.at(-1)?.message.text).toMatch(/^1 finding left out: no file in the repository/);
  });

  it("keeps a live finding mapped to a template, with its physical and logical locations", () => {
    const mapped = auditReport();
    const live = mapped.findings[0];
    if (!live) throw new Error("no live finding");
    live.resource.origin.file = "stacks/billing.yaml";
    live.location = { file: "stacks/billing.yaml", line: 12, column: 7 };
    const audit = run(buildSarif(mapped));
    expect(audit.properties?.findingsWithoutRepositoryFile).toBe(0);
    const location = audit.results?.[0]?.locations?.[0];
    expect(location?.physicalLocation).toMatchObject({
      artifactLocation: { uri: "stacks/billing.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 12, startColumn: 7 },
    });
    expect(location?.logicalLocations?.[0]).toMatchObject({
      name: "billing-prod",
      properties: {
        account: "123456789012",
        region: "eu-west-1",
        stackName: "billing",
        stackLogicalId: "BillingCluster",
      },
    });
    assertGithubAcceptsSarif(buildSarif(mapped));
  });

  it("leaves out findings of templates read from CloudFormation (deployed/...), which are no repository file", () => {
    const report = templateReport();
    for (const f of report.findings) {
      f.resource.origin.file = `deployed/123456789012/eu-west-1/${f.resource.origin.file}`;
      if (f.location) f.location = { ...f.location, file: `deployed/123456789012/eu-west-1/${f.location.file}` };
    }
    const sarif = buildSarif(report);
    expect(run(sarif).results).toEqual([]);
    expect(run(sarif).properties?.findingsWithoutRepositoryFile).toBeGreaterThan(0);
    assertGithubAcceptsSarif(sarif);
  });

  it("sets baselineState on every result when a baseline was applied, and on none otherwise", () => {
    expect(results.every((x) => x.baselineState === undefined)).toBe(true);
    const old = report.findings[0]?.fingerprint ?? "";
    const based = run(buildSarif(applyBaseline(report, new Set([old])), { baselineApplied: true })).results ?? [];
    expect(based.find((x) => x.partialFingerprints?.[SARIF_FINGERPRINT_KEY] === old)?.baselineState).toBe("unchanged");
    expect(based.filter((x) => x.baselineState === "new")).toHaveLength(based.length - 1);
  });
});

describe("fingerprints survive moving code", () => {
  it("a finding moved 10 lines down keeps its fingerprint (real template through scanner and rules)", () => {
    const moved = LEAKY.replace("\nResources:\n", `\n${"# padding\n".repeat(10)}Resources:\n`);
    expect(moved).not.toBe(LEAKY);
    const before = run(buildSarif(reportFromTemplates({ "templates/leaky.yaml": LEAKY }, ROOT))).results ?? [];
    const after = run(buildSarif(reportFromTemplates({ "templates/leaky.yaml": moved }, ROOT))).results ?? [];
    expect(before.length).toBeGreaterThan(0);
    expect(after).toHaveLength(before.length);
    const key = (x: Sarif.Result) => x.partialFingerprints?.primaryLocationLineHash ?? "";
    const afterByKey = new Map(after.map((x) => [key(x), x]));
    for (const x of before) {
      const same = afterByKey.get(key(x));
      expect(same, x.message.text).toBeDefined();
      expect(same?.locations?.[0]?.physicalLocation?.region?.startLine).toBe(
        (x.locations?.[0]?.physicalLocation?.region?.startLine ?? 0) + 10,
      );
      expect(same?.partialFingerprints).toEqual(x.partialFingerprints);
    }
  });
});
