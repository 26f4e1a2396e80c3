/**
 * The one way a file is shown in reports (and fingerprints): relative to the report root when inside it. A name
 * that starts with two dots ("..prod.yaml") is inside; before, it was shown absolute and SARIF left its findings out.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { displayPath } from "../../src/util/display-path.js";

const root = path.join(tmpdir(), "repo");

describe("displayPath", () => {
  it("shows a file inside the root relative to it, with forward slashes", () => {
    expect(displayPath(path.join(root, "infra", "db.yaml"), root)).toBe("infra/db.yaml");
    expect(displayPath(path.join(root, "..prod.yaml"), root)).toBe("..prod.yaml");
    expect(displayPath(path.join(root, "..", "repo", "a.yaml"), root)).toBe("a.yaml");
  });

  it("shows a file outside the root, or the root itself, as given", () => {
    const outside = path.join(tmpdir(), "elsewhere", "rdsguard.yaml");
    expect(displayPath(outside, root)).toBe(outside.split(path.sep).join("/"));
    expect(displayPath(root, root)).toBe(root.split(path.sep).join("/"));
  });
});

describe("a template whose name starts with two dots", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rdsguard-dots-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is reported at its relative path in JSON and kept in SARIF", () => {
    writeFileSync(
      path.join(dir, "..prod.yaml"),
      "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n",
    );
    const cli = path.resolve(__dirname, "../../dist/cli.js");
    const sarifPath = path.join(dir, "out.sarif");
    const r = spawnSync(
      process.execPath,
      [cli, "scan", "..prod.yaml", "--format", "json", "--format", `sarif=${sarifPath}`],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: { location?: { file: string } }[] };
    expect(new Set(report.findings.map((f) => f.location?.file))).toEqual(new Set(["..prod.yaml"]));
    const sarif = JSON.parse(readFileSync(sarifPath, "utf8")) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const uris = new Set(sarif.runs[0]?.results.map((x) => x.locations[0]?.physicalLocation.artifactLocation.uri));
    expect(uris).toEqual(new Set(["..prod.yaml"]));
  });
});
