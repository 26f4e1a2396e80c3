/**
 * The policy as a git ref has it (`--policy-ref REF`, `--policy-base REF`): the policy file (--config's path, else
 * ./rdsguard.yaml) read from the ref instead of the working tree, and the plugins it names copied out of the ref into
 * a temporary directory to be imported from there, so nothing of the working tree runs. In that directory
 * `node_modules/rdsguard` links to the running rdsguard, so a plugin's `import ... from "rdsguard"` resolves; other
 * imports of a plugin must be bundled into it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { ScanError } from "../model/errors.js";
import { packageRoot } from "../util/package-root.js";
import { findRepo, type GitRepo, readAtCommit, repoPath, resolveCommit } from "./git.js";
import { type PolicySource, parsePolicyText, readPolicySources, USER_POLICY_FILE } from "./load.js";
import type { PluginRef } from "./types.js";

/** A ref resolved in a repository. */
export interface RefView {
  repo: GitRepo;
  /** As the user wrote it (messages and display paths). */
  ref: string;
  commit: string;
}

/** The repository containing `dir` and the commit `ref` names, or why not. */
export function openRef(dir: string, ref: string, option: string): { view?: RefView; error?: ScanError } {
  const repo = findRepo(dir);
  if (!repo.ok) return { error: { kind: "policy", message: `${option} ${ref}: ${repo.message}` } };
  const commit = resolveCommit(repo.value, ref);
  if (!commit.ok) return { error: { kind: "policy", message: `${option} ${ref}: ${commit.message}` } };
  return { view: { repo: repo.value, ref, commit: commit.value } };
}

/** How a file of the ref is shown: git's own REF:path notation. */
export function refDisplay(view: RefView, path: string): string {
  return `${view.ref}:${path}`;
}

/**
 * rules.yaml (from the package) and the ref's version of the user's policy file. The file's `absolute` stays the
 * working-tree path it corresponds to, so the plugins it names resolve to repository paths. A ref without
 * ./rdsguard.yaml means the shipped defaults; a --config path the ref does not have is an error.
 */
export function readRefPolicySources(
  view: RefView,
  opts: { cwd: string; configPath?: string },
  option: string,
): PolicySource[] {
  const shipped = readPolicySources({ cwd: opts.cwd }).filter((s) => s.shipped);
  const absolute = resolve(opts.cwd, opts.configPath ?? USER_POLICY_FILE);
  const path = repoPath(view.repo, absolute);
  if (path === undefined) {
    const file = opts.configPath ?? USER_POLICY_FILE;
    return [
      ...shipped,
      {
        file,
        absolute,
        shipped: false,
        errors: [
          {
            kind: "policy",
            file,
            message: `${option} ${view.ref}: ${file} is outside the repository ${view.repo.root}`,
          },
        ],
      },
    ];
  }
  const file = refDisplay(view, path);
  const read = readAtCommit(view.repo, view.commit, path);
  if (!read.ok) {
    if (read.missing && opts.configPath === undefined) return shipped;
    return [
      ...shipped,
      {
        file,
        absolute,
        shipped: false,
        errors: [
          { kind: "policy", file, message: `${option} ${view.ref}: cannot read policy file ${path}: ${read.message}` },
        ],
      },
    ];
  }
  return [...shipped, parsePolicyText({ file, absolute, shipped: false, errors: [] }, read.content.toString("utf8"))];
}

/** The file a plugin names, as the ref has it. */
export function readRefPlugin(view: RefView, ref: PluginRef): { content?: Buffer; path?: string; message?: string } {
  const path = repoPath(view.repo, ref.path);
  if (path === undefined)
    return { message: `it is outside the repository ${view.repo.root}, so ${view.ref} cannot have it` };
  const read = readAtCommit(view.repo, view.commit, path);
  return read.ok ? { content: read.content, path } : { path, message: `${view.ref}:${path}: ${read.message}` };
}

/**
 * Copies each plugin out of the ref into a fresh temporary directory (same repository-relative layout) and points
 * the refs there. `cleanup` removes the directory; call it once the plugins are imported.
 */
export function materializeRefPlugins(
  view: RefView,
  refs: readonly PluginRef[],
): { refs: PluginRef[]; errors: ScanError[]; cleanup(): void } {
  if (refs.length === 0) return { refs: [], errors: [], cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "rdsguard-policy-ref-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const out: PluginRef[] = [];
  const errors: ScanError[] = [];
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(packageRoot(), join(dir, "node_modules", "rdsguard"), "junction");
    for (const ref of refs) {
      const read = readRefPlugin(view, ref);
      if (read.content === undefined || read.path === undefined) {
        errors.push({
          kind: "policy",
          message: `plugin ${ref.spec}: cannot be read from ${view.ref}: ${read.message}`,
          ...(ref.loc ? { file: ref.loc.file, line: ref.loc.line, column: ref.loc.column } : {}),
        });
        continue;
      }
      const target = join(dir, "tree", ...read.path.split("/"));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, read.content);
      out.push({ ...ref, path: target });
    }
  } catch (err) {
    cleanup();
    throw err;
  }
  return { refs: out, errors, cleanup };
}
