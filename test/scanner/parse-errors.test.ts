import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discoverFiles, scanTemplateFile, scanTemplateText } from "../../src/scanners/template/index.js";

const header = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n';

function errorOf(text: string) {
  return scanTemplateText(text, "t.yaml").error;
}

describe("templates that do not parse", () => {
  it("reports bad indentation with line and column", () => {
    const text = `${header}  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n     MultiAZ: true\n`;
    expect(errorOf(text)).toMatchObject({ kind: "parse", file: "t.yaml", line: 7 });
    expect(errorOf(text)?.message).toMatch(/^invalid YAML: /);
  });

  it("reports a duplicate key at the second occurrence, in YAML and JSON", () => {
    const yaml = `${header}  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MultiAZ: true\n      MultiAZ: false\n`;
    expect(errorOf(yaml)).toMatchObject({ line: 7, column: 7 });
    expect(errorOf(yaml)?.message).toContain("unique");
    const json =
      '{\n  "Resources": {\n    "Db": {\n      "Type": "AWS::RDS::DBInstance",\n      "Type": "AWS::RDS::DBCluster"\n    }\n  }\n}\n';
    expect(scanTemplateText(json, "t.json").error).toMatchObject({
      kind: "parse",
      line: 5,
      column: 7,
      message: 'duplicate key "Type"',
    });
  });

  it("reads a key written with no value as null, in flow and block style", () => {
    const text = `${header}  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: postgres, MultiAZ}\n    Metadata:\n`;
    const result = scanTemplateText(text, "t.yaml");
    expect(result.error).toBeUndefined();
    expect(result.model?.resources.get("Db")).toMatchObject({ multiAZ: { state: "unknown" } });
  });

  it("reports an unknown tag where it is written", () => {
    const text = `${header}  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: !Refs Engine\n`;
    expect(errorOf(text)).toMatchObject({ line: 6, column: 15, message: "unknown tag !Refs" });
  });

  it("stops a YAML alias bomb quickly instead of expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const text = `${header}  Db:\n    Type: AWS::RDS::DBInstance\nBomb:\n${levels.map((l) => `  ${l}`).join("\n")}\n`;
    const started = Date.now();
    const error = errorOf(text);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error?.message).toMatch(/alias bomb/);
    expect(error?.line).toBeGreaterThan(1);
  });

  it("reports invalid JSON with the position of the problem", () => {
    const json = '{\n  "Resources": {\n    "Db": {\n      "Type": "AWS::RDS::DBInstance",\n    }\n  }\n}\n';
    expect(scanTemplateText(json, "t.json").error).toMatchObject({ kind: "parse", line: 5, column: 5 });
  });

  it("reports what CloudFormation would reject, and still judges what it can read", () => {
    const undefinedCondition = `${header}  Db:\n    Type: AWS::RDS::DBInstance\n    Condition: IsProd\n    Properties:\n      Engine: mysql\n`;
    const r1 = scanTemplateText(undefinedCondition, "t.yaml");
    expect(r1.error).toMatchObject({
      kind: "parse",
      line: 5,
      column: 16,
      message: "invalid template: Db has Condition IsProd, which Conditions does not define",
    });
    expect(r1.model?.resources.has("Db")).toBe(true);
    const list = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  - Type: AWS::RDS::DBInstance\n';
    expect(scanTemplateText(list, "t.yaml").error).toMatchObject({
      line: 3,
      column: 3,
      message: "invalid template: Resources must be a mapping of logical ids to resources",
    });
    const props = `${header}  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: hello\n`;
    expect(scanTemplateText(props, "t.yaml").error).toMatchObject({
      line: 5,
      column: 17,
      message: "invalid template: Properties of Db must be a mapping",
    });
  });

  it("does not report files that are not templates, even with an RDS type in them", () => {
    expect(scanTemplateText("# Notes\nWe use `AWS::RDS::DBCluster`: see *this* [link", "notes.txt")).toEqual({
      file: "notes.txt",
    });
  });
});

describe("files on disk", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rdsguard-parse-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports a 50 MB template as too large without reading it into memory", async () => {
    const big = path.join(dir, "huge.yaml");
    const fd = openSync(big, "w");
    writeSync(fd, `${header}  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Description: |\n`);
    const line = `        ${"x".repeat(1000)}\n`.repeat(1024);
    for (let i = 0; i < 52; i++) writeSync(fd, line);
    closeSync(fd);
    const before = process.memoryUsage().rss;
    const result = await scanTemplateFile(big, dir);
    expect(result.error).toMatchObject({ kind: "too-large", file: "huge.yaml", line: 1, column: 1 });
    expect(result.error?.message).toMatch(/^file is 5\d\.\d MB, over the 10\.0 MB limit/);
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it("reads UTF-16 templates (with a byte-order mark) like UTF-8 ones", async () => {
    const text = `${header}  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n`;
    const le = path.join(dir, "utf16le.yaml");
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const be = path.join(dir, "utf16be.yaml");
    writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]));
    for (const file of [le, be]) {
      const result = await scanTemplateFile(file, dir);
      expect(result.error).toBeUndefined();
      expect([...(result.model?.resources.keys() ?? [])]).toEqual(["Db"]);
    }
  });

  it("walks directories, skipping node_modules, .git and cdk.out, and accepts globs", async () => {
    for (const rel of ["a.yaml", "sub/b.json", "node_modules/x.yaml", ".git/y.yaml", "cdk.out/z.json", "img.png"]) {
      const full = path.join(dir, "tree", rel);
      await import("node:fs/promises").then((fs) => fs.mkdir(path.dirname(full), { recursive: true }));
      writeFileSync(full, "x: 1\n");
    }
    const walked = await discoverFiles(["tree"], dir);
    expect(walked.files.map((f) => path.relative(dir, f).split(path.sep).join("/"))).toEqual([
      "tree/a.yaml",
      "tree/sub/b.json",
    ]);
    const globbed = await discoverFiles(["tree/**/*.json"], dir);
    expect(globbed.files.map((f) => path.basename(f))).toEqual(["b.json"]);
    // Symbolic links are followed; a link cycle does not loop.
    await import("node:fs/promises").then(async (fs) => {
      await fs.mkdir(path.join(dir, "links"), { recursive: true });
      await fs.symlink(path.join(dir, "tree", "a.yaml"), path.join(dir, "links", "linked.yaml"));
      await fs.symlink(path.join(dir, "tree", "sub"), path.join(dir, "links", "linked-dir"));
      await fs.symlink(path.join(dir, "links"), path.join(dir, "links", "loop"));
    });
    const linked = await discoverFiles(["links"], dir);
    expect(linked.errors).toEqual([]);
    expect(linked.files.map((f) => path.relative(dir, f).split(path.sep).join("/"))).toEqual([
      "links/linked-dir/b.json",
      "links/linked.yaml",
    ]);
    const missing = await discoverFiles(["nope.yaml"], dir);
    expect(missing.errors).toEqual([
      { kind: "io", file: "nope.yaml", message: "no such file or directory: nope.yaml" },
    ]);
  });
});
