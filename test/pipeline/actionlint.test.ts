/**
 * actionlint (rhysd/actionlint, installed by .ci/run) on every workflow the repository holds or documents:
 * .github/workflows/*.yml; action.yml (its inputs through a workflow that uses `./`, and its composite steps as
 * a reusable workflow's job, so expressions, contexts and scripts are checked); and every fenced ```yaml block
 * in README.md and docs/*.md that is a workflow or a list of workflow steps. Other YAML blocks (policy files,
 * GitLab CI) are counted apart, so nothing is skipped silently.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const repo = path.resolve(import.meta.dirname, "../..");

function findActionlint(): string {
  const candidates = [process.env.ACTIONLINT, path.join(homedir(), "go/bin/actionlint")];
  try {
    candidates.push(path.join(execFileSync("go", ["env", "GOPATH"], { encoding: "utf8" }).trim(), "bin/actionlint"));
  } catch {
    // no Go
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) candidates.push(path.join(dir, "actionlint"));
  const found = candidates.find((c): c is string => c !== undefined && c !== "" && existsSync(c));
  if (!found) {
    throw new Error(
      "actionlint not found: go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 (as .ci/run does), or set ACTIONLINT",
    );
  }
  return found;
}

const actionlint = findActionlint();
const work = mkdtempSync(path.join(tmpdir(), "rdsguard-actionlint-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
/** Lints workflow files placed in a scratch repository (actionlint wants .github/workflows and a repository). */
function lint(workflows: Record<string, string>, extra: Record<string, string> = {}): string {
  const dir = path.join(work, `case-${++counter}`);
  mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
  spawnSync("git", ["init", "-q"], { cwd: dir });
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text);
  for (const [name, text] of Object.entries(workflows)) writeFileSync(path.join(dir, ".github/workflows", name), text);
  const r = spawnSync(actionlint, ["-no-color", ...Object.keys(workflows).map((n) => `.github/workflows/${n}`)], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
  });
  return r.status === 0 ? "" : `${r.stdout}${r.stderr}` || `actionlint exited ${r.status}`;
}

interface Snippet {
  file: string;
  line: number;
  text: string;
}

function yamlBlocks(file: string): Snippet[] {
  const lines = readFileSync(path.join(repo, file), "utf8").split("\n");
  const blocks: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i] ?? "")) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
    blocks.push({ file, line: start + 1, text: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

type Kind = "workflow" | "jobs" | "steps" | "gitlab" | "other";

function classify(text: string): { kind: Kind; doc: unknown } {
  const dedented = dedent(text);
  const doc = parse(dedented) as unknown;
  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    const keys = Object.keys(doc);
    if (keys.includes("jobs") && keys.includes("on")) return { kind: "workflow", doc };
    if (keys.length === 1 && keys[0] === "jobs") return { kind: "jobs", doc };
    const values = Object.values(doc as Record<string, unknown>);
    if (values.some((v) => v && typeof v === "object" && "script" in (v as object))) return { kind: "gitlab", doc };
    return { kind: "other", doc };
  }
  if (Array.isArray(doc) && doc.every((s) => s && typeof s === "object" && ("uses" in s || "run" in s))) {
    return { kind: "steps", doc };
  }
  return { kind: "other", doc };
}

function dedent(text: string): string {
  const lines = text.split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join("\n");
}

const docs = [
  "README.md",
  ...readdirSync(path.join(repo, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const snippets = docs.flatMap(yamlBlocks).map((s) => ({ ...s, ...classify(s.text) }));

describe("actionlint", () => {
  it("accepts every workflow in .github/workflows", () => {
    const dir = path.join(repo, ".github/workflows");
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.sort()).toEqual(["ci.yml", "release.yml"]);
    const workflows = Object.fromEntries(files.map((f) => [f, readFileSync(path.join(dir, f), "utf8")]));
    expect(lint(workflows, { "action.yml": readFileSync(path.join(repo, "action.yml"), "utf8") })).toBe("");
  });

  it("accepts action.yml: its inputs as a workflow uses them, and its composite steps as a job", () => {
    const action = parse(readFileSync(path.join(repo, "action.yml"), "utf8")) as {
      inputs: Record<string, { description: string; default?: string }>;
      runs: { steps: unknown[] };
    };
    const withEvery = Object.fromEntries(Object.keys(action.inputs).map((k) => [k, action.inputs[k]?.default ?? "x"]));
    const uses = stringify({
      name: "uses-action",
      on: "push",
      jobs: {
        scan: { "runs-on": "ubuntu-latest", steps: [{ uses: "actions/checkout@v4" }, { uses: "./", with: withEvery }] },
      },
    });
    const asJob = stringify({
      name: "composite-steps",
      on: {
        workflow_call: {
          inputs: Object.fromEntries(
            Object.entries(action.inputs).map(([k, v]) => [
              k,
              { type: "string", required: false, default: v.default ?? "" },
            ]),
          ),
        },
      },
      jobs: { scan: { "runs-on": "ubuntu-latest", steps: action.runs.steps } },
    });
    const actionYml = readFileSync(path.join(repo, "action.yml"), "utf8");
    expect(lint({ "uses.yml": uses, "composite.yml": asJob }, { "action.yml": actionYml })).toBe("");
    // The linting is real: an input the action does not declare is an error.
    const wrong = uses.replace("paths:", "no-such-input:");
    expect(lint({ "wrong.yml": wrong }, { "action.yml": actionYml })).toMatch(/input "no-such-input" is not defined/);
  });

  it("accepts every workflow and workflow-steps snippet in README.md and docs/", () => {
    const counts: Record<Kind, number> = { workflow: 0, jobs: 0, steps: 0, gitlab: 0, other: 0 };
    const problems: string[] = [];
    for (const s of snippets) {
      counts[s.kind]++;
      let workflow: string | undefined;
      if (s.kind === "workflow") workflow = dedent(s.text);
      if (s.kind === "jobs") workflow = stringify({ name: "snippet", on: "workflow_dispatch", ...(s.doc as object) });
      if (s.kind === "steps") {
        const steps = [{ uses: "actions/checkout@v4" }, ...(s.doc as unknown[])];
        workflow = stringify({ name: "snippet", on: "push", jobs: { snippet: { "runs-on": "ubuntu-latest", steps } } });
      }
      if (workflow === undefined) continue;
      const out = lint(
        { "snippet.yml": workflow },
        { "action.yml": readFileSync(path.join(repo, "action.yml"), "utf8") },
      );
      if (out !== "") problems.push(`${s.file}:${s.line}\n${out}`);
    }
    expect(problems).toEqual([]);
    expect(counts.workflow).toBeGreaterThanOrEqual(3);
    expect(counts.steps).toBeGreaterThanOrEqual(2);
    expect(counts.jobs).toBeGreaterThanOrEqual(1);
    expect(counts.gitlab).toBe(1);
    // What is not linted is named: GitLab CI and non-workflow YAML (policies), never a GitHub workflow.
    const others = snippets.filter((s) => s.kind === "other" && /\b(runs-on|uses:|jobs:)/.test(s.text));
    expect(others.map((s) => `${s.file}:${s.line}`)).toEqual([]);
  });

  it("is not vacuous: it rejects a broken workflow", () => {
    const broken =
      "name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nosuch }}\n";
    expect(lint({ "broken.yml": broken })).toMatch(/property "nosuch" is not defined/);
  });
});
