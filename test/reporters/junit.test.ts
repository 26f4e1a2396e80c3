import { readFileSync } from "node:fs";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/engine/types.js";
import { applyBaseline } from "../../src/reporters/baseline.js";
import { escapeXml, renderJunit } from "../../src/reporters/junit.js";
import { auditReport, cleanReport, manyFindings, ROOT, templateReport } from "./fixture.js";
import { xsdErrors } from "./junit-tools.js";
import { exampleTemplates, reportFromTemplates } from "./pipeline.js";

const LEAKY = readFileSync(new URL("../fixtures/reporters/secret-template.yaml", import.meta.url), "utf8");

interface Case {
  "@_classname": string;
  "@_name": string;
  "@_file"?: string;
  "@_line"?: string;
  failure?: { "@_message": string; "@_type": string; "#text": string };
  skipped?: { "@_message": string };
  error?: { "@_message": string; "@_type": string; "#text": string };
}
interface ParsedSuite {
  "@_name": string;
  "@_tests": string;
  "@_failures": string;
  "@_errors": string;
  "@_skipped": string;
  "@_time": string;
  testcase?: Case[];
}

function parse(xml: string) {
  const parser = new XMLParser({
    ignoreAttributes: false,
    // Decode character references (&#10;) as an XML parser must.
    htmlEntities: true,
    isArray: (name) => name === "testsuite" || name === "testcase",
    parseAttributeValue: false,
    trimValues: false,
  });
  const doc = parser.parse(xml) as { testsuites: Record<string, string> & { testsuite: ParsedSuite[] } };
  return doc.testsuites;
}

const variants: Array<[string, () => ScanReport]> = [
  ["template report", () => templateReport()],
  ["audit report", () => auditReport()],
  ["clean report", () => cleanReport()],
  [
    "report with a baseline",
    () => applyBaseline(templateReport(), new Set([templateReport().findings[0]?.fingerprint ?? ""])),
  ],
  [
    "examples/templates/ and a leaky template through scanner and rules",
    () => reportFromTemplates({ ...exampleTemplates(), "templates/leaky.yaml": LEAKY }, ROOT),
  ],
];

describe("JUnit validates against the Jenkins junit-10 XSD extended with file/line (xmllint-wasm)", () => {
  it.each(variants)("%s", async (_name, build) => {
    expect(await xsdErrors(renderJunit(build()))).toEqual([]);
  });

  it("the XSD does reject what it should (it is not vacuous)", async () => {
    const xml = renderJunit(templateReport())
      .replace("<testsuite ", '<testsuite bogus="1" ')
      .replace(/ line="7"/, ' line="seven"');
    const errors = await xsdErrors(xml);
    expect(errors.join("\n")).toMatch(/bogus/);
    expect(errors.join("\n")).toMatch(/seven/);
  });
});

