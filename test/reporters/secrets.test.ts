import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { emitReport, OUTPUT_OPTIONS } from "../../src/commands/output.js";
import type { ScanReport } from "../../src/engine/types.js";
import { REPORT_FORMATS, renderReport } from "../../src/reporters/index.js";
import { finding, RULES, templateReport } from "./fixture.js";
import { reportFromTemplates } from "./pipeline.js";

const SECRET = "S3cr3t-Hunter2!";
const FIXTURES = new URL("../fixtures/reporters/", import.meta.url).pathname;
const TEMPLATE = readFileSync(join(FIXTURES, "secret-template.yaml"), "utf8");

function everyRendering(report: ScanReport): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const format of REPORT_FORMATS) {
    out.push([
      format,
      renderReport(format, report, {
        env: { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "o/r", GITHUB_SHA: "abc" },
      }),
    ]);
  }
  out.push(["sarif with suppressed", renderReport("sarif", report, { sarifSuppressed: "include" })]);
  out.push(["text in colour", renderReport("text", report, { color: true })]);
  out.push(["markdown job summary", renderReport("markdown", report, { markdownLimit: 1024 * 1024 })]);
  return out;
}

describe("no report ever shows a secret from a template", () => {
  it("the fixture really contains the secret, twice", () => {
    expect(TEMPLATE.split(SECRET)).toHaveLength(3);
  });

  it("real scan of a template with MasterUserPassword: no format contains the password", () => {
    const report = reportFromTemplates({ "secret-template.yaml": TEMPLATE }, FIXTURES);
    expect(report.findings.filter((f) => f.verdict === "fail").length).toBeGreaterThan(3);
    expect(JSON.stringify(report)).not.toContain("Hunter2");
    for (const [format, text] of everyRendering(report)) {
      expect(text.length, format).toBeGreaterThan(0);
      expect(text, format).not.toContain(SECRET);
      expect(text, format).not.toContain("Hunter2");
    }
  });

  it("findings pointing at the password's line do not pull the source into any format", () => {
    const line = TEMPLATE.split("\n").findIndex((l) => l.includes(SECRET)) + 1;
    const report = templateReport({
      root: FIXTURES,
      findings: [
        finding({
          rule: RULES[0]?.id ?? "storage-encrypted",
          severity: "high",
          verdict: "fail",
          message: "StorageEncrypted is false (literal).",
          name: "LeakyCluster",
          file: "secret-template.yaml",
          at: [line, 7],
          property: "StorageEncrypted",
        }),
      ],
      errors: [{ kind: "parse", message: "example error", file: "secret-template.yaml", line, column: 27 }],
    });
    for (const [format, text] of everyRendering(report)) {
      expect(text, format).toContain("secret-template.yaml");
      expect(text, format).not.toContain("Hunter2");
    }
  });

  it("the files emitReport writes do not contain it either", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rdsguard-secret-"));
    try {
      const report = reportFromTemplates({ "secret-template.yaml": TEMPLATE }, FIXTURES);
      const argv = REPORT_FORMATS.flatMap((f) => ["--format", `${f}=${join(dir, `out.${f}`)}`]);
      const values = parseArgs({ args: [...argv, "--sarif-suppressed", "include"], options: OUTPUT_OPTIONS }).values;
      const sink = {
        write: (_s: string, cb?: (e?: Error | null) => void): boolean => {
          cb?.();
          return true;
        },
      };
      await emitReport(report, values, { stdout: sink, stderr: sink, env: {} });
      const files = readdirSync(dir);
      expect(files).toHaveLength(REPORT_FORMATS.length);
      for (const file of files) expect(readFileSync(join(dir, file), "utf8"), file).not.toContain("Hunter2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
