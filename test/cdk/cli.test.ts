/**
 * rdsguard/cdk with the real CDK CLI (aws-cdk, pinned in devDependencies): `cdk synth` on examples/cdk and on a
 * small app with a top-level stack (test/cdk/apps/top-level.ts), each with the validation plugin and with the
 * Aspect. Non-compliant apps fail synthesis with rdsguard's findings on the console, a compliant one passes, an
 * acknowledged rule's warning goes while the others stay, and every rule's messages (built-in, declarative,
 * plugin, and hostile ones shaped like CDK rule ids) reach the console without making the CLI abort. The verdicts
 * are those of `rdsguard scan cdk.out`. Synthesis is slow (tens of seconds a run on a loaded machine), so the six
 * runs start together in beforeAll, two at a time, and each test reads one of them.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CloudAssembly } from "aws-cdk-lib/cx-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { annotationMessage } from "../../src/cdk/messages.js";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import type { RuleMeta } from "../../src/rules/types.js";
import { rdsguard, repo, scanJson, tempDir } from "./synth.js";

const CDK = path.join(repo, "node_modules/aws-cdk/bin/cdk");
const EXAMPLE = path.join(repo, "examples/cdk");
const HOSTILE = "test/cdk/apps/hostile-rules.mjs";
const TOP_LEVEL_APP = "node --import tsx test/cdk/apps/top-level.ts";
const INSTANCE_PATH = "Prod/Database/Reporting/ReportingDb/Resource";
const TOP_PATH = "Db/Database/Resource";
/** What the CDK CLI prints when it cannot parse an id it read from an annotation. */
const CLI_ABORT = /Invalid validation rule ID|Unmatched closing brace|Mismatched closing brace|Missing plugin name/;

interface Run {
  code: number | null;
  /** stdout and stderr, as a user sees them on the console. */
  output: string;
  /** The cloud assembly directory, absolute. */
  out: string;
  seconds: number;
}

let dir: string;
const runs: Record<string, Run> = {};
let messagesFile: string;
let fixtureReport: ScanReport;

/** `cdk synth` with the CLI's network calls (notices, telemetry, version check) off; no AWS credentials needed. */
function cdkSynth(name: string, cwd: string, args: string[]): () => Promise<void> {
  return () =>
    new Promise((resolve, reject) => {
      const out = path.join(repo, dir, name);
      const started = Date.now();
      const child = spawn(process.execPath, [CDK, "synth", "--quiet", "--no-notices", "-o", out, ...args], {
        cwd,
        env: {
          ...process.env,
          CDK_DISABLE_CLI_TELEMETRY: "true",
          CDK_DISABLE_VERSION_CHECK: "1",
          CDK_HOME: path.join(repo, dir, "cdk-home"),
          NO_COLOR: "1",
          NODE_ENV: "production",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => {
        output += d;
      });
      child.stderr.on("data", (d) => {
        output += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        runs[name] = { code, output, out, seconds: (Date.now() - started) / 1000 };
        resolve();
      });
    });
}

async function pool(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    }),
  );
}

/** One violation as the CLI prints it: level, description, construct path, and the id it names. */
interface Printed {
  level: string;
  description: string;
  constructPath: string;
  id: string;
}

/** The CLI's validation report on the console: blocks of source line, `LEVEL description (plugin)`, construct, id. */
function printed(output: string): Printed[] {
  const result: Printed[] = [];
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^(FATAL|ERROR|WARNING|INFO) (.*)$/s.exec(lines[i] as string);
    if (!m) continue;
    let description = m[2] as string;
    while (!/ \((Construct Annotations|rdsguard)\)$/.test(description) && i + 1 < lines.length) {
      description += `\n${lines[++i]}`;
    }
    const constructPath = (lines[i + 1] ?? "").trim().split(" ")[0] as string;
    const idLine = lines.slice(i + 2, i + 5).find((l) => /^ {3}(Acknowledge with|Rule) /.test(l)) ?? "";
    result.push({
      level: m[1] as string,
      description: description.replace(/ \((Construct Annotations|rdsguard)\)$/, ""),
      constructPath,
      id: /'([^']+)'|Rule (\S+)/.exec(idLine)?.slice(1).find(Boolean) ?? "",
    });
  }
  return result;
}

/** How the CLI shows a description: control characters replaced (its own sanitising). */
const shown = (text: string) =>
  [...text].map((c) => (/[\t\n]/.test(c) || (c >= " " && c !== "\u007f" && c !== "\u009b") ? c : "\uFFFD")).join("");

