/**
 * The package as a consumer gets it: `npm pack`, installed from the tarball into an empty project (its
 * dependencies from the npm cache or the registry), then the README's install recipe: `npx rdsguard scan`,
 * `npx rdsguard init`. The tarball carries LICENSE, README, docs, rules.yaml and the schema; installing it runs
 * no lifecycle script; the `$schema` that init writes is the schema's URL in the repository at this version's
 * tag, and that file is the one shipped.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const repo = path.resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as {
  version: string;
  repository: { url: string };
  homepage: string;
  bugs: { url: string };
  scripts: Record<string, string>;
  files: string[];
};

let work: string;
let project: string;
let tarball: string;
let installLog: string;

function run(cmd: string, args: string[], cwd: string, timeout = 120_000) {
  const env = { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false", npm_config_fund: "false" };
  return spawnSync(cmd, args, { cwd, encoding: "utf8", timeout, env });
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "rdsguard-pack-"));
  // dist/ is built by `pretest`; packing must not rebuild it under the other test files' feet.
  const packed = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], repo);
  if (packed.status !== 0) throw new Error(packed.stderr);
  tarball = path.join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]?.filename ?? "");
  project = path.join(work, "consumer");
  mkdirSync(path.join(project, "infra"), { recursive: true });
  writeFileSync(path.join(project, "package.json"), '{ "name": "consumer", "version": "1.0.0", "private": true }\n');
  cpSync(path.join(repo, "examples/templates"), path.join(project, "infra"), { recursive: true });
  const installed = run("npm", ["install", "--no-audit", "--prefer-offline", tarball], project, 240_000);
  installLog = `${installed.stdout}${installed.stderr}`;
  if (installed.status !== 0) throw new Error(`npm install ${tarball} failed:\n${installLog}`);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed tarball, installed into an empty project", () => {
  it("is built by prepack (not prepare) and names its repository, homepage and issue tracker", () => {
    expect(pkg.scripts.prepack).toBe("npm run build");
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/);
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\//);
    expect(pkg.bugs.url).toMatch(/\/issues$/);
    expect(readFileSync(path.join(repo, "LICENSE"), "utf8")).toContain(
      "Apache License\n                           Version 2.0",
    );
  });

  it("installs without warnings and ships LICENSE, README, docs, rules.yaml and the schema", () => {
    expect(installLog).not.toMatch(/npm warn|prepare/i);
    const installed = path.join(project, "node_modules/rdsguard");
    for (const file of ["LICENSE", "README.md", "docs/ci.md", "docs/policy.md", "rules.yaml", "dist/cli.js"]) {
      expect(existsSync(path.join(installed, file)), file).toBe(true);
    }
    expect(existsSync(path.join(installed, "src"))).toBe(false);
    expect(existsSync(path.join(installed, "test"))).toBe(false);
  });

  it("npx rdsguard scan: findings, exit 1, repository-relative paths", () => {
    const r = run("npx", ["--no-install", "rdsguard", "scan", "infra/", "--format", "json"], project);
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: Array<{ verdict: string; location?: { file: string } }> };
    expect(report.findings.filter((f) => f.verdict === "fail").length).toBeGreaterThan(5);
    expect(report.findings[0]?.location?.file).toMatch(/^infra\//);
    const version = run("npx", ["--no-install", "rdsguard", "--version"], project);
    expect(version.stdout.trim()).toContain(pkg.version);
  });

  it("npx rdsguard init writes a policy whose $schema is the schema's URL in the repository at this version", () => {
    const r = run("npx", ["--no-install", "rdsguard", "init"], project);
    expect(r.status, r.stderr).toBe(0);
    const policy = readFileSync(path.join(project, "rdsguard.yaml"), "utf8");
    const schemaUrl = /\$schema=(\S+)/.exec(policy)?.[1];
    const repoUrl = pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
    const raw = repoUrl.replace("https://github.com/", "https://raw.githubusercontent.com/");
    expect(schemaUrl).toBe(`${raw}/v${pkg.version}/schema/policy.schema.json`);
    // The path after the tag is a file of the repository, and the package ships the same file.
    const relative = (schemaUrl ?? "").slice(`${raw}/v${pkg.version}/`.length);
    expect(readFileSync(path.join(project, "node_modules/rdsguard", relative), "utf8")).toBe(
      readFileSync(path.join(repo, relative), "utf8"),
    );
    // The starter policy loads: a scan with it runs.
    const scan = run("npx", ["--no-install", "rdsguard", "scan", "infra/", "--format", "json"], project);
    expect(scan.status, scan.stderr).toBe(1);
  });
});

/** Every `rdsguard scan` / `rdsguard merge` command line of the README's and docs' CI recipes (sh and YAML blocks). */
function recipeCommands(): Array<{ where: string; command: string }> {
  const out: Array<{ where: string; command: string }> = [];
  for (const file of ["README.md", "docs/ci.md", "docs/audit.md"]) {
    const text = readFileSync(path.join(repo, file), "utf8");
    for (const m of text.matchAll(/^```(sh|yaml)\n([\s\S]*?)^```$/gm)) {
      const [, lang, body = ""] = m;
      const where = `${file}:${text.slice(0, m.index).split("\n").length}`;
      const candidates: string[] = [];
      if (lang === "sh") candidates.push(...body.split("\n").map((l) => l.replace(/\s+#.*$/, "")));
      else {
        const collect = (v: unknown): void => {
          if (typeof v === "string") candidates.push(v.replace(/\s*\n\s*/g, " "));
          else if (Array.isArray(v)) v.forEach(collect);
          else if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v))
              if (k === "run" || k === "script" || typeof x === "object") collect(x);
          }
        };
        const lines = body.split("\n");
        const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0));
        collect(parse(lines.map((l) => l.slice(indent)).join("\n")));
      }
      for (const c of candidates) {
        const command = c.trim();
        if (/^rdsguard (scan|merge) /.test(command)) out.push({ where, command });
      }
    }
  }
  return out;
}

describe("the CI recipes' commands, run as written with the installed package", () => {
  it("every rdsguard scan / merge command of README.md, docs/ci.md and docs/audit.md runs (exit 0 or 1, never 2)", () => {
    const commands = recipeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(6);
    const bin = path.join(project, "node_modules/.bin");
    // What the recipes read: infra/ (present) and, for merge, audit shards (made here from a scan's JSON).
    run(
      "npx",
      ["--no-install", "rdsguard", "scan", "infra/", "--format", "json=audit-a.json", "--fail-on", "none"],
      project,
    );
    const results = commands.map(({ where, command }) => {
      const r = spawnSync("bash", ["-c", command], {
        cwd: project,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, NO_COLOR: "1" },
      });
      return { where, command, status: r.status, stderr: r.stderr.slice(0, 300) };
    });
    expect(results.filter((r) => r.status !== 0 && r.status !== 1)).toEqual([]);
    expect(results.filter((r) => /--fail-on none/.test(r.command) && r.status !== 0)).toEqual([]);
  });
});