describe("JUnit content", () => {
  const report = templateReport();
  const root = parse(renderJunit(report));
  const suites = root.testsuite;

  it("has one suite per rule, then the errors suite", () => {
    expect(suites.map((s) => s["@_name"])).toEqual([...report.rules.map((r) => r.id), "rdsguard.errors"]);
  });

  it("carries counts and time on every suite and on <testsuites>, and they add up", () => {
    let tests = 0;
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    for (const s of suites) {
      const cases = s.testcase ?? [];
      expect(Number(s["@_tests"])).toBe(cases.length);
      expect(Number(s["@_failures"])).toBe(cases.filter((c) => c.failure).length);
      expect(Number(s["@_errors"])).toBe(cases.filter((c) => c.error).length);
      expect(Number(s["@_skipped"])).toBe(cases.filter((c) => c.skipped).length);
      expect(s["@_time"]).toMatch(/^\d+\.\d{3}$/);
      tests += cases.length;
      failures += Number(s["@_failures"]);
      errors += Number(s["@_errors"]);
      skipped += Number(s["@_skipped"]);
    }
    expect(root["@_tests"]).toBe(String(tests));
    expect(root["@_failures"]).toBe(String(failures));
    expect(root["@_errors"]).toBe(String(errors));
    expect(root["@_skipped"]).toBe(String(skipped));
    expect(root["@_time"]).toBe("1.234");
    // One case per judged finding (not-applicable omitted) plus one per scan error.
    expect(tests).toBe(report.findings.filter((f) => f.verdict !== "not-applicable").length + report.errors.length);
  });

  it("gives every test case a unique classname + name, and file and line", () => {
    const all = suites.flatMap((s) => s.testcase ?? []);
    const keys = all.map((c) => `${c["@_classname"]}\u0000${c["@_name"]}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of all) {
      expect(c["@_file"]).toBeDefined();
      expect(Number(c["@_line"])).toBeGreaterThan(0);
    }
  });

  it("writes failures with the message and a body saying what to change", () => {
    const encrypted = suites.find((s) => s["@_name"] === "storage-encrypted")?.testcase ?? [];
    const orders = encrypted.find((c) => c["@_classname"] === "templates/aurora.yaml.OrdersCluster");
    expect(orders?.["@_name"]).toBe("[HIGH][storage-encrypted] Storage is encrypted at rest - StorageEncrypted");
    expect(orders?.["@_file"]).toBe("templates/aurora.yaml");
    expect(orders?.["@_line"]).toBe("42");
    expect(orders?.failure?.["@_message"]).toBe("DB cluster OrdersCluster: StorageEncrypted is false (literal).");
    expect(orders?.failure?.["@_type"]).toBe("high");
    expect(orders?.failure?.["#text"]).toContain("What to change: Set the property that storage-encrypted checks.");
    expect(orders?.failure?.["#text"]).toContain("    Type: AWS::RDS::DBCluster");
    expect(orders?.failure?.["#text"]).toContain("Where:    templates/aurora.yaml:42:7");
  });

  it("skips suppressed findings with the reason and undetermined ones with why", () => {
    const iam = suites.find((s) => s["@_name"] === "iam-auth")?.testcase ?? [];
    const suppressed = iam.find((c) => c["@_classname"].endsWith("ReportsCluster"));
    expect(suppressed?.skipped?.["@_message"]).toMatch(
      /^suppressed by policy waiver until 2099-01-31: Reports use password auth until Q3/,
    );
    const unknown = iam.find((c) => c["@_classname"].endsWith("LegacyDb"));
    expect(unknown?.skipped?.["@_message"]).toMatch(
      /^could not be determined: .*parameter IamAuth, which has no default/,
    );
  });

  it("writes passing findings as plain test cases and omits not-applicable ones", () => {
    const encrypted = suites.find((s) => s["@_name"] === "storage-encrypted")?.testcase ?? [];
    const pass = encrypted.find((c) => c["@_classname"].endsWith("ReportsCluster"));
    expect(pass).toBeDefined();
    expect(pass?.failure ?? pass?.skipped ?? pass?.error).toBeUndefined();
    const deletion = suites.find((s) => s["@_name"] === "deletion-protection")?.testcase ?? [];
    expect(deletion.some((c) => c["@_classname"].endsWith("OrdersWriter"))).toBe(false);
  });

  it("reports scan errors as <error> test cases in rdsguard.errors", () => {
    const errors = suites.find((s) => s["@_name"] === "rdsguard.errors")?.testcase ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error?.["@_type"]).toBe("parse");
    expect(errors[0]?.error?.["@_message"]).toBe("unexpected end of the stream within a flow collection");
    expect(errors[0]?.["@_file"]).toBe("templates/broken.yaml");
    expect(errors[0]?.["@_line"]).toBe("3");
    const audit = parse(renderJunit(auditReport())).testsuite.find((s) => s["@_name"] === "rdsguard.errors");
    expect(audit?.testcase?.[0]?.["@_name"]).toBe("aws error at 210987654321/us-east-1");
  });

  it("skips findings that are already in the baseline: they do not fail the gate", () => {
    const old = report.findings[0]?.fingerprint ?? "";
    const based = parse(renderJunit(applyBaseline(report, new Set([old]))));
    const encrypted = based.testsuite.find((s) => s["@_name"] === "storage-encrypted")?.testcase ?? [];
    const orders = encrypted.find((c) => c["@_classname"] === "templates/aurora.yaml.OrdersCluster");
    expect(orders?.failure).toBeUndefined();
    expect(orders?.skipped?.["@_message"]).toMatch(/^in the baseline, not new/);
  });

  it("escapes markup, keeps newlines in attributes, and round-trips odd text", () => {
    const odd = report.findings.find((f) => f.resource.name === "Odd,Name:50%");
    const cases = suites.flatMap((s) => s.testcase ?? []);
    const c = cases.find((x) => x["@_classname"] === "cdk.out/App Stack.template.json.Odd,Name:50%");
    expect(c?.failure?.["@_message"]).toBe(
      `DB cluster Odd,Name:50% (App/Stack/Odd,Name:50%/Resource): ${odd?.message}`,
    );
    expect(c?.failure?.["@_message"]).toContain("\nsecond line.");
  });

  it("numbers repeated classname + name pairs instead of emitting duplicates", () => {
    const many = manyFindings(3).map((f) => ({
      ...f,
      ruleId: "storage-encrypted",
      resource: { ...f.resource, name: "Same" },
    }));
    for (const f of many) {
      f.location = { file: "a.yaml", line: 1, column: 1 };
      f.resource.origin = { ...f.resource.origin, file: "a.yaml" };
      f.severity = "high";
    }
    const cases = parse(renderJunit(templateReport({ findings: many, errors: [] }))).testsuite.flatMap(
      (s) => s.testcase ?? [],
    );
    expect(cases.map((x) => x["@_name"])).toEqual([
      "[HIGH][storage-encrypted] Storage is encrypted at rest - StorageEncrypted",
      "[HIGH][storage-encrypted] Storage is encrypted at rest - StorageEncrypted (#2)",
      "[HIGH][storage-encrypted] Storage is encrypted at rest - StorageEncrypted (#3)",
    ]);
  });

  it("tells a real repeat from two different pairs whose hashes collide", () => {
    // "a.yaml.Dbegxz" and "a.yaml.Db1cl8d" have the same FNV-1a state, so every pair that starts with them collides.
    const names = ["Dbegxz", "Db1cl8d", "Dbegxz", "Db1cl8d", "Dbegxz"];
    const many = manyFindings(names.length).map((f, i) => ({
      ...f,
      ruleId: "storage-encrypted",
      resource: { ...f.resource, name: names[i] as string },
      location: { file: "a.yaml", line: 1, column: 1 },
      severity: "high" as const,
    }));
    for (const f of many) f.resource.origin = { ...f.resource.origin, file: "a.yaml" };
    const cases = parse(renderJunit(templateReport({ findings: many, errors: [] }))).testsuite.flatMap(
      (s) => s.testcase ?? [],
    );
    const title = "[HIGH][storage-encrypted] Storage is encrypted at rest - StorageEncrypted";
    const byResource = (name: string) =>
      cases.filter((x) => x["@_classname"] === `a.yaml.${name}`).map((x) => x["@_name"]);
    expect(byResource("Dbegxz")).toEqual([title, `${title} (#2)`, `${title} (#3)`]);
    expect(byResource("Db1cl8d")).toEqual([title, `${title} (#2)`]);
    expect(new Set(cases.map((x) => `${x["@_classname"]} ${x["@_name"]}`)).size).toBe(names.length);
  });
});

describe("escapeXml", () => {
  it("escapes the five markup characters", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  });

  it("keeps tab and newline in text but encodes them in attributes; always encodes CR", () => {
    expect(escapeXml("a\tb\nc\rd")).toBe("a\tb\nc&#13;d");
    expect(escapeXml("a\tb\nc\rd", true)).toBe("a&#9;b&#10;c&#13;d");
  });

  it("replaces characters XML 1.0 cannot carry", () => {
    expect(escapeXml("bell\u0007 nul\u0000 lone\uD800 ok\u{1F600}")).toBe(
      "bell\uFFFD nul\uFFFD lone\uFFFD ok\u{1F600}",
    );
  });

  it("produces documents a parser reads back to the original text", () => {
    const nasty = "x < y && \"q\" 'r' \t\n tab\u0001end";
    const xml = `<r a="${escapeXml(nasty, true)}">${escapeXml(nasty)}</r>`;
    const parsed = new XMLParser({ ignoreAttributes: false, htmlEntities: true, trimValues: false }).parse(xml) as {
      r: { "@_a": string; "#text": string };
    };
    expect(parsed.r["@_a"]).toBe(nasty.replace("\u0001", "\uFFFD"));
    expect(parsed.r["#text"]).toBe(nasty.replace("\u0001", "\uFFFD"));
  });
});
