/**
 * Reading files as a git ref has them (`--policy-ref`, `--policy-base`): the repository is found from a directory,
 * a ref is checked once, and each file is one `git cat-file` (bounded in size). Every failure comes back as a
 * sentence for a ScanError (exit 2), never as an exception.
 */
import { execFileSync } from "node:child_process";
import { isAbsolute, relative, resolve } from "node:path";

/** A policy file or plugin read from a ref is refused above this size (the policy loader's own budget is lower). */
export const MAX_REF_FILE_BYTES = 16 * 1024 * 1024;

export interface GitRepo {
  /** Absolute path of the work tree's top directory. */
  root: string;
}

export type GitResult<T> = { ok: true; value: T } | { ok: false; message: string };

function git(cwd: string, args: readonly string[], maxBuffer = 1024 * 1024): Buffer {
  return execFileSync("git", args, {
    cwd,
    maxBuffer,
    stdio: ["ignore", "pipe", "pipe"],
    // Never prompt, never page; a hook or an editor has nothing to do here.
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_PAGER: "cat", GIT_OPTIONAL_LOCKS: "0" },
  });
}

function failure(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
  if (e.code === "ENOENT") return "git is not installed (or not on PATH)";
  if (e.code === "ENOBUFS") return `it is larger than ${MAX_REF_FILE_BYTES / 1024 / 1024} MB`;
  const said = e.stderr?.toString("utf8").trim().split("\n")[0];
  return said ? said.replace(/^fatal: /, "") : String(e.message ?? err);
}

/** The repository that contains `dir`. */
export function findRepo(dir: string): GitResult<GitRepo> {
  try {
    const root = git(dir, ["rev-parse", "--show-toplevel"]).toString("utf8").trim();
    return { ok: true, value: { root: resolve(root) } };
  } catch (err) {
    return { ok: false, message: `${dir} is not inside a git repository (${failure(err)})` };
  }
}

/** The commit a ref names (branch, tag, remote branch, sha, HEAD~1...). */
export function resolveCommit(repo: GitRepo, ref: string): GitResult<string> {
  if (ref === "" || ref.startsWith("-")) return { ok: false, message: `'${ref}' is not a git ref` };
  try {
    const sha = git(repo.root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`])
      .toString("utf8")
      .trim();
    return { ok: true, value: sha };
  } catch {
    return {
      ok: false,
      message: `git ref '${ref}' does not exist in ${repo.root} (in CI, fetch it first: actions/checkout with fetch-depth: 0, or git fetch origin <branch>)`,
    };
  }
}

/** `absolute` as a path inside the repository (forward slashes), or undefined when it lies outside. */
export function repoPath(repo: GitRepo, absolute: string): string | undefined {
  const rel = relative(repo.root, absolute);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return rel.replace(/\\/g, "/");
}

/** The file at `path` (repository-relative) in `commit`; `missing` when the commit has no such file. */
export function readAtCommit(
  repo: GitRepo,
  commit: string,
  path: string,
): { ok: true; content: Buffer } | { ok: false; missing: boolean; message: string } {
  const object = `${commit}:${path}`;
  let type: string;
  try {
    type = git(repo.root, ["cat-file", "-t", object]).toString("utf8").trim();
  } catch {
    return { ok: false, missing: true, message: "no such file at that ref" };
  }
  if (type !== "blob") return { ok: false, missing: false, message: `it is a ${type} at that ref, not a file` };
  try {
    return { ok: true, content: git(repo.root, ["cat-file", "blob", object], MAX_REF_FILE_BYTES) };
  } catch (err) {
    return { ok: false, missing: false, message: failure(err) };
  }
}

/** Whether git tracks `path` (repository-relative) in the work tree's index: generated files (cdk.out) are not. */
export function isTracked(repo: GitRepo, path: string): boolean {
  try {
    return git(repo.root, ["ls-files", "--error-unmatch", "--", path]).length > 0;
  } catch {
    return false;
  }
}
