/**
 * The compact finding store (src/engine/finding-store.ts) against the reports held in memory: a store spilled to
 * its temporary file from the first finding writes every format byte for byte as renderReport does on the full
 * report (the golden reports, with and without a baseline), and the CLI's output step writes the same files and
 * exit code from a store as from the report.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitReport, emitStoredReport } from "../../src/commands/output.js";
import { FindingStore } from "../../src/engine/finding-store.js";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import { applyBaseline } from "../../src/reporters/baseline.js";
import { REPORT_FORMATS, renderReport, reportChunks } from "../../src/reporters/index.js";
import { auditReport, templateReport } from "../reporters/fixture.js";
import { exampleTemplates, reportFromTemplates } from "../reporters/pipeline.js";

const ENV = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/infra", GITHUB_SHA: "abc" };

function spilled(findings: readonly Finding[]): FindingStore {
  const store = new FindingStore({ holdFindings: 0 });
  store.addAll(findings);
  return store;
}

const dir = mkdtempSync(join(tmpdir(), "rdsguard-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reports: Record<string, ScanReport> = {
  examples: reportFromTemplates(exampleTemplates(), "/home/runner/work/infra/infra"),
  template: templateReport(),
  audit: auditReport(),
};

describe.each(Object.entries(reports))("a spilled store, %s report", (_name, report) => {
  it("gives back every finding as it went in, in order, one at a time and all at once", () => {
    const store = spilled(report.findings);
    expect(store.size).toBe(report.findings.length);
    expect([...store.all()]).toEqual(report.findings);
    // Records: every finding but the plain not-applicable ones, in order.
    const listed = report.findings.filter((f) => f.verdict !== "not-applicable" || f.suppression || f.baselineState);
    expect(store.recordCount).toBe(listed.length);
    for (let i = 0; i < store.recordCount; i++) expect(store.get(i)).toEqual(listed[i]);
    store.close();
  });

  it.each(REPORT_FORMATS)("%s: the same bytes as renderReport", (format) => {
    const store = spilled(report.findings);
    const options = { env: ENV, fullReport: ["r.sarif"], markdownLimit: 4096 };
    const streamed = [...reportChunks(format, { ...report, findings: [] }, store, options)].join("");
    expect(streamed).toBe(renderReport(format, report, options));
    expect(streamed.length).toBeGreaterThan(0);
    store.close();
  });

  it.each(REPORT_FORMATS)("%s with a baseline: the same bytes as applyBaseline + renderReport", (format) => {
    const open = report.findings.filter((f) => f.verdict === "fail" || f.verdict === "unknown");
    const known = new Set(open.filter((_, i) => i % 2 === 0).map((f) => f.fingerprint));
    const store = spilled(report.findings);
    store.applyBaseline(known);
    const options = { env: ENV, baselineApplied: true };
    const streamed = [...reportChunks(format, { ...report, findings: [] }, store, options)].join("");
    expect(streamed).toBe(renderReport(format, applyBaseline(report, known), options));
    store.close();
  });
});

describe("records", () => {
  it("keeps none for a plain not-applicable finding, yet counts it and gives it back in order", () => {
    const report = reports.examples as ScanReport;
    const plain = report.findings.filter((f) => f.verdict === "not-applicable");
    expect(plain.length).toBeGreaterThan(20);
    for (const hold of [0, 10, Number.POSITIVE_INFINITY]) {
      const store = new FindingStore({ holdFindings: hold });
      store.addAll(report.findings);
      expect(store.recordCount).toBe(report.findings.length - plain.length);
      const tally = store.tally();
      const naCount = Object.values(tally).reduce((n, byStatus) => n + byStatus["not-applicable"], 0);
      expect(naCount).toBe(plain.length);
      expect([...store.all()]).toEqual(report.findings);
      store.close();
    }
  });

  it("sorts on a fingerprint prefix and reads the whole fingerprint only on a tie", () => {
    const one = (reports.template as ScanReport).findings.find((f) => f.verdict === "fail") as Finding;
    const same = "ab".repeat(8);
    const fps = [`${same}${"1".repeat(48)}`, `${same}${"0".repeat(48)}`, `${"0".repeat(16)}${"f".repeat(48)}`];
    const store = new FindingStore({ holdFindings: 0 });
    for (const fingerprint of fps) store.add({ ...one, fingerprint });
    expect(store.reported().map((i) => store.fingerprint(i))).toEqual([...fps].sort());
    store.close();
  });
});

describe("the output step from a store", () => {
  it("writes the files and returns the exit code emitReport does", async () => {
    const report = reports.examples as ScanReport;
    const args = (tag: string) => ({
      format: ["json", "sarif", "junit", "markdown", "github", "compact"].map(
        (f) => `${f}=${join(dir, `${tag}.${f}`)}`,
      ),
      "fail-on": "high",
    });
    const quiet = { write: (_: string, cb?: (e?: Error | null) => void) => (cb?.(), true) };
    const io = { stdout: quiet, stderr: quiet, env: {} };
    const fromReport = await emitReport(report, args("report"), io);
    const store = spilled(report.findings);
    const fromStore = await emitStoredReport({ ...report, findings: [] }, store, args("store"), io);
    store.close();
    expect(fromStore).toBe(fromReport);
    expect(fromReport).toBe(1);
    for (const f of ["json", "sarif", "junit", "markdown", "github", "compact"]) {
      expect(readFileSync(join(dir, `store.${f}`), "utf8")).toBe(readFileSync(join(dir, `report.${f}`), "utf8"));
    }
  });

  it("writes a JSON report of 40,000 findings that reads back whole", async () => {
    const one = (reports.template as ScanReport).findings[0] as Finding;
    const store = new FindingStore({ holdFindings: 1000 });
    for (let i = 0; i < 40_000; i++) {
      store.add({ ...one, fingerprint: i.toString(16).padStart(64, "0"), resource: { ...one.resource, id: `R${i}` } });
    }
    const quiet = { write: (_: string, cb?: (e?: Error | null) => void) => (cb?.(), true) };
    const file = join(dir, "big.json");
    const head = { ...(reports.template as ScanReport), findings: [], errors: [] };
    const code = await emitStoredReport(
      head,
      store,
      { format: [`json=${file}`, "compact=/dev/null"] },
      {
        stdout: quiet,
        stderr: quiet,
        env: {},
      },
    );
    store.close();
    expect(code).toBe(one.verdict === "fail" && !one.suppression ? 1 : 0);
    const back = JSON.parse(readFileSync(file, "utf8")) as ScanReport;
    expect(back.findings).toHaveLength(40_000);
    expect(back.findings[39_999]?.resource.id).toBe("R39999");
    expect(back.findings[7]?.fingerprint).toBe((7).toString(16).padStart(64, "0"));
  }, 120_000);
});
