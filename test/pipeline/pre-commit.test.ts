/**
 * The pre-commit hook (.pre-commit-hooks.yaml) under the real pre-commit (PyPI; .ci/run installs it pinned), with
 * `pre-commit try-repo` on a temporary repository. The hook is `language: system`: it runs the rdsguard on PATH,
 * here the packed tarball installed globally (into a scratch prefix) as docs/ci.md says, on the system's
 * Node.js. pre-commit passes the staged files that can be templates; exit codes are kept.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const repo = path.resolve(import.meta.dirname, "../..");
let work: string;
let project: string;
let env: NodeJS.ProcessEnv;

function git(cwd: string, ...args: string[]) {
  const r = spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    cwd,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

function tryRepo(args: string[]) {
  const r = spawnSync("pre-commit", ["try-repo", repo, "rdsguard", "--verbose", ...args], {
    cwd: project,
    encoding: "utf8",
    env,
    timeout: 600_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "rdsguard-pre-commit-"));
  project = path.join(work, "project");
  mkdirSync(path.join(project, "infra"), { recursive: true });
  // rdsguard installed from the packed tarball into a scratch prefix, first on PATH.
  const prefix = path.join(work, "prefix");
  const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
    cwd: repo,
    encoding: "utf8",
  });
  const tarball = path.join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]?.filename ?? "");
  const installed = spawnSync(
    "npm",
    ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", tarball],
    {
      encoding: "utf8",
      timeout: 240_000,
    },
  );
  if (installed.status !== 0) throw new Error(`npm install -g ${tarball}: ${installed.stderr}`);
  env = {
    ...process.env,
    PATH: `${path.join(prefix, "bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    PRE_COMMIT_HOME: path.join(work, "cache"),
    NO_COLOR: "1",
  };
  cpSync(path.join(repo, "examples/templates/mysql-legacy-standalone.yaml"), path.join(project, "infra/legacy.yaml"));
  cpSync(
    path.join(repo, "examples/templates/aurora-postgresql-production.yaml"),
    path.join(project, "infra/production.yaml"),
  );
  // Not a file the hook takes (.txt): an unparsable template that would be an error (exit 2) if it were passed.
  writeFileSync(path.join(project, "infra/notes.txt"), "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n  : [\n");
  writeFileSync(path.join(project, "README.md"), "# infra\n");
  git(project, "init", "-q");
  git(project, "add", ".");
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe(".pre-commit-hooks.yaml under pre-commit try-repo", () => {
  it("declares a system hook for the files that can be templates", () => {
    const hooks = parse(readFileSync(path.join(repo, ".pre-commit-hooks.yaml"), "utf8")) as Array<
      Record<string, unknown>
    >;
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      id: "rdsguard",
      entry: "rdsguard scan",
      language: "system",
      require_serial: true,
    });
    const files = new RegExp(String(hooks[0]?.files));
    for (const f of ["a.yaml", "b/c.yml", "d.json", "e.template"]) expect(files.test(f), f).toBe(true);
    for (const f of ["notes.txt", "README.md", "x.ts"]) expect(files.test(f), f).toBe(false);
  });

  it("fails on the staged failing template (exit 1), with the file names passed in, and not on other files", () => {
    const r = tryRepo(["--all-files"]);
    expect(r.status, r.output).toBe(1);
    expect(r.output).toContain("infra/legacy.yaml");
    expect(r.output).toMatch(/16:3\s+high\s+storage-encrypted/);
    expect(r.output).not.toContain("notes.txt");
    expect(r.output).toMatch(/rdsguard: \d+ failing findings/);
  }, 600_000);

  it("passes (exit 0) when only the compliant template is checked", () => {
    const r = tryRepo(["--files", "infra/production.yaml", "README.md"]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain("Passed");
  }, 600_000);

  it("keeps exit code 2 for a template that does not parse", () => {
    writeFileSync(
      path.join(project, "infra/broken.yaml"),
      "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db: [\n    Type: AWS::RDS::DBInstance\n",
    );
    git(project, "add", "infra/broken.yaml");
    const r = tryRepo(["--files", "infra/broken.yaml"]);
    expect(r.output).toMatch(/exit code: 2/);
    expect(r.status).toBe(1); // pre-commit itself exits 1 when a hook fails; the hook's own code is in its output
    expect(r.output).toContain("infra/broken.yaml");
  }, 600_000);
});