/** What `rdsguard scan` says each failing or undetermined finding should be in the CDK with this failOn. */
function expectedLevels(findings: Finding[], failOn: "high" | "critical"): string[] {
  const order = ["critical", "high", "medium", "low", "info"];
  return findings
    .filter((f) => f.verdict === "fail" || f.verdict === "unknown")
    .map((f) => {
      const level = f.suppression
        ? "info"
        : f.verdict === "fail" && order.indexOf(f.severity) <= order.indexOf(failOn)
          ? "error"
          : "warning";
      return `${f.resource.origin.cdkPath} ${f.ruleId} ${level}`;
    })
    .sort();
}

/** The annotations rdsguard left in a cloud assembly: construct path, rule, level. */
function assemblyAnnotations(out: string): string[] {
  const assembly = new CloudAssembly(out);
  return assembly.stacksRecursively
    .flatMap((s) => s.messages)
    .filter((m) => String(m.entry.data).startsWith("[rdsguard] "))
    .map((m) => `${m.id.replace(/^\//, "")} ${/^\[rdsguard\] (\S+) /.exec(String(m.entry.data))?.[1]} ${m.level}`)
    .sort();
}

/** The rdsguard violations of the validation report the CDK wrote: construct path, rule, severity. */
function reportedViolations(out: string): string[] {
  const report = JSON.parse(readFileSync(path.join(out, "validation-report.json"), "utf8")) as {
    pluginReports: {
      pluginName: string;
      conclusion: string;
      violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
  return report.pluginReports
    .filter((r) => r.pluginName === "rdsguard")
    .flatMap((r) => r.violations)
    .flatMap((v) => v.violatingConstructs.map((c) => `${c.constructPath} ${v.ruleName} ${v.severity}`))
    .sort();
}

beforeAll(async () => {
  dir = tempDir("cdk-cli");
  // Every rule's messages: the built-in rules, the example policy's declarative rules and plugin, the graviton
  // plugin and the hostile one, over the test fixtures and the example templates.
  const reportFile = path.join(repo, dir, "fixtures.json");
  rdsguard([
    "scan",
    "test/fixtures",
    "examples/templates",
    "examples/policies/tests/templates",
    "--config",
    "examples/policies/rdsguard.yaml",
    "--plugin",
    "test/fixtures/plugins/graviton.mjs",
    "--plugin",
    HOSTILE,
    "--fail-on",
    "none",
    "--format",
    `json=${reportFile}`,
  ]);
  fixtureReport = JSON.parse(readFileSync(reportFile, "utf8")) as ScanReport;
  const seen = new Set<string>();
  const findings = fixtureReport.findings.filter((f) => {
    if (f.verdict !== "fail" && f.verdict !== "unknown") return false;
    const text = annotationMessage(
      f,
      fixtureReport.rules.find((r) => r.id === f.ruleId),
    );
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
  messagesFile = path.join(repo, dir, "messages.json");
  writeFileSync(messagesFile, JSON.stringify({ rules: fixtureReport.rules, findings }));

  const exampleAspect = ["--app", "node --import tsx ../../test/cdk/apps/example-aspect.ts"];
  await pool(
    [
      cdkSynth("example-plugin", EXAMPLE, []),
      cdkSynth("example-aspect", EXAMPLE, [...exampleAspect, "-c", "rdsguard:validateOnSynthesis=true"]),
      cdkSynth("top-aspect", repo, [
        "--app",
        TOP_LEVEL_APP,
        ...["-c", "rdsguard:mode=aspect", "-c", "rdsguard:failOn=critical", "-c", "rdsguard:acknowledge=multi-az"],
        ...["-c", `rdsguard:messages=${messagesFile}`],
      ]),
      // The plugin in its Beta1 form (policyValidationBeta1), as aws-cdk-lib before 2.251 takes it.
      cdkSynth("top-plugin", repo, ["--app", TOP_LEVEL_APP, "-c", "rdsguard:mode=beta1"]),
      cdkSynth("top-compliant", repo, [
        "--app",
        TOP_LEVEL_APP,
        ...["-c", "rdsguard:mode=both", "-c", "rdsguard:compliant=true"],
      ]),
      cdkSynth("example-aspect-unselected", EXAMPLE, exampleAspect),
    ],
    2,
  );
  console.log(
    `cdk synth runs: ${Object.entries(runs)
      .map(([name, r]) => `${name} ${r.seconds.toFixed(1)}s (exit ${r.code})`)
      .join(", ")}`,
  );
}, 900_000);

afterAll(() => {
  if (dir) rmSync(path.join(repo, dir), { recursive: true, force: true });
});

/** The run, with its console output shown when an assertion on it fails. */
function run(name: string): Run {
  const r = runs[name];
  if (!r) throw new Error(`cdk synth ${name} did not run`);
  expect(r.output, `${name} aborted`).not.toMatch(CLI_ABORT);
  return r;
}

describe("cdk synth (the real CDK CLI) with the validation plugin", () => {
  it("examples/cdk: fails on the Stage's high findings with rdsguard's report, as rdsguard scan cdk.out judges", () => {
    const r = run("example-plugin");
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain("Synthesis finished with errors");
    const violations = printed(r.output).filter((p) => p.constructPath === INSTANCE_PATH);
    expect(violations.map((p) => `${p.level} ${p.id}`).sort()).toEqual([
      "ERROR rdsguard::backup-retention",
      "ERROR rdsguard::deletion-protection",
      "ERROR rdsguard::encryption-in-transit",
      "ERROR rdsguard::engine-version",
      "ERROR rdsguard::instance-class",
      "ERROR rdsguard::storage-encrypted",
      "INFO rdsguard::multi-az",
      "WARNING rdsguard::iam-auth",
    ]);
    const encrypted = violations.find((p) => p.id === "rdsguard::storage-encrypted");
    expect(encrypted?.description).toMatch(/^\(critical\) Storage is encrypted at rest: StorageEncrypted is not set/);
    // The fix: the rule's remediation and its page; the resource: logical id and construct path.
    expect(r.output).toMatch(/ {3}Suggested fix: Set StorageEncrypted: true .*docs\/rules\.md#storage-encrypted\n/);
    expect(r.output).toContain(`${INSTANCE_PATH} (ReportingDbB9466633) aws-cdk-lib.aws_rds.CfnDBInstance`);
    expect(violations.find((p) => p.id === "rdsguard::multi-az")?.description).toContain(
      "[suppressed: inline waiver: Reporting replica, rebuilt nightly from the warehouse (ADR-7)]",
    );

    // The same verdicts as rdsguard scan of the assembly the CLI wrote, with --fail-on high; its exit code agrees.
    const scan = scanJson([path.relative(repo, r.out), "--fail-on", "high"]);
    expect(scan.code).toBe(1);
    expect(reportedViolations(r.out)).toEqual(expectedLevels(scan.report.findings, "high"));
    const report = JSON.parse(readFileSync(path.join(r.out, "validation-report.json"), "utf8"));
    const encryptedJson = report.pluginReports[0].violations.find(
      (v: { ruleName: string }) => v.ruleName === "storage-encrypted",
    );
    expect(encryptedJson.violatingConstructs[0].cloudFormationResource).toEqual({
      templatePath: "assembly-Prod/ProdDatabaseReporting0D1319A1.nested.template.json",
      logicalId: "ReportingDbB9466633",
      propertyPaths: ["Properties/StorageEncrypted"],
    });
  });

  it("a top-level stack, in the Beta1 form: fails, and messages shaped like CDK rule ids are printed as they are", () => {
    const r = run("top-plugin");
    expect(r.code, r.output).toBe(1);
    const violations = printed(r.output).filter((p) => p.constructPath === TOP_PATH);
    const hostile = violations.filter((p) => p.id === "rdsguard::hostile-messages-critical");
    expect(hostile).toHaveLength(11);
    for (const p of hostile) expect(p.level).toBe("ERROR");
    expect(hostile.map((p) => p.description)).toContain(
      "(critical) Messages the CDK could misread (critical): Hostile1 ends like a CDK rule id (a::b).",
    );
    expect(violations.filter((p) => p.id === "rdsguard::hostile-messages").map((p) => p.level)).toEqual(
      Array(11).fill("WARNING"),
    );
    expect(violations.find((p) => p.id === "rdsguard::storage-encrypted")?.level).toBe("ERROR");

    const scan = scanJson([path.relative(repo, r.out), "--plugin", HOSTILE, "--fail-on", "high"]);
    expect(scan.code).toBe(1);
    expect(reportedViolations(r.out)).toEqual(expectedLevels(scan.report.findings, "high"));
  });
});

describe("cdk synth (the real CDK CLI) with the Aspect", () => {
  it("examples/cdk with validateOnSynthesis: fails on the Stage's errors, the annotations rdsguard scan expects", () => {
    const r = run("example-aspect");
    expect(r.code, r.output).toBe(1);
    const annotations = printed(r.output).filter((p) => p.constructPath === INSTANCE_PATH);
    expect(
      annotations.map((p) => `${p.level} ${/^\[rdsguard\] (\S+)/.exec(p.description)?.[1]} ${p.id}`).sort(),
    ).toEqual(
      [
        "ERROR backup-retention Annotation::error-annotation",
        "ERROR deletion-protection Annotation::error-annotation",
        "ERROR encryption-in-transit Annotation::error-annotation",
        "ERROR engine-version Annotation::error-annotation",
        "ERROR instance-class Annotation::error-annotation",
        "ERROR storage-encrypted Annotation::error-annotation",
        "INFO multi-az Annotation::info-annotation",
        "WARNING iam-auth Annotation::rdsguard:iam-auth",
      ].sort(),
    );
    const scan = scanJson([path.relative(repo, r.out), "--fail-on", "high"]);
    expect(assemblyAnnotations(r.out)).toEqual(expectedLevels(scan.report.findings, "high"));
  });

  it("examples/cdk without it: the CLI does not look at the Stage's stacks, and synthesis passes", () => {
    const r = run("example-aspect-unselected");
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain("[rdsguard]");
    // The errors are in the assembly all the same: the instance's six, and the cluster's encryption-in-transit
    // (its default Aurora PostgreSQL parameter group does not force TLS).
    expect(assemblyAnnotations(r.out).filter((a) => a.endsWith(" error"))).toHaveLength(7);
  });

  it("a top-level stack: every rule's messages reach the console, acknowledged warnings go, the others stay", () => {
    const r = run("top-aspect");
    expect(r.code, r.output).toBe(1);
    const all = printed(r.output);
    // Every distinct message of every rule, as an error, a warning and an info, printed as rdsguard wrote it.
    const { findings, rules } = JSON.parse(readFileSync(messagesFile, "utf8")) as {
      findings: Finding[];
      rules: RuleMeta[];
    };
    // Each rule of the run, built-in, declarative (the example policy) and plugin, has messages in the batch.
    expect([...new Set(findings.map((f) => f.ruleId))].sort()).toEqual(rules.map((x) => x.id).sort());
    expect(rules.map((x) => x.definedIn?.kind ?? "built-in")).toEqual(
      expect.arrayContaining(["built-in", "policy", "plugin"]),
    );
    for (const f of findings) {
      const text = shown(
        annotationMessage(
          f,
          rules.find((x) => x.id === f.ruleId),
        ),
      );
      for (const [level, holder] of [
        ["ERROR", "error"],
        ["WARNING", "warning"],
        ["INFO", "info"],
      ]) {
        const found = all.filter((p) => p.constructPath === `Db/Messages/${holder}` && p.description === text);
        expect(found, `${level} ${text}`).toHaveLength(1);
        // One id per rule for warnings; the CDK gives errors and infos none of their own.
        if (level === "WARNING") expect(found[0]?.id).toBe(`Annotation::rdsguard:${f.ruleId}`);
      }
    }
    expect(r.output).not.toContain("Annotation::warning-annotation");

    // The instance: failOn critical makes storage-encrypted and the hostile critical rule errors, the rest
    // warnings; multi-az is acknowledged on the instance, so its warning is gone there but not on Db/Messages.
    const instance = all.filter((p) => p.constructPath === TOP_PATH);
    const ids = (level: string) => [...new Set(instance.filter((p) => p.level === level).map((p) => p.id))].sort();
    expect(ids("WARNING")).not.toContain("Annotation::rdsguard:multi-az");
    expect(ids("WARNING")).toEqual(expect.arrayContaining(["Annotation::rdsguard:backup-retention"]));
    expect(all.some((p) => p.constructPath === "Db/Messages/warning" && p.id === "Annotation::rdsguard:multi-az")).toBe(
      true,
    );
    const hostile = instance.filter((p) => /^\[rdsguard\] hostile-messages /.test(p.description));
    expect(hostile).toHaveLength(11);

    // The instance's annotations are what rdsguard scan says, less the acknowledged warning.
    const scan = scanJson([path.relative(repo, r.out), "--plugin", HOSTILE, "--fail-on", "critical"]);
    expect(assemblyAnnotations(r.out).filter((a) => a.startsWith(`${TOP_PATH} `))).toEqual(
      expectedLevels(scan.report.findings, "critical").filter((a) => a !== `${TOP_PATH} multi-az warning`),
    );
  });
});

describe("cdk synth (the real CDK CLI) on a compliant app", () => {
  it("passes with the plugin and the Aspect together, as rdsguard scan does", () => {
    const r = run("top-compliant");
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain("[rdsguard]");
    expect(r.output).not.toContain("(rdsguard)");
    const scan = scanJson([path.relative(repo, r.out), "--fail-on", "high"]);
    expect(scan.code).toBe(0);
    expect(assemblyAnnotations(r.out)).toEqual(expectedLevels(scan.report.findings, "high"));
  });
});
