/**
 * Issue 13: every budget a template is read within ends in a located error or an unknown with its reason, quickly,
 * never in a hang or an out-of-memory. Each case ran for minutes or crashed before.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBaseline } from "../../src/reporters/baseline.js";
import { loadParameterFile, scanTemplateText } from "../../src/scanners/template/index.js";

function timed<T>(f: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = f();
  return { value, ms: performance.now() - started };
}

const resource = (condition: string, extra = "") =>
  `Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Condition: ${condition}\n    Properties:\n      Engine: postgres\n${extra}`;

describe("conditions", () => {
  it("reports a condition that refers to itself, at once, under a resource Condition", () => {
    const text = `Parameters:\n  P: {Type: String}\nConditions:\n  C: !Or [!Condition C, !Condition C, !Condition C]\n${resource("C", "      MultiAZ: !If [C, true, false]\n")}`;
    const { value, ms } = timed(() => scanTemplateText(text, "t.yaml"));
    expect(ms).toBeLessThan(2000);
    expect(value.error).toMatchObject({
      kind: "parse",
      line: 4,
      column: 3,
      message: "invalid template: conditions refer to each other in a cycle (C -> C)",
    });
  });

  it("reports a longer cycle with its members in order", () => {
    const text = `Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n${resource("A")}`;
    expect(scanTemplateText(text, "t.yaml").error?.message).toBe(
      "invalid template: conditions refer to each other in a cycle (A -> B -> A)",
    );
  });

  it("evaluates a 24-level chain of conditions under assumptions in polynomial time", () => {
    const lines = ["Parameters:", "  P: {Type: String}", "Conditions:", '  C0: !Equals [!Ref P, "x"]'];
    for (let i = 1; i <= 24; i++)
      lines.push(`  C${i}: !Or [!Condition C${i - 1}, !And [!Condition C${i - 1}, !Condition C0]]`);
    const text = `${lines.join("\n")}\n${resource("C24", "      MultiAZ: !If [C24, true, false]\n      StorageEncrypted: !If [C12, true, false]\n")}`;
    const { value, ms } = timed(() => scanTemplateText(text, "t.yaml"));
    expect(ms).toBeLessThan(2000);
    expect(value.error).toBeUndefined();
    expect(value.model?.resources.get("Db")).toMatchObject({ multiAZ: { state: "known", value: true } });
  });
});

describe("alternatives", () => {
  it("gives unknown, tag by tag with the reason, for 24 tags each chosen by its own condition (was: heap out of memory)", () => {
    const conditions = Array.from({ length: 24 }, (_, i) => `  C${i}: !Equals [!Ref P, "${i}"]`).join("\n");
    const tags = Array.from({ length: 24 }, (_, i) => `        - {Key: k${i}, Value: !If [C${i}, a, b]}`).join("\n");
    const text = `Parameters:\n  P: {Type: String}\nConditions:\n${conditions}\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      Tags:\n${tags}\n`;
    const { value, ms } = timed(() => scanTemplateText(text, "t.yaml"));
    expect(ms).toBeLessThan(3000);
    // Tags are read one by one (issue 15), so the 24 conditions never multiply: each tag is unknown on its own.
    const db = value.model?.resources.get("Db");
    expect(db?.tagsUnknown).toBeUndefined();
    expect(Object.keys(db?.unknownTags ?? {})).toHaveLength(24);
    expect(db?.unknownTags?.k7).toBe("tag k7 depends on a condition that cannot be decided");
  });

  it("gives unknown for 20 conditional Fn::Join and Fn::Sub terms (was: > 60 s)", () => {
    const conditions = Array.from({ length: 20 }, (_, i) => `  C${i}: !Equals [!Ref P, "${i}"]`).join("\n");
    const terms = Array.from({ length: 20 }, (_, i) => `!If [C${i}, !Sub "a\${P}", b]`).join(", ");
    const text = `Parameters:\n  P: {Type: String}\nConditions:\n${conditions}\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      DBInstanceClass: !Join ["", [${terms}]]\n`;
    const { value, ms } = timed(() => scanTemplateText(text, "t.yaml"));
    expect(ms).toBeLessThan(3000);
    expect(value.model?.resources.get("Db")).toMatchObject({
      dbInstanceClass: {
        state: "unknown",
        reason: "depends on conditions in more than 64 combinations (alternatives budget)",
        loc: { line: 29, column: 36 },
      },
    });
  });

  it("still lists the alternatives of a few conditions", () => {
    const text = `Parameters:\n  P: {Type: String}\nConditions:\n  A: !Equals [!Ref P, a]\n  B: !Equals [!Ref P, b]\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      DBInstanceClass: !Join ["", [!If [A, db., x], !If [B, r5.large, y]]]\n`;
    const attr = scanTemplateText(text, "t.yaml").model?.resources.get("Db") as unknown as {
      dbInstanceClass: { state: string; alternatives: unknown[] };
    };
    expect(attr.dbInstanceClass.state).toBe("conditional");
    expect(attr.dbInstanceClass.alternatives).toHaveLength(4);
  });
});

describe("size and nesting", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rdsguard-budgets-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("parses one YAML mapping with 40,000 keys in linear time (was: quadratic, about a minute)", () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `    K${i}: v`).join("\n");
    const text = `Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n  Big:\n    Type: AWS::S3::Bucket\n  Map:\n${keys}\n`;
    const { value, ms } = timed(() => scanTemplateText(text.replace("  Map:\n", "  Map:\n    Type: X\n"), "t.yaml"));
    expect(value.model?.resources.has("Db")).toBe(true);
    expect(ms).toBeLessThan(20_000);
  });

  it("still reports a duplicate key in a large YAML mapping, where it is", () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `    K${i}: v`).join("\n");
    const text = `Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n  Map:\n${keys}\n    K5: again\n`;
    expect(scanTemplateText(text, "t.yaml").error).toMatchObject({
      line: 1005,
      column: 5,
      message: "invalid YAML: Map keys must be unique",
    });
  });

  it("gives a located error for JSON nested 1,800 deep (was: unlocated 'Maximum call stack size exceeded')", () => {
    const text = `{"Resources":{"Db":{"Type":"AWS::RDS::DBInstance","Metadata":${"[".repeat(1800)}${"]".repeat(1800)}}}}`;
    expect(scanTemplateText(text, "t.json").error).toMatchObject({
      kind: "parse",
      line: 1,
      column: 315,
      message: "invalid JSON: nesting deeper than 256 levels",
    });
  });

  it("gives a located error for YAML nested 1,800 deep", () => {
    const text = `Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Metadata: ${"[".repeat(1800)}${"]".repeat(1800)}\n`;
    const error = scanTemplateText(text, "t.yaml").error;
    expect(error).toMatchObject({ kind: "parse", line: 4 });
    expect(error?.message).toBe("invalid YAML: nesting too deep for the parser");
  });

  it("gives a located error for a parameters file nested 5,000 deep (was: a crash)", () => {
    const file = path.join(dir, "params.json");
    writeFileSync(file, `{"Parameters":{"A":${"[".repeat(5000)}${"]".repeat(5000)}}}`);
    expect(loadParameterFile(file).error).toMatchObject({
      kind: "parameters",
      line: 1,
      column: 274,
      message: "invalid JSON: nesting deeper than 256 levels",
    });
  });

  it("gives a located error for a baseline nested 100,000 deep (was: a crash)", async () => {
    const file = path.join(dir, "baseline.json");
    writeFileSync(file, `{"runs":\n  ${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    expect((await loadBaseline(file)).error).toMatchObject({ line: 2, column: 258 });
    expect((await loadBaseline(file)).error?.message).toMatch(/nesting deeper than 256 levels/);
  });

  it("stops a JSON template with more values than the memory budget with a located error", () => {
    const text = `{"Resources":{"Db":{"Type":"AWS::RDS::DBInstance"}},"Big":[${"0,".repeat(2_100_000)}0]}`;
    const error = scanTemplateText(text, "t.json").error;
    expect(error).toMatchObject({ kind: "parse", line: 1 });
    expect(error?.message).toBe("invalid JSON: more than 2000000 values in one file (memory budget)");
  });

  it("keeps memory bounded on a 200 MB JSON with --max-file-size 250 (was: heap out of memory)", () => {
    const file = path.join(dir, "huge.json");
    const chunk = `${'{"a":[1,2,3],"b":"x"},'.repeat(10_000)}`;
    const fd = require("node:fs").openSync(file, "w");
    require("node:fs").writeSync(fd, '{"Resources":{"Db":{"Type":"AWS::RDS::DBInstance"}},"Big":[');
    for (let i = 0; i < 900; i++) require("node:fs").writeSync(fd, chunk);
    require("node:fs").writeSync(fd, "0]}");
    require("node:fs").closeSync(fd);
    const cli = path.resolve(__dirname, "../../dist/cli.js");
    const result = spawnSync(
      process.execPath,
      ["--max-old-space-size=1024", cli, "scan", file, "--max-file-size", "250", "--format", "json"],
      { encoding: "utf8", timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(result.status).toBe(2);
    const report = JSON.parse(result.stdout) as { errors: { kind: string; message: string; line?: number }[] };
    expect(report.errors).toMatchObject([{ kind: "parse", line: 1, message: expect.stringMatching(/memory budget/) }]);
  });
});
