/**
 * What a pull request controls must not take over the output: control characters in logical ids and file names
 * never reach text, markdown or github output raw (no forged `::error` workflow command, no ANSI escape); a NoEcho
 * parameter's value is never quoted, from its default or from --parameter; quoted values are cut to a bounded
 * length. Real scans through the template scanner, the engine and every reporter.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Judge } from "../../src/engine/report.js";
import type { ScanReport } from "../../src/engine/types.js";
import { emptyPolicy } from "../../src/policy/load.js";
import { escapeControlCharacters, findingForDisplay } from "../../src/reporters/control-characters.js";
import { REPORT_FORMATS, renderReport } from "../../src/reporters/index.js";
import { allRules } from "../../src/rules/index.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

const NOW = new Date("2026-11-30T00:00:00Z");

function report(text: string, file: string, parameters: Record<string, string> = {}): ScanReport {
  const judge = new Judge({ policy: emptyPolicy(), rules: allRules, strict: false, now: NOW });
  const scanned = scanTemplateText(text, file, { parameters });
  if (scanned.error) judge.errors.push(scanned.error);
  if (scanned.model) judge.judge(scanned.model);
  return judge.report({ kind: "template", startedAt: NOW, root: "/repo" }, { filesScanned: 1 });
}

function renderAll(r: ScanReport): [string, string][] {
  return REPORT_FORMATS.map((format) => [format, renderReport(format, r, { color: false })]);
}

const FORGED = "Db\n::error file=README.md,line=1::forged annotation\u001b[2J\u001b]8;;http://x\u0007\u202e";
const EVIL_FILE = "templates/evil\r\n::warning::name\u001b[31m.json";

describe("control characters in logical ids and file names", () => {
  const text = JSON.stringify({
    Resources: { [FORGED]: { Type: "AWS::RDS::DBInstance", Properties: { Engine: "postgres" } } },
  });
  const r = report(text, EVIL_FILE);

  it("the scan really carries them (the test would catch a raw one)", () => {
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings[0]?.resource.name).toBe(FORGED);
  });

  for (const format of ["text", "compact", "markdown", "github"] as const) {
    it(`${format}: no raw control character, no line that GitHub reads as a forged command`, () => {
      const out = renderReport(format, r, { color: false });
      expect(out).toContain("forged annotation");
      // Only \n between lines (and none inside a field); no ESC, BEL, CR, bidi override.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for raw control characters is the test.
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      for (const line of out.split("\n")) {
        expect(line.trimStart().startsWith("::error file=README.md")).toBe(false);
        expect(line.trimStart().startsWith("::warning::name")).toBe(false);
      }
      expect(out).toContain("\\n::error file=README.md");
      expect(out).toContain("\\x1b[2J");
    });
  }

  it("a file whose name starts a workflow command cannot start a line of the text or compact view", () => {
    const named = report(
      JSON.stringify({ Resources: { Db: { Type: "AWS::RDS::DBInstance", Properties: { Engine: "postgres" } } } }),
      "::error file=README.md,line=1::forged.json",
    );
    for (const format of ["text", "compact"] as const) {
      const out = renderReport(format, named, { color: false });
      expect(out).toContain("./::error file=README.md,line=1::forged.json:");
      for (const line of out.split("\n")) expect(line.trimStart().startsWith("::")).toBe(false);
    }
  });

  it("text in colour: the only escapes are rdsguard's own colours", () => {
    const out = renderReport("text", r, { color: true });
    expect(out).not.toContain("\u001b[2J");
    expect(out).not.toContain("\u001b]8;;");
  });

  it("machine formats keep the data exact (JSON)", () => {
    const json = JSON.parse(renderReport("json", r)) as ScanReport;
    expect(json.findings[0]?.resource.name).toBe(FORGED);
  });

  it("escaping for display copies what it changes and leaves the finding itself exact", () => {
    const finding = r.findings.find((f) => f.resource.name === FORGED);
    if (!finding) throw new Error("no finding on the forged resource");
    const before = JSON.stringify(finding);
    const shown = findingForDisplay(finding);
    expect(shown.resource.name).toBe(escapeControlCharacters(FORGED));
    expect(JSON.stringify(finding)).toBe(before);
    // A human-readable format rendered first does not change what the JSON report then says.
    renderReport("text", r, { color: false });
    expect((JSON.parse(renderReport("json", r)) as ScanReport).findings).toEqual(r.findings);
    expect(r.findings.some((f) => f.resource.name === FORGED)).toBe(true);
    // Nothing to escape: the finding is shown as it is, not copied.
    const plain = { ...finding, message: "m", resource: { ...finding.resource, id: "Db", name: "Db" } };
    plain.resource.origin = { ...plain.resource.origin, file: "a.yaml", logicalId: "Db" };
    if (plain.location) plain.location = { ...plain.location, file: "a.yaml" };
    expect(findingForDisplay(plain)).toBe(plain);
  });

  it("escapeControlCharacters writes each one visibly", () => {
    expect(escapeControlCharacters("a\nb\rc\td\u001be\u009bf\u2028g\u202eh")).toBe(
      "a\\nb\\rc\\td\\x1be\\x9bf\\u2028g\\u202eh",
    );
    expect(escapeControlCharacters("line one\nline two", true)).toBe("line one\nline two");
  });
});

describe("NoEcho parameter values are never quoted", () => {
  const SECRET = "Sentinel-NoEcho-4242";
  const template = (def: string | undefined) =>
    JSON.stringify({
      Parameters: {
        DbPassword: { Type: "String", NoEcho: true, ...(def !== undefined ? { Default: def } : {}) },
        Flag: { Type: "String", NoEcho: "true", Default: "Sentinel-Flag-99" },
      },
      Resources: {
        Db: {
          Type: "AWS::RDS::DBInstance",
          Properties: {
            Engine: "postgres",
            StorageEncrypted: { Ref: "Flag" },
            DBInstanceClass: { Ref: "DbPassword" },
            MasterUserPassword: { Ref: "DbPassword" },
            Tags: [{ Key: "owner", Value: { Ref: "DbPassword" } }],
          },
        },
      },
    });

  it("from the parameter's Default: in no format, with the parameter named instead", () => {
    const r = report(template(SECRET), "t.json");
    for (const [format, out] of renderAll(r)) {
      expect(out, format).not.toContain(SECRET);
      expect(out, format).not.toContain("Sentinel-Flag-99");
    }
    const storage = r.findings.find((f) => f.ruleId === "storage-encrypted");
    expect(storage?.message).toContain("value of NoEcho parameter Flag");
  });

  it("from --parameter: in no format", () => {
    const given = "Given-Secret-Value-5150";
    const r = report(template(undefined), "t.json", { DbPassword: given, Flag: "Given-Flag-6161" });
    for (const [format, out] of renderAll(r)) {
      expect(out, format).not.toContain(given);
      expect(out, format).not.toContain("Given-Flag-6161");
    }
    expect(JSON.stringify(r)).toContain("value of NoEcho parameter");
  });
});

describe("quoted values are cut", () => {
  it("a 1 MB property value makes a small report, saying how long the value was", () => {
    const big = "x".repeat(1_000_000);
    const text = JSON.stringify({
      Resources: { Db: { Type: "AWS::RDS::DBInstance", Properties: { Engine: "postgres", DBInstanceClass: big } } },
    });
    const r = report(text, "big.json");
    for (const [format, out] of renderAll(r)) expect(out.length, format).toBeLessThan(200_000);
    const quoted = r.findings.find((f) => f.message.includes("xxxxxxxx"));
    expect(quoted?.message).toContain("… (1,000,000 characters, cut)");
  });
});

describe("a malformed --parameter flag", () => {
  it("is a usage error that does not echo the flag", () => {
    const repo = path.resolve(__dirname, "../..");
    for (const flag of ["=Hunter2-Secret", "Hunter2-Secret"]) {
      const r = spawnSync(
        process.execPath,
        [path.join(repo, "dist/cli.js"), "scan", "--parameter", flag, "examples/templates"],
        {
          cwd: repo,
          encoding: "utf8",
        },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("--parameter takes KEY=VALUE");
      expect(r.stderr + r.stdout).not.toContain("Hunter2");
    }
  });
});
