import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { REFERENCE_LABELS, renderCatalogueMarkdown } from "../../src/commands/catalogue.js";
import { run as explain } from "../../src/commands/explain.js";
import { run as init, renderStarterExample } from "../../src/commands/init.js";
import { run as rules } from "../../src/commands/rules.js";
import { GATE_RULES } from "../../src/engine/gate-rules.js";
import { loadPolicy } from "../../src/policy/load.js";
import { allRules } from "../../src/rules/index.js";
import { parameters, ruleIds } from "./catalogue.js";

let stdout: MockInstance;
let stderr: MockInstance;
const out = () => stdout.mock.calls.map((c) => String(c[0])).join("");
const err = () => stderr.mock.calls.map((c) => String(c[0])).join("");

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rdsguard-cmd-"));
  dirs.push(dir);
  return dir;
}

beforeEach(() => {
  stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("rdsguard rules", () => {
  it("lists every rule with severity, parameters and its mappings", async () => {
    expect(await rules([])).toBe(0);
    const text = out();
    expect(allRules).toHaveLength(10);
    for (const { meta } of allRules) {
      const row = text.split("\n").find((l) => l.startsWith(`${meta.id} `));
      expect(row, meta.id).toBeDefined();
      expect(row).toContain(meta.severity);
      expect(row).toContain(meta.title);
      for (const p of meta.parameters) expect(row).toContain(`${p.name}=`);
      for (const id of meta.references.securityHub) expect(text).toContain(id);
      for (const id of meta.references.awsConfig) expect(text).toContain(id);
    }
    for (const [, label] of REFERENCE_LABELS) {
      if (allRules.some((r) => REFERENCE_LABELS.some(([key, l]) => l === label && r.meta.references[key].length > 0))) {
        expect(text).toContain(`${label} `);
      }
    }
  });

  it("prints exactly the docs Markdown with --format markdown, and metadata with --format json", async () => {
    expect(await rules(["--format", "markdown"])).toBe(0);
    expect(out()).toBe(renderCatalogueMarkdown([...allRules, ...GATE_RULES]));
    stdout.mockClear();
    expect(await rules(["--format=json"])).toBe(0);
    expect(JSON.parse(out())).toEqual([...allRules, ...GATE_RULES].map((r) => r.meta));
  });

  it("exits 2 on a bad format or option", async () => {
    expect(await rules(["--format", "html"])).toBe(2);
    expect(err()).toContain('unknown format "html"');
    expect(await rules(["--colour"])).toBe(2);
  });
});

describe("rdsguard explain", () => {
  it("prints the full metadata of a rule", async () => {
    const meta = allRules[0]?.meta;
    if (!meta) throw new Error("no rules");
    expect(await explain([meta.id])).toBe(0);
    const text = out();
    expect(text.startsWith(`${meta.id}: ${meta.title}\n`)).toBe(true);
    expect(text).toContain(`Default severity: ${meta.severity}`);
    expect(text).toContain(meta.rationale.slice(0, 60));
    expect(text).toContain(meta.remediation.snippet.split("\n")[0] ?? "");
    for (const p of meta.parameters) expect(text).toContain(`${p.name} (${p.type}, default `);
    for (const id of meta.references.securityHub) expect(text).toContain(id);
    for (const source of meta.sources) expect(text).toContain(source);
  });

  it("exits 2 on an unknown rule id and lists the known ones", async () => {
    expect(await explain(["multi-a"])).toBe(2);
    expect(out()).toBe("");
    expect(err()).toContain('unknown rule "multi-a"');
    for (const id of ruleIds) expect(err()).toContain(`  ${id}\n`);
  });

  it("exits 2 without a rule id", async () => {
    expect(await explain([])).toBe(2);
    expect(err()).toBe(
      "rdsguard explain: expected exactly one rule id\nRun 'rdsguard explain --help' for its options.\n",
    );
  });

  it("prints JSON with --format json", async () => {
    expect(await explain(["multi-az", "--format", "json"])).toBe(0);
    expect(JSON.parse(out()).id).toBe("multi-az");
  });
});

describe("rdsguard init", () => {
  it("writes a starter rdsguard.yaml that loads without errors", async () => {
    const dir = tempDir();
    expect(await init([dir])).toBe(0);
    const file = join(dir, "rdsguard.yaml");
    expect(out()).toBe(`wrote ${file}\n`);
    const { policy, errors } = loadPolicy({ cwd: dir, ruleIds, parameters });
    expect(errors).toEqual([]);
    expect(policy.files).toContain("rdsguard.yaml");
  });

  it("refuses to overwrite without --force (exit 2), overwrites with it", async () => {
    const dir = tempDir();
    const file = join(dir, "policy.yaml");
    writeFileSync(file, "version: 1\n# mine\n");
    expect(await init([file])).toBe(2);
    expect(err()).toContain("already exists; use --force");
    expect(readFileSync(file, "utf8")).toBe("version: 1\n# mine\n");
    expect(await init(["--force", file])).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("written by `rdsguard init`");
  });

  it("every commented example line, once uncommented, still loads without errors", async () => {
    const dir = tempDir();
    const starter = join(dir, "starter.yaml");
    expect(await init([starter])).toBe(0);
    // What a user does: delete the single '#' in front of the YAML lines ("#key:" or "#  indented"), leaving
    // prose ("# text") alone.
    const uncommented = readFileSync(starter, "utf8")
      .split("\n")
      .map((l) => (/^#(\S| {2})/.test(l) ? l.slice(1) : l))
      .join("\n");
    expect(uncommented).toContain("\nwaivers:\n  - rule: multi-az\n");
    expect(uncommented).toContain("\nrules:\n  # ");
    writeFileSync(join(dir, "uncommented.yaml"), uncommented);
    const loaded = loadPolicy({ cwd: dir, configPath: "uncommented.yaml", ruleIds, parameters });
    expect(loaded.errors).toEqual([]);
    expect(loaded.policy.customRules.map((r) => r.id)).toEqual(["org-postgres-minimum-version"]);
    expect(loaded.policy.waivers).toHaveLength(1);
    expect(loaded.policy.profiles[0]?.name).toBe("staging");
    expect(loaded.policy.stackTemplates["orders-prod"]).toBe("stacks/orders.yaml");
    expect(Object.keys(loaded.policy.rules)).toEqual(ruleIds);

    writeFileSync(join(dir, "example.yaml"), `version: 1\n${renderStarterExample(allRules)}`);
    expect(loadPolicy({ cwd: dir, configPath: "example.yaml", ruleIds, parameters }).errors).toEqual([]);
  });
});
