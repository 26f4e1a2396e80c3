#!/usr/bin/env node
// The GitHub Action's scan step (action.yml). Reads its inputs from RDSGUARD_* variables, builds rdsguard from the
// action's own checkout when dist/ is missing, runs `rdsguard scan` writing SARIF, JSON (for the counts) and
// Markdown (for the job summary), and writes the step outputs to $GITHUB_OUTPUT. It exits 0 whatever the gate
// says, so the upload step runs; the action's last step fails the job on the exit code.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const env = process.env;
const actionPath = path.resolve(env.RDSGUARD_ACTION_PATH || path.join(import.meta.dirname, ".."));
const cli = path.join(actionPath, "dist", "cli.js");

function log(line) {
  process.stdout.write(`${line}\n`);
}

function setOutput(name, value) {
  const line = `${name}=${String(value).replace(/[\r\n]+/g, " ")}\n`;
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, line);
  else log(`output ${line.trimEnd()}`);
}

function isTrue(value, fallback) {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "") return fallback;
  if (["true", "yes", "1", "on"].includes(v)) return true;
  if (["false", "no", "0", "off"].includes(v)) return false;
  throw new Error(`expected true or false, got '${value}'`);
}

function words(value) {
  return (value ?? "").split(/\s+/).filter((w) => w !== "");
}

function lines(value) {
  return (value ?? "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** Builds dist/ from the action's checkout (a tag of the repository carries sources only). */
function ensureBuilt() {
  if (existsSync(cli)) return;
  log("::group::Building rdsguard from the action's checkout");
  for (const args of [
    ["ci", "--no-audit", "--no-fund", "--ignore-scripts"],
    ["run", "build"],
  ]) {
    const r = spawnSync("npm", args, { cwd: actionPath, stdio: "inherit", timeout: 600_000 });
    if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed in ${actionPath}`);
  }
  log("::endgroup::");
}

/** Makes origin/BRANCH resolvable in a shallow checkout (actions/checkout fetches only the merge commit). */
function ensureBaseRef(workspace, branch) {
  const has = spawnSync("git", ["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}^{commit}`], {
    cwd: workspace,
  });
  if (has.status === 0) return;
  log(`fetching the pull request's base branch ${branch} for the policy`);
  const fetched = spawnSync(
    "git",
    ["fetch", "--no-tags", "--depth=1", "origin", `+refs/heads/${branch}:refs/remotes/origin/${branch}`],
    { cwd: workspace, stdio: ["ignore", "inherit", "inherit"] },
  );
  if (fetched.status !== 0) {
    throw new Error(
      `cannot fetch origin/${branch}, the pull request's base, to read the policy from; set policy-ref and policy-base to "none" to use the working tree's`,
    );
  }
}

function main() {
  const workspace = process.cwd();
  const temp = mkdtempSync(path.join(env.RUNNER_TEMP || tmpdir(), "rdsguard-"));
  const jsonFile = path.join(temp, "rdsguard.json");
  const markdownFile = path.join(temp, "rdsguard-summary.md");
  const jobSummary = isTrue(env.RDSGUARD_JOB_SUMMARY, true) && Boolean(env.GITHUB_STEP_SUMMARY);
  const uploadSarif = isTrue(env.RDSGUARD_UPLOAD_SARIF, true);
  const sarifFile = path.resolve(workspace, env.RDSGUARD_SARIF_FILE || "rdsguard.sarif");
  const category = (env.RDSGUARD_CATEGORY ?? "").trim();

  ensureBuilt();
  const args = ["scan", ...words(env.RDSGUARD_PATHS || ".")];
  if (env.RDSGUARD_CONFIG) args.push("--config", env.RDSGUARD_CONFIG);
  if (env.RDSGUARD_PARAMETERS) args.push("--parameters", env.RDSGUARD_PARAMETERS);
  if (env.RDSGUARD_FAIL_ON) args.push("--fail-on", env.RDSGUARD_FAIL_ON);
  if (env.RDSGUARD_BASELINE) args.push("--baseline", env.RDSGUARD_BASELINE);
  // Gate integrity: on a pull request the policy comes from its base branch and weakenings are findings, unless
  // the inputs say otherwise (a ref, a file, or "none"). GITHUB_BASE_REF is set by the runner on pull_request events.
  const baseBranch = (env.GITHUB_BASE_REF ?? "").trim();
  const baseRef = baseBranch ? `origin/${baseBranch}` : "";
  const choose = (input) => {
    const value = (input ?? "").trim();
    return value === "none" ? "" : value || baseRef;
  };
  const policyRef = choose(env.RDSGUARD_POLICY_REF);
  const policyBase = choose(env.RDSGUARD_POLICY_BASE);
  if (baseRef && (policyRef === baseRef || policyBase === baseRef)) ensureBaseRef(workspace, baseBranch);
  if (policyRef) args.push("--policy-ref", policyRef);
  if (policyBase) args.push("--policy-base", policyBase);
  if (env.RDSGUARD_ALLOW_POLICY_CHANGES === "true") args.push("--allow-policy-changes");
  args.push("--format", `json=${jsonFile}`, "--format", `sarif=${sarifFile}`);
  if (jobSummary) args.push("--format", `markdown=${markdownFile}`, "--markdown-limit", "job-summary");
  for (const spec of lines(env.RDSGUARD_FORMATS)) args.push("--format", spec);
  args.push(...words(env.RDSGUARD_ARGS));
  if (!args.some((a, i) => a === "--format" && /^(text|github)(=-)?$/.test(args[i + 1] ?? ""))) {
    args.push("--format", "text");
  }

  log(`rdsguard ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: workspace, stdio: "inherit" });
  const exitCode = r.status ?? 2;
  setOutput("exit-code", exitCode);

  let report;
  try {
    report = JSON.parse(readFileSync(jsonFile, "utf8"));
  } catch {
    report = undefined;
  }
  const findings = report?.findings ?? [];
  const active = findings.filter((f) => f.verdict === "fail" && !f.suppression);
  setOutput("failing", active.length);
  setOutput("new", active.filter((f) => f.baselineState !== "unchanged").length);
  setOutput("unknown", findings.filter((f) => f.verdict === "unknown" && !f.suppression).length);
  setOutput(
    "suppressed",
    findings.filter((f) => (f.verdict === "fail" || f.verdict === "unknown") && f.suppression).length,
  );
  setOutput("errors", report?.errors?.length ?? (exitCode === 2 ? 1 : 0));

  if (existsSync(sarifFile)) {
    if (category !== "") {
      // upload-sarif prefers the file's automationDetails.id over its category input: write the category there.
      const sarif = JSON.parse(readFileSync(sarifFile, "utf8"));
      for (const run of sarif.runs ?? [])
        run.automationDetails = { id: category.endsWith("/") ? category : `${category}/` };
      writeFileSync(sarifFile, `${JSON.stringify(sarif, null, 2)}\n`);
    }
    setOutput("sarif-file", sarifFile);
  } else {
    setOutput("sarif-file", "");
  }
  if (!uploadSarif) log("SARIF upload is off (upload-sarif: false)");
  if (jobSummary && existsSync(markdownFile))
    appendFileSync(env.GITHUB_STEP_SUMMARY, readFileSync(markdownFile, "utf8"));
}

try {
  main();
} catch (err) {
  process.stderr.write(`::error title=rdsguard action::${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
