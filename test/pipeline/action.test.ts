/**
 * The GitHub Action (action.yml) as a runner runs it: the scan step's `env` and `run` taken from action.yml, its
 * `${{ inputs.* }}` filled with the inputs a workflow gives (or action.yml's defaults), run by bash in a checked-out
 * repository with the GITHUB_STEP_SUMMARY / GITHUB_OUTPUT / GITHUB_ENV files a runner provides; then the
 * upload step's condition and inputs, and the gate step with the scan step's outputs.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { assertGithubAcceptsSarif } from "../support/github-sarif.js";

const repo = path.resolve(import.meta.dirname, "../..");

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  "working-directory"?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(path.join(repo, "action.yml"), "utf8")) as Action;
const step = (id: string) => action.runs.steps.find((s) => s.id === id || s.name === id) as Step;

let work: string;
let checkout: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "rdsguard-action-"));
  checkout = path.join(work, "workspace");
  mkdirSync(path.join(checkout, "infra/db"), { recursive: true });
  cpSync(path.join(repo, "examples/templates"), path.join(checkout, "infra/db"), { recursive: true });
  spawnSync("git", ["init", "-q"], { cwd: checkout });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `${{ inputs.x }}`, `${{ github.action_path }}` and `${{ steps.scan.outputs.x }}` as the runner fills them. */
function expand(text: string, inputs: Record<string, string>, outputs: Record<string, string> = {}): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expr);
    if (input) return inputs[input[1] as string] ?? action.inputs[input[1] as string]?.default ?? "";
    if (expr === "github.action_path") return repo;
    const output = /^steps\.scan\.outputs\.([\w-]+)$/.exec(expr);
    if (output) return outputs[output[1] as string] ?? "";
    throw new Error(`unexpected expression ${expr}`);
  });
}

function parseOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Runs the scan step as a runner would, in a fresh set of runner files. */
function runScanStep(
  name: string,
  inputs: Record<string, string>,
  where: { checkout?: string; env?: Record<string, string> } = {},
) {
  const root = where.checkout ?? checkout;
  const files = path.join(work, name);
  mkdirSync(files);
  const runnerFiles = {
    GITHUB_OUTPUT: path.join(files, "output"),
    GITHUB_STEP_SUMMARY: path.join(files, "summary.md"),
    GITHUB_ENV: path.join(files, "env"),
  };
  for (const f of Object.values(runnerFiles)) writeFileSync(f, "");
  const scan = step("scan");
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...runnerFiles, ...where.env };
  env.GITHUB_WORKSPACE = root;
  env.RUNNER_TEMP = files;
  env.NO_COLOR = "1";
  for (const [k, v] of Object.entries(scan.env ?? {})) env[k] = expand(v, inputs);
  const cwd = path.resolve(root, expand(scan["working-directory"] ?? ".", inputs));
  const r = spawnSync("bash", ["-e", "-c", expand(scan.run ?? "", inputs)], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: parseOutputs(runnerFiles.GITHUB_OUTPUT),
    summary: readFileSync(runnerFiles.GITHUB_STEP_SUMMARY, "utf8"),
    envFile: readFileSync(runnerFiles.GITHUB_ENV, "utf8"),
  };
}

function runGate(outputs: Record<string, string>) {
  const gate = step("Gate");
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const [k, v] of Object.entries(gate.env ?? {})) env[k] = expand(v, {}, outputs);
  return spawnSync("bash", ["-e", "-c", gate.run ?? ""], { env, encoding: "utf8" });
}

