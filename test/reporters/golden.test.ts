/**
 * Golden files for every format on the shipped examples (scanned for real) and on hand-built reports
 * (test/reporters/fixture.ts). A change in any output shows
 * up as a diff under test/fixtures/reporters/golden/; review it, then refresh with `npx vitest run -u test/reporters`.
 */
import { describe, expect, it } from "vitest";
import { applyBaseline } from "../../src/reporters/baseline.js";
import { REPORT_FORMATS, type ReportFormat, renderReport } from "../../src/reporters/index.js";
import { assertGithubAcceptsSarif } from "../support/github-sarif.js";
import { auditReport, templateReport } from "./fixture.js";
import { exampleTemplates, reportFromTemplates } from "./pipeline.js";

const EXTENSION: Record<ReportFormat, string> = {
  text: "txt",
  compact: "compact.txt",
  json: "json",
  sarif: "sarif",
  junit: "xml",
  markdown: "md",
  github: "github.txt",
};

const ENV = {
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "acme/infra",
  GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
  GITHUB_RUN_ID: "42",
};

const reports = {
  // The shipped examples through the real scanner, rules and engine.
  examples: reportFromTemplates(exampleTemplates(), "/home/runner/work/infra/infra"),
  template: templateReport(),
  audit: auditReport(),
  "template-baseline": applyBaseline(templateReport(), new Set([templateReport().findings[0]?.fingerprint ?? ""])),
};

describe.each(Object.entries(reports))("golden %s report", (name, report) => {
  it.each(REPORT_FORMATS)("%s", async (format) => {
    const text = renderReport(format, report, {
      env: ENV,
      fullReport: ["rdsguard.sarif"],
      baselineApplied: name.endsWith("baseline"),
    });
    // Fixture paths name no real files: every rule but the file's existence applies.
    if (format === "sarif") assertGithubAcceptsSarif(text);
    await expect(text).toMatchFileSnapshot(`../fixtures/reporters/golden/${name}.${EXTENSION[format]}`);
  });
});
