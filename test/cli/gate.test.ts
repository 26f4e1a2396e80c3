/**
 * Gate integrity (issue 19) against a real git repository: a base commit with a reviewed policy and a pull-request
 * commit that weakens it in every way (test/cli/gate-repo.ts), including a plugin that would write a marker file.
 * Without the options the weakened policy judges, as before (and the discovered policy's plugins are refused);
 * with --policy-base each weakening is a located finding that fails the gate, in every format; with --policy-ref
 * the base's policy judges; the marker is never written.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import { assertGithubAcceptsSarif } from "../support/github-sarif.js";
import { BASE_POLICY, buildGateRepo, evilPlugin, PR_POLICY, positionOf, template } from "./gate-repo.js";

const repoRoot = path.resolve(__dirname, "../..");
const cli = path.join(repoRoot, "dist/cli.js");
const parent = path.join(repoRoot, "test", ".tmp", "gate");
const gate = buildGateRepo(parent);
afterAll(() => rmSync(parent, { recursive: true, force: true }));
beforeEach(() => rmSync(gate.marker, { force: true }));

/** The CLI in the gate repository (or `cwd`); killed after `timeout` ms, so that a hang fails the test. */
function rdsguard(args: string[], { cwd = gate.dir, timeout = 60_000 } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function scanJson(...args: string[]): { code: number | null; report: ScanReport; stderr: string } {
  const r = rdsguard(["scan", ".", "--format", "json", "--now", "2026-06-01", ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as ScanReport, stderr: r.stderr };
}

const GATE_RULE_IDS = ["policy-weakened", "waiver-added"];

interface SarifResult {
  ruleId: string;
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
  }[];
}

function gateFindings(report: ScanReport): Finding[] {
  return report.findings.filter((f) => GATE_RULE_IDS.includes(f.ruleId));
}

/** "rule file:line:col message-start" for each gate finding, in report order. */
function located(findings: readonly Finding[]): string[] {
  return findings
    .map((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line}:${f.location?.column}`)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

const at = (snippet: string, nth = 1) => {
  const p = positionOf(PR_POLICY, snippet, nth);
  return `rdsguard.yaml:${p.line}:${p.column}`;
};
const inTemplate = (snippet: string) => {
  const p = positionOf(template(true), snippet);
  return `infra/db.yaml:${p.line}:${p.column}`;
};

/** Every weakening of the pull request, at the line that makes it. */
const EXPECTED = [
  `policy-weakened ${at("3\n")}`, // minimumDays 7 -> 3
  `policy-weakened ${at("false\n  storage")}`, // deletion-protection enabled: false
  `policy-weakened ${at("low\n")}`, // storage-encrypted severity low
  `policy-weakened ${at("true\n")}`, // critical: allowBurstable true
  `policy-weakened ${at("[sandbox, critical-legacy]")}`, // sandbox now selects tier=critical-legacy
  `policy-weakened ${at("./plugins/evil.mjs")}`, // new plugin
  `waiver-added ${at('rule: "*"')}`, // widened waiver
  `waiver-added ${at("rule: iam-auth")}`, // new waiver
  `waiver-added ${inTemplate("rule: multi-az")}`, // new inline Metadata waiver
].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));

describe("without --policy-ref/--policy-base (today's behaviour)", () => {
  it("refuses the plugins of the discovered ./rdsguard.yaml, at their lines (exit 2); the marker is not written", () => {
    const { code, report } = scanJson();
    expect(code).toBe(2);
    expect(report.errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual([
      at("./plugins/trusted.mjs"),
      at("./plugins/evil.mjs"),
    ]);
    expect(report.errors[1]?.message).toBe(
      "plugin ./plugins/evil.mjs was not loaded: a plugin runs code, and rdsguard.yaml was found in the working " +
        "directory rather than named, so it may come from the change under review. To run it, name the policy " +
        "(--config rdsguard.yaml), read the policy from a trusted git ref (--policy-ref origin/main), or pass --allow-plugins",
    );
    expect(existsSync(gate.marker)).toBe(false);
  });

  it("with --allow-plugins the weakened policy judges and passes, and the pull request's plugin runs", () => {
    const { code, report } = scanJson("--allow-plugins");
    expect(report.errors).toEqual([]);
    expect(code).toBe(0);
    expect(gateFindings(report)).toEqual([]);
    const iam = report.findings.find((f) => f.ruleId === "iam-auth" && f.resource.name === "AppDb");
    expect(iam?.suppression?.reason).toBe("temporary, trust me");
    // This is the risk the options below remove.
    expect(readFileSync(gate.marker, "utf8")).toBe("the pull request's code ran in the gate");
  });
});

describe("--policy-base main (the working tree's policy judges; its weakenings are findings)", () => {
  it("reports each weakening at its line as a failing high finding (exit 1) and never runs the new plugin", () => {
    const { code, report } = scanJson("--config", "rdsguard.yaml", "--policy-base", "main");
    expect(report.errors).toEqual([]);
    expect(code).toBe(1);
    const found = gateFindings(report);
    expect(located(found)).toEqual(EXPECTED);
    for (const f of found) {
      expect(f).toMatchObject({ verdict: "fail", severity: "high" });
      expect(f.suppression).toBeUndefined();
    }
    expect(existsSync(gate.marker)).toBe(false);
    const messages = found.map((f) => f.message);
    expect(messages).toContain(
      "backup-retention parameter minimumDays changed from 7 to 3 (lower is more lenient) for profiles critical, default, relative to main",
    );
    expect(messages).toContain(
      "instance-class parameter allowBurstable changed from false to true for profile critical, relative to main",
    );
    expect(messages).toContain(
      "profile sandbox now also selects tag tier=critical-legacy (relative to main), and is weaker than profile default: backup-retention parameter minimumDays 1 instead of 3",
    );
    expect(messages).toContain(
      'waiver widened relative to main: every rule on ReportsDb with no expiry (was multi-az on ReportsDb with no expiry); reason given: "Batch reporting database, reviewed in ADR-12"',
    );
    expect(messages).toContain("new plugin relative to main: ./plugins/evil.mjs (plugins run code; it was not loaded)");
    expect(messages.find((m) => m.startsWith("deletion-protection is disabled for profiles "))).toBeDefined();
    expect(messages.find((m) => m.startsWith("storage-encrypted severity changed from high to low"))).toBeDefined();
    // The reviewed inline waiver of ReportsDb is unchanged, so it is not reported.
    expect(found.filter((f) => f.resource.name === "ReportsDb")).toEqual([]);
    expect(report.rules.map((r) => r.id)).toEqual(expect.arrayContaining(GATE_RULE_IDS));
  });

  it("from a subdirectory, locates them at repository paths, and SARIF keeps every one where GitHub accepts it", () => {
    const sarifPath = path.join(gate.dir, "gate-from-infra.sarif");
    const args = ["scan", ".", "--config", "../rdsguard.yaml", "--policy-base", "main", "--now", "2026-06-01"];
    const r = rdsguard([...args, "--format", "json", "--format", `sarif=${sarifPath}`], {
      cwd: path.join(gate.dir, "infra"),
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.errors).toEqual([]);
    expect(located(gateFindings(report))).toEqual(EXPECTED);
    const sarifText = readFileSync(sarifPath, "utf8");
    rmSync(sarifPath);
    assertGithubAcceptsSarif(sarifText);
    const sarif = JSON.parse(sarifText) as {
      runs: { results: SarifResult[]; properties: { findingsWithoutRepositoryFile: number } }[];
    };
    const run = sarif.runs[0];
    expect(run?.properties.findingsWithoutRepositoryFile).toBe(0);
    const sarifGate = (run?.results ?? [])
      .filter((x) => GATE_RULE_IDS.includes(x.ruleId))
      .map((x) => {
        const p = x.locations[0]?.physicalLocation;
        return `${x.ruleId} ${p?.artifactLocation.uri}:${p?.region.startLine}:${p?.region.startColumn}`;
      })
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    expect(sarifGate).toEqual(EXPECTED);
  });

  it("--allow-policy-changes keeps them in the report as accepted: exit 0, and still no plugin run", () => {
    const { code, report } = scanJson("--config", "rdsguard.yaml", "--policy-base", "main", "--allow-policy-changes");
    expect(report.errors).toEqual([]);
    expect(code).toBe(0);
    const found = gateFindings(report);
    expect(located(found)).toEqual(EXPECTED);
    for (const f of found) expect(f.suppression?.reason).toBe("policy change accepted with --allow-policy-changes");
    expect(existsSync(gate.marker)).toBe(false);
  });

  it("does not run a plugin whose file differs from the base's either, and reports it at its line", () => {
    const trusted = path.join(gate.dir, "plugins/trusted.mjs");
    const reviewed = readFileSync(trusted, "utf8");
    writeFileSync(trusted, evilPlugin(gate.marker));
    try {
      const { code, report } = scanJson("--config", "rdsguard.yaml", "--policy-base", "main", "--allow-plugins");
      expect(report.errors).toEqual([]);
      expect(code).toBe(1);
      const changed = gateFindings(report).filter((f) => f.message.startsWith("plugin file changed"));
      expect(changed.map((f) => `${f.location?.line}:${f.location?.column} ${f.message}`)).toEqual([
        `${positionOf(PR_POLICY, "./plugins/trusted.mjs").line}:5 plugin file changed relative to main: ./plugins/trusted.mjs (plugins run code; it was not loaded)`,
      ]);
      expect(report.rules.map((r) => r.id)).not.toContain("org-has-identifier");
      expect(existsSync(gate.marker)).toBe(false);
    } finally {
      writeFileSync(trusted, reviewed);
    }
  });

  it("reports a plugin replaced by a link to /dev/zero as changed, at once, without reading it forever", () => {
    const trusted = path.join(gate.dir, "plugins/trusted.mjs");
    const reviewed = readFileSync(trusted, "utf8");
    rmSync(trusted);
    symlinkSync("/dev/zero", trusted);
    try {
      const args = ["scan", ".", "--format", "json", "--now", "2026-06-01", "--config", "rdsguard.yaml"];
      const r = rdsguard([...args, "--policy-base", "main", "--allow-plugins"], { timeout: 20_000 });
      expect({ status: r.code, signal: r.signal }).toEqual({ status: 1, signal: null });
      const report = JSON.parse(r.stdout) as ScanReport;
      const changed = gateFindings(report).filter((f) => f.message.startsWith("plugin file changed"));
      expect(changed.map((f) => f.message)).toEqual([
        "plugin file changed relative to main: ./plugins/trusted.mjs (plugins run code; it was not loaded)",
      ]);
    } finally {
      rmSync(trusted);
      writeFileSync(trusted, reviewed);
    }
  });

  it("takes a FILE as the base too (inline waivers are then not compared)", () => {
    writeFileSync(path.join(gate.dir, "base-policy.yaml"), BASE_POLICY);
    try {
      const { code, report } = scanJson("--config", "rdsguard.yaml", "--policy-base", "base-policy.yaml");
      expect(report.errors).toEqual([]);
      expect(code).toBe(1);
      expect(located(gateFindings(report))).toEqual(EXPECTED.filter((e) => !e.includes("infra/db.yaml")));
      expect(gateFindings(report)[0]?.message).toContain("relative to base-policy.yaml");
    } finally {
      rmSync(path.join(gate.dir, "base-policy.yaml"));
    }
  });
});

describe("--policy-ref main --policy-base main (the recommended gate)", () => {
  it("judges with the base's policy and plugins, and reports the attempted weakenings (exit 1)", () => {
    const { code, report } = scanJson("--policy-ref", "main", "--policy-base", "main");
    expect(report.errors).toEqual([]);
    expect(code).toBe(1);
    expect(located(gateFindings(report))).toEqual(EXPECTED);
    // The pull request's waiver does not apply: the finding it meant to hide is active.
    const iam = report.findings.find((f) => f.ruleId === "iam-auth" && f.resource.name === "AppDb");
    expect(iam).toMatchObject({ verdict: "fail" });
    expect(iam?.suppression).toBeUndefined();
    // The base's plugin ran from a copy of the ref (its `import "rdsguard"` resolved there); the new one did not.
    expect(report.rules.map((r) => r.id)).toContain("org-has-identifier");
    expect(report.rules.map((r) => r.id)).not.toContain("evil-rule");
    expect(existsSync(gate.marker)).toBe(false);
  });

  it("--policy-ref alone judges with the base's policy and reports no gate findings", () => {
    const { code, report } = scanJson("--policy-ref", gate.base);
    expect(report.errors).toEqual([]);
    expect(code).toBe(1);
    expect(gateFindings(report)).toEqual([]);
    expect(report.findings.filter((f) => f.verdict === "fail" && !f.suppression).map((f) => f.ruleId)).toEqual([
      "iam-auth",
    ]);
    expect(existsSync(gate.marker)).toBe(false);
  });

  it("shows the gate findings in SARIF, JUnit and Markdown at the same places", () => {
    const out = (name: string) => path.join(parent, `report.${name}`);
    const r = rdsguard([
      "scan",
      ".",
      "--policy-ref",
      "main",
      "--policy-base",
      "main",
      "--format",
      `sarif=${out("sarif")}`,
      "--format",
      `junit=${out("xml")}`,
      "--format",
      `markdown=${out("md")}`,
    ]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(out("sarif"), "utf8")) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    const run = sarif.runs[0];
    expect(run?.tool.driver.rules.map((x) => x.id)).toEqual(expect.arrayContaining(GATE_RULE_IDS));
    const sarifPlaces = (run?.results ?? [])
      .filter((x) => GATE_RULE_IDS.includes(x.ruleId))
      .map((x) => {
        const p = x.locations[0]?.physicalLocation;
        return `${x.ruleId} ${p?.artifactLocation.uri}:${p?.region.startLine}`;
      })
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    expect(sarifPlaces).toEqual(EXPECTED.map((e) => e.replace(/:\d+$/, "")));
    const junit = readFileSync(out("xml"), "utf8");
    expect(junit).toMatch(/<testsuite name="policy-weakened" tests="6" failures="6"/);
    expect(junit).toMatch(/<testsuite name="waiver-added" tests="3" failures="3"/);
    expect(junit).toContain(`file="rdsguard.yaml" line="${positionOf(PR_POLICY, "./plugins/evil.mjs").line}"`);
    const markdown = readFileSync(out("md"), "utf8");
    // The Markdown names the rule with non-breaking hyphens (U+2011) and links it to its help.
    const line = positionOf(PR_POLICY, "./plugins/evil.mjs").line;
    expect(markdown).toMatch(
      new RegExp(
        `\\| high \\| \\[policy\u2011weakened\\]\\([^)]+\\) \\| rdsguard\\.yaml \\| rdsguard\\.yaml:${line} \\| policy file rdsguard\\.yaml: new plugin relative to main`,
      ),
    );
    expect(existsSync(gate.marker)).toBe(false);
  });
});

describe("refs and files that are not there (exit 2)", () => {
  it("a ref that does not exist says so and how to fetch it", () => {
    const { code, report } = scanJson("--policy-ref", "origin/nope");
    expect(code).toBe(2);
    expect(report.errors.map((e) => e.message)).toEqual([
      `--policy-ref origin/nope: git ref 'origin/nope' does not exist in ${gate.dir} (in CI, fetch it first: actions/checkout with fetch-depth: 0, or git fetch origin <branch>)`,
    ]);
  });

  it("a --config file the ref does not have is an error at REF:path", () => {
    const missing = scanJson("--policy-ref", "main", "--config", "policy/strict.yaml");
    expect(missing.code).toBe(2);
    expect(missing.report.errors).toEqual([
      {
        kind: "policy",
        file: "main:policy/strict.yaml",
        message: "--policy-ref main: cannot read policy file policy/strict.yaml: no such file at that ref",
      },
    ]);
  });

  it("outside a git repository --policy-base REF is an error naming the directory", () => {
    const outside = mkdtempSync(path.join(tmpdir(), "rdsguard-no-repo-"));
    writeFileSync(path.join(outside, "db.yaml"), template(false));
    const r = spawnSync(process.execPath, [cli, "scan", "--policy-base", "main", "--format", "json", "."], {
      cwd: outside,
      encoding: "utf8",
    });
    rmSync(outside, { recursive: true, force: true });
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(r.status).toBe(2);
    expect(report.errors[0]?.message).toMatch(/^--policy-base main: .* is not inside a git repository/);
  });
});

describe("the README's gate workflow", () => {
  it("runs as written in a shallow clone of the pull request after fetching the base, and fails the gate", () => {
    const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const start = readme.indexOf("# .github/workflows/rdsguard-gate.yml");
    const workflow = parseYaml(readme.slice(start, readme.indexOf("```", start))) as {
      on: Record<string, unknown>;
      jobs: { gate: { steps: { name?: string; uses?: string; with?: Record<string, unknown>; run?: string }[] } };
    };
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    const steps = workflow.jobs.gate.steps;
    expect(steps[0]).toMatchObject({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
    const scan = steps.find((s) => s.name === "Scan with the base branch's policy")?.run ?? "";
    const fetch = /`(git fetch [^`]+)`/.exec(readme.slice(start))?.[1] ?? "";
    expect(fetch).toContain("origin/$BASE_REF");

    const clone = path.join(parent, "clone");
    rmSync(clone, { recursive: true, force: true });
    execFileSync("git", ["clone", "-q", "--depth=1", "--branch", "pr", `file://${gate.dir}`, clone]);
    const sh = (script: string) =>
      spawnSync("bash", ["-euo", "pipefail", "-c", script], {
        cwd: clone,
        encoding: "utf8",
        env: { ...process.env, BASE_REF: "main" },
      });
    expect(sh(fetch).status).toBe(0);
    const r = sh(scan.replace("npx --yes rdsguard@0.1.0", `"${process.execPath}" "${cli}"`));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const sarif = JSON.parse(readFileSync(path.join(clone, "rdsguard.sarif"), "utf8")) as {
      runs: { results: { ruleId: string }[] }[];
    };
    const ids = (sarif.runs[0]?.results ?? []).map((x) => x.ruleId);
    expect(ids.filter((id) => id === "policy-weakened")).toHaveLength(6);
    expect(ids.filter((id) => id === "waiver-added")).toHaveLength(3);
    expect(r.stdout).toContain("origin/main");
    expect(existsSync(gate.marker)).toBe(false);
  });
});
