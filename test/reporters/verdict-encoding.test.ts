/**
 * An undetermined finding must not look like a low-severity failure in any machine-read format: SARIF says it in
 * `kind`/`level`, JUnit as a skipped test case, GitHub annotations in the title. Checked on every SARIF the suite
 * produces or keeps: the hand-built and real reports of the reporter tests, every .sarif file under test/fixtures,
 * and the CLI over every fixture template (with and without --strict, which makes unknowns failures).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { applyBaseline } from "../../src/reporters/baseline.js";
import { renderGithub } from "../../src/reporters/github.js";
import { renderJunit } from "../../src/reporters/junit.js";
import { renderSarif } from "../../src/reporters/sarif.js";
import { auditReport, templateReport } from "./fixture.js";
import { exampleTemplates, reportFromTemplates } from "./pipeline.js";
import { sarifVerdictIssues } from "./sarif-tools.js";

const repo = path.resolve(__dirname, "../..");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-verdicts-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p, ending) : p.endsWith(ending) ? [p] : [];
  });
}

/** `rdsguard scan test/fixtures ... --format sarif=FILE`, the SARIF text. */
function cliSarif(extra: string[]): string {
  const out = path.join(tmp, `r${Math.random().toString(36).slice(2)}.sarif`);
  const r = spawnSync(
    process.execPath,
    [
      path.join(repo, "dist/cli.js"),
      "scan",
      "test/fixtures",
      "--now",
      "2026-06-01",
      ...extra,
      "--format",
      `sarif=${out}`,
    ],
    { cwd: repo, encoding: "utf8" },
  );
  expect([1, 2]).toContain(r.status);
  return readFileSync(out, "utf8");
}

const template = templateReport();
const sources: Record<string, () => string> = {
  "hand-built template report": () => renderSarif(template),
  "hand-built template report, suppressed included": () => renderSarif(template, { suppressed: "include" }),
  "hand-built audit report": () => renderSarif(auditReport()),
  "baselined template report": () =>
    renderSarif(applyBaseline(template, new Set([template.findings[0]?.fingerprint ?? ""]))),
  "shipped examples, scanned for real": () =>
    renderSarif(reportFromTemplates(exampleTemplates(), "/home/runner/work/infra/infra")),
  "CLI over every fixture template": () => cliSarif([]),
  "CLI over every fixture template, --strict": () => cliSarif(["--strict"]),
  ...Object.fromEntries(
    filesUnder(path.join(repo, "test/fixtures"), ".sarif").map((f) => [
      `stored ${path.relative(repo, f)}`,
      () => readFileSync(f, "utf8"),
    ]),
  ),
};

describe("SARIF keeps unknown and low-severity failures apart", () => {
  const seen = { unknowns: 0, lowFailures: 0 };

  it.each(Object.keys(sources))("%s", (name) => {
    const { issues, unknowns, lowFailures } = sarifVerdictIssues((sources[name] as () => string)());
    expect(issues).toEqual([]);
    seen.unknowns += unknowns;
    seen.lowFailures += lowFailures;
    if (name.endsWith("--strict")) expect(unknowns).toBe(0);
  });

  it("saw both kinds of result, so the check above is not vacuous", () => {
    expect(seen.unknowns).toBeGreaterThan(0);
    expect(seen.lowFailures).toBeGreaterThan(0);
  });

  it("would flag an unknown written as a note, or a failure written as a review", () => {
    const log = JSON.parse(renderSarif(template)) as { runs: { results: Record<string, unknown>[] }[] };
    for (const r of log.runs[0]?.results ?? []) {
      const props = r.properties as { verdict: string };
      if (props.verdict === "unknown") Object.assign(r, { kind: undefined, level: "note" });
      else Object.assign(r, { kind: "review" });
    }
    const { issues } = sarifVerdictIssues(JSON.stringify(log));
    expect(issues.length).toBe(log.runs[0]?.results.length);
  });
});

describe("JUnit and GitHub annotations keep them apart too", () => {
  const unknown = template.findings.find((f) => f.verdict === "unknown" && !f.suppression);
  const lowFail = template.findings.find((f) => f.verdict === "fail" && f.severity === "low" && !f.suppression);

  it("has an unknown and a low-severity failure to compare", () => {
    expect(unknown).toBeDefined();
    expect(lowFail).toBeDefined();
  });

  it("JUnit: the unknown is a skipped test case, the low-severity failure a failure", () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", isArray: (n) => n === "testcase" });
    const doc = xml.parse(renderJunit(template)) as {
      testsuites: { testsuite: { testcase?: Record<string, unknown>[] }[] | { testcase?: Record<string, unknown>[] } };
    };
    const suites = Array.isArray(doc.testsuites.testsuite) ? doc.testsuites.testsuite : [doc.testsuites.testsuite];
    const cases = suites.flatMap((s) => s.testcase ?? []);
    const named = (name: string) => cases.filter((c) => String(c["@_classname"]).endsWith(`.${name}`));
    const u = named(unknown?.resource.name ?? "?").find((c) => c.skipped !== undefined);
    const l = named(lowFail?.resource.name ?? "?").find((c) => c.failure !== undefined);
    expect(u?.failure).toBeUndefined();
    expect(l?.skipped).toBeUndefined();
    expect(l?.failure).toBeDefined();
  });

  it("GitHub: the unknown's title says it could not be determined, the failure's names its severity", () => {
    const lines = renderGithub(template).split("\n");
    const u = lines.find((l) => l.includes(`rdsguard ${unknown?.ruleId} (could not be determined)`));
    const l = lines.find((x) => x.includes(`rdsguard ${lowFail?.ruleId} (low)`));
    expect(u).toMatch(/^::notice /);
    expect(l).toMatch(/^::notice /);
    expect(u).not.toContain("(low)");
  });
});