describe("action.yml", () => {
  it("is a composite action: set up Node, scan, upload-sarif with a category, gate", () => {
    expect(action.runs.using).toBe("composite");
    expect(action.runs.steps.map((s) => s.name)).toEqual([
      "Set up Node.js",
      "rdsguard scan",
      "Upload to code scanning",
      "Gate",
    ]);
    expect(step("Set up Node.js").with?.["node-version"]).toBe("${{ inputs.node-version }}");
    const upload = step("Upload to code scanning");
    expect(upload.uses).toBe("github/codeql-action/upload-sarif@v4");
    expect(upload.with).toEqual({
      sarif_file: "${{ steps.scan.outputs.sarif-file }}",
      category: "${{ inputs.category }}",
    });
    for (const input of [
      "paths",
      "config",
      "parameters",
      "fail-on",
      "baseline",
      "formats",
      "job-summary",
      "upload-sarif",
      "category",
      "node-version",
      "policy-ref",
    ]) {
      expect(action.inputs[input], input).toBeDefined();
    }
    for (const output of ["exit-code", "sarif-file", "failing", "new", "unknown", "suppressed", "errors"]) {
      expect(action.outputs[output]?.value).toBe(`\${{ steps.scan.outputs.${output} }}`);
    }
  });

  it("scans, writes the job summary and the outputs, and leaves the failing to the gate step", () => {
    const r = runScanStep("findings", { paths: "infra/" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.outputs["exit-code"]).toBe("1");
    expect(Number(r.outputs.failing)).toBeGreaterThan(5);
    expect(r.outputs.new).toBe(r.outputs.failing);
    expect(r.outputs.errors).toBe("0");
    // postgres-restore-from-snapshot.yaml waives its one undetermined finding inline; the text view counts it too.
    expect(r.outputs.suppressed).toBe("1");
    expect(r.stdout).toMatch(/, 1 suppressed,/);
    expect(r.outputs["sarif-file"]).toBe(path.join(checkout, "rdsguard.sarif"));
    expect(r.summary).toMatch(/^<!-- rdsguard -->/);
    expect(r.summary).toContain("infra/db/mysql-legacy-standalone.yaml");
    expect(r.stdout).toContain("rdsguard: "); // the text view in the log
    const sarif = JSON.parse(readFileSync(r.outputs["sarif-file"] as string, "utf8"));
    assertGithubAcceptsSarif(sarif, { repoRoot: checkout });
    expect(sarif.runs[0].automationDetails.id).toBe("rdsguard/templates/");
    const gate = runGate(r.outputs);
    expect(gate.status).toBe(1);
    expect(gate.stdout).toContain("rdsguard exited 1");
  });

  it("from a working directory, with a baseline: repository paths, 0 new, the gate passes", () => {
    const first = runScanStep("baseline", {
      paths: "infra/",
      formats: "json=rdsguard-baseline.json",
      "job-summary": "false",
    });
    expect(first.summary).toBe("");
    const r = runScanStep("gated", {
      "working-directory": "infra",
      paths: "db",
      baseline: "../rdsguard-baseline.json",
      category: "rdsguard/infra",
      "sarif-file": "../gated.sarif",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.outputs["exit-code"]).toBe("0");
    expect(r.outputs.new).toBe("0");
    expect(Number(r.outputs.failing)).toBeGreaterThan(5);
    const sarif = JSON.parse(readFileSync(path.join(checkout, "gated.sarif"), "utf8"));
    assertGithubAcceptsSarif(sarif, { repoRoot: checkout });
    expect(sarif.runs[0].automationDetails.id).toBe("rdsguard/infra/");
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/^infra\/db\//);
    const gate = runGate(r.outputs);
    expect(gate.status).toBe(0);
  });

  it("an input error ends in exit code 2 and the gate fails", () => {
    const r = runScanStep("broken", { paths: "no-such-dir/" });
    expect(r.outputs["exit-code"]).toBe("2");
    expect(r.outputs.errors).toBe("1");
    expect(runGate(r.outputs).status).toBe(2);
  });

  it("an explicit policy-ref is passed through, and outside a pull request nothing else is added", () => {
    const r = runScanStep("policy-ref", { paths: "infra/", "policy-ref": "origin/main" });
    expect(r.stdout).toContain("--policy-ref origin/main");
    expect(r.stdout).not.toContain("--policy-base");
    // This checkout has no origin/main: a located error, exit 2, and the gate fails.
    expect(r.outputs["exit-code"]).toBe("2");
    expect(runGate(r.outputs).status).toBe(2);
  });

  it("on a pull request the policy comes from the base branch (fetched into a shallow checkout) and a weakening fails the gate", () => {
    // A remote with main (a reviewed policy), and a pull request that disables a rule.
    const origin = path.join(work, "origin.git");
    const author = path.join(work, "author");
    const git = (cwd: string, ...args: string[]) => {
      const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd,
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    spawnSync("git", ["init", "-q", "--bare", "-b", "main", origin]);
    mkdirSync(path.join(author, "infra/db"), { recursive: true });
    git(author, "init", "-q", "-b", "main");
    cpSync(path.join(repo, "examples/templates"), path.join(author, "infra/db"), { recursive: true });
    writeFileSync(path.join(author, "rdsguard.yaml"), "version: 1\nrules:\n  iam-auth:\n    enabled: true\n");
    git(author, "add", ".");
    git(author, "commit", "-q", "-m", "base");
    git(author, "remote", "add", "origin", origin);
    git(author, "push", "-q", "origin", "main");
    git(author, "checkout", "-q", "-b", "pr");
    writeFileSync(path.join(author, "rdsguard.yaml"), "version: 1\nrules:\n  iam-auth:\n    enabled: false\n");
    git(author, "commit", "-q", "-am", "relax");
    git(author, "push", "-q", "origin", "pr");
    // What actions/checkout gives a pull request: the head only, no origin/main.
    const pr = path.join(work, "pr-checkout");
    git(work, "clone", "-q", "--depth=1", "--branch", "pr", `file://${origin}`, pr);
    expect(
      spawnSync("git", ["rev-parse", "--verify", "--quiet", "refs/remotes/origin/main"], { cwd: pr }).status,
    ).not.toBe(0);

    const r = runScanStep("pull-request", { paths: "infra/" }, { checkout: pr, env: { GITHUB_BASE_REF: "main" } });
    expect(r.stdout).toContain("--policy-ref origin/main --policy-base origin/main");
    const report = JSON.parse(readFileSync(path.join(pr, "rdsguard.sarif"), "utf8")) as {
      runs: {
        results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      }[];
    };
    const weakened = report.runs[0]?.results.filter((x) => x.ruleId === "policy-weakened") ?? [];
    expect(weakened.map((x) => x.locations[0]?.physicalLocation.artifactLocation.uri)).toEqual(["rdsguard.yaml"]);
    // The base's policy judges: iam-auth findings are still there.
    expect(report.runs[0]?.results.some((x) => x.ruleId === "iam-auth")).toBe(true);
    expect(r.outputs["exit-code"]).toBe("1");
    expect(runGate(r.outputs).status).toBe(1);

    // "none" reads the working tree's policy and compares nothing.
    const off = runScanStep(
      "pull-request-off",
      { paths: "infra/", "policy-ref": "none", "policy-base": "none" },
      { checkout: pr, env: { GITHUB_BASE_REF: "main" } },
    );
    expect(off.stdout).not.toContain("--policy-ref");
  });
});
