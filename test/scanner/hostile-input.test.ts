/**
 * Issue 13, template input: nothing that was not judged passes silently. Each case failed (exit 0, no error) before.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discoverFiles, scanTemplateFile, scanTemplateText } from "../../src/scanners/template/index.js";

const DB = '{"Resources":{"Db":{"Type":"AWS::RDS::DBInstance","Properties":{"Engine":"postgres"}}}}';

describe("one-line JSON with an error is reported, not skipped", () => {
  it("reports a trailing comma where it is", () => {
    const text = '{"Resources":{"Db":{"Type":"AWS::RDS::DBInstance","Properties":{"Engine":"postgres",}}}}';
    expect(scanTemplateText(text, "t.json").error).toMatchObject({
      kind: "parse",
      line: 1,
      column: 85,
      message: "invalid JSON: property name expected",
    });
  });

  it("reports a duplicate key at the second occurrence", () => {
    const text = '{"Resources":{"Db":{"Type":"AWS::RDS::DBInstance","Type":"AWS::RDS::DBCluster"}}}';
    expect(scanTemplateText(text, "t.json").error).toMatchObject({
      kind: "parse",
      line: 1,
      column: 51,
      message: 'duplicate key "Type"',
    });
  });

  it("reports a comment in JSON as a JSON error, not a YAML reading", () => {
    const text = '{ // generated\n"Resources":{"Db":{"Type":"AWS::RDS::DBInstance"}}}';
    expect(scanTemplateText(text, "t.json").error).toMatchObject({ kind: "parse", line: 1, column: 3 });
    expect(scanTemplateText(text, "t.json").error?.message).toMatch(/^invalid JSON: /);
  });

  it("reports a truncated file", () => {
    const text = DB.slice(0, 60);
    expect(scanTemplateText(text, "t.json").error).toMatchObject({ kind: "parse", line: 1 });
    expect(scanTemplateText(text, "t.json").error?.message).toMatch(/^invalid JSON: /);
  });
});

describe("a body starting with { that is not JSON is YAML in flow style", () => {
  it("reads a one-line flow-style template", () => {
    const text = "{Resources: {Db: {Type: AWS::RDS::DBInstance, Properties: {Engine: postgres, MultiAZ: true}}}}";
    const result = scanTemplateText(text, "t.yaml");
    expect(result.error).toBeUndefined();
    expect(result.model?.resources.get("Db")).toMatchObject({ multiAZ: { state: "known", value: true } });
  });

  it("reads it on two lines too (was: invalid JSON)", () => {
    const text = "{Resources: {Db: {Type: AWS::RDS::DBInstance,\n  Properties: {Engine: postgres, MultiAZ: false}}}}";
    const result = scanTemplateText(text, "t.yaml");
    expect(result.error).toBeUndefined();
    expect(result.model?.resources.get("Db")).toMatchObject({
      multiAZ: { state: "known", value: false, loc: { line: 2, column: 43 } },
    });
  });
});

describe("CloudFormation's YAML: no merge keys, no tags beyond the core ones", () => {
  const header = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n";
  it("rejects a merge key where it is written", () => {
    const text = `${header}    Properties:\n      Engine: postgres\n      <<: {StorageEncrypted: true}\n`;
    expect(scanTemplateText(text, "t.yaml").error).toMatchObject({
      kind: "parse",
      line: 6,
      column: 7,
      message: "YAML merge keys (<<) are not supported by CloudFormation",
    });
  });

  it("keeps a quoted '<<' as an ordinary key", () => {
    const text = `${header}    Properties:\n      Engine: postgres\n      "<<": x\n`;
    expect(scanTemplateText(text, "t.yaml").error).toBeUndefined();
  });

  it("rejects !!python/object, !!binary and !!set, and reads !!str and !!bool", () => {
    for (const [tag, column] of [
      ["!!python/object:os.system", 25],
      ["!!binary", 25],
      ["!!set", 25],
    ] as const) {
      const text = `${header}    Properties:\n      StorageEncrypted: ${tag} x\n`;
      const error = scanTemplateText(text, "t.yaml").error;
      expect(error).toMatchObject({ kind: "parse", line: 5, column });
      expect(error?.message).toMatch(/^tag !!\S+ is not supported by CloudFormation$/);
    }
    const ok = `${header}    Properties:\n      StorageEncrypted: !!bool "true"\n      Engine: !!str postgres\n`;
    const result = scanTemplateText(ok, "t.yaml");
    expect(result.error).toBeUndefined();
    expect(result.model?.resources.get("Db")).toMatchObject({ storageEncrypted: { state: "known", value: true } });
  });
});

describe("Fn::ForEach (AWS::LanguageExtensions)", () => {
  const loop = (collection: string) =>
    [
      "Transform: AWS::LanguageExtensions",
      "Parameters:",
      "  Names: {Type: CommaDelimitedList}",
      "Resources:",
      "  Fn::ForEach::Databases:",
      "    - Name",
      `    - ${collection}`,
      "    - Db${Name}:",
      "        Type: AWS::RDS::DBInstance",
      "        Properties:",
      "          Engine: postgres",
      "          StorageEncrypted: false",
      "          DBInstanceIdentifier: !Sub db-${Name}",
      "          DBName: !Ref Name",
      "",
    ].join("\n");

  it("expands a literal collection into one resource per item, with the identifier replaced", () => {
    const result = scanTemplateText(loop("[Orders, Users]"), "t.yaml");
    expect(result.error).toBeUndefined();
    expect([...(result.model?.resources.keys() ?? [])]).toEqual(["DbOrders", "DbUsers"]);
    expect(result.model?.resources.get("DbUsers")).toMatchObject({
      storageEncrypted: { state: "known", value: false, loc: { line: 12, column: 29 } },
    });
  });

  it("expands a parameter's value given with --parameters", () => {
    const result = scanTemplateText(loop("!Ref Names"), "t.yaml", { parameters: { Names: "a,b,c" } });
    expect([...(result.model?.resources.keys() ?? [])]).toEqual(["Dba", "Dbb", "Dbc"]);
  });

  it("reports the loop when its collection is known only at deployment", () => {
    const result = scanTemplateText(loop("!Ref Names"), "t.yaml");
    expect(result.error).toMatchObject({ kind: "parse", line: 5, column: 3 });
    expect(result.error?.message).toMatch(/^Fn::ForEach::Databases: its collection is known only at deployment/);
  });
});

describe("files on disk that are not plain UTF-8 text", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rdsguard-hostile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const yaml = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n";

  it("reads UTF-16 without a byte-order mark and UTF-32 with or without one", async () => {
    const le16 = Buffer.from(yaml, "utf16le");
    const be16 = Buffer.from(le16).swap16();
    const le32 = Buffer.alloc(yaml.length * 4);
    for (let i = 0; i < yaml.length; i++) le32.writeUInt32LE(yaml.charCodeAt(i), i * 4);
    const be32 = Buffer.from(le32).swap32();
    const files: Record<string, Buffer> = {
      "u16le.yaml": le16,
      "u16be.yaml": be16,
      "u32le.yaml": le32,
      "u32be.yaml": be32,
      "u32bom.yaml": Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), le32]),
    };
    for (const [name, bytes] of Object.entries(files)) {
      writeFileSync(path.join(dir, name), bytes);
      const result = await scanTemplateFile(path.join(dir, name), dir);
      expect({ name, error: result.error, ids: [...(result.model?.resources.keys() ?? [])] }).toEqual({
        name,
        error: undefined,
        ids: ["Db"],
      });
    }
  });

  it("reports a NUL byte in a template that declares a database, where it is", async () => {
    const file = path.join(dir, "nul.yaml");
    writeFileSync(file, yaml.replace("postgres", "post\0gres"));
    expect((await scanTemplateFile(file, dir)).error).toMatchObject({ kind: "parse", line: 5, column: 19 });
  });

  it("reports a binary file named on the command line, skips one found by a walk", async () => {
    const file = path.join(dir, "blob.json");
    writeFileSync(file, Buffer.from([0x7b, 0, 1, 2, 3]));
    const named = await discoverFiles([file], dir);
    expect(named.named.has(file)).toBe(true);
    expect((await scanTemplateFile(file, dir, { named: true })).error).toMatchObject({ kind: "parse", line: 1 });
    expect((await scanTemplateFile(file, dir)).error).toBeUndefined();
  });

  it("reports a one-line JSON over the size limit whose database comes after the first 64 KB", async () => {
    const file = path.join(dir, "big.json");
    const filler = `"Description":"${"x".repeat(200 * 1024)}",`;
    writeFileSync(file, `{${filler}"Resources":{"Db":{"Type":"AWS::RDS::DBInstance"}}}`);
    const result = await scanTemplateFile(file, dir, { maxFileSize: 100 * 1024 });
    expect(result.error).toMatchObject({ kind: "too-large", line: 1, column: 1 });
    expect(result.error?.message).toMatch(/over the 100\.0 KB limit \(--max-file-size\)/);
  });
});

describe.skipIf(process.platform === "win32")("inputs that are not regular files", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rdsguard-fifo-"));
  const fifo = path.join(dir, "pipe.yaml");
  execFileSync("mkfifo", [fifo]);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = path.resolve(__dirname, "../../dist/cli.js");
  const run = (args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8", timeout: 20_000 });

  it("refuses a FIFO or /dev/zero as a template with an io error, at once", async () => {
    for (const input of [fifo, "/dev/zero"]) {
      const result = await scanTemplateFile(input, dir);
      expect(result.error).toMatchObject({ kind: "io" });
      expect(result.error?.message).toMatch(/not a regular file/);
    }
  });

  it("refuses them as --config, --parameters and --baseline, exit 2 within the time limit", () => {
    writeFileSync(path.join(dir, "t.yaml"), "Resources: {}\n");
    for (const flag of ["--config", "--parameters", "--baseline"]) {
      for (const input of [fifo, "/dev/zero"]) {
        const result = run(["scan", "t.yaml", flag, input, "--format", "json"]);
        expect({ flag, input, status: result.status, signal: result.signal }).toEqual({
          flag,
          input,
          status: 2,
          signal: null,
        });
        expect(result.stdout + result.stderr).toMatch(/not a regular file/);
      }
    }
  });
});
