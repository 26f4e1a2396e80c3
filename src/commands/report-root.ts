/**
 * The one directory that every path in a report (and in every fingerprint) is relative to: `--root DIR` when
 * given, else the git top-level of the first scanned path, else the working directory. GitHub resolves SARIF
 * `uri`s against the repository root, and baselines must match wherever the scan runs from, so the root is the
 * repository's, not the shell's.
 *
 * The top-level is found as git finds it, without spawning git: walk up from the path to the first directory
 * holding `.git` (a directory for a plain clone, a file for a worktree or a submodule). Answers are cached per
 * directory, so a scan of many paths looks at each directory once.
 */
import { statSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";

const topLevelCache = new Map<string, string | null>();

/** The git top-level holding `dir` (absolute), or undefined outside any repository. */
export function gitTopLevel(dir: string): string | undefined {
  const visited: string[] = [];
  let current = path.resolve(dir);
  let found: string | null = null;
  for (;;) {
    const cached = topLevelCache.get(current);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    visited.push(current);
    if (hasGitEntry(current)) {
      found = current;
      break;
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const v of visited) topLevelCache.set(v, found);
  return found ?? undefined;
}

function hasGitEntry(dir: string): boolean {
  try {
    const s = statSync(path.join(dir, ".git"));
    return s.isDirectory() || s.isFile();
  } catch {
    return false;
  }
}

/** The directory a command-line input starts in: the input's own directory, or a glob's static base. */
function inputDirectory(input: string, cwd: string): string {
  const scanned = picomatch.scan(input);
  const base = scanned.isGlob ? scanned.base || "." : input;
  const abs = path.resolve(cwd, base);
  try {
    return statSync(abs).isDirectory() ? abs : path.dirname(abs);
  } catch {
    return path.dirname(abs);
  }
}

export interface RootChoice {
  /** Absolute directory. */
  root: string;
  /** How it was chosen, for --verbose output and tests. */
  source: "option" | "git" | "cwd";
}

/**
 * `--root DIR` (relative to cwd; must be a directory), else the git top-level of the first input (of `cwd` when
 * there is none), else `cwd`. Throws on a --root that is not a directory.
 */
export function chooseReportRoot(options: { root?: string; inputs?: readonly string[]; cwd: string }): RootChoice {
  const { cwd } = options;
  if (options.root !== undefined) {
    const abs = path.resolve(cwd, options.root);
    let isDirectory = false;
    try {
      isDirectory = statSync(abs).isDirectory();
    } catch {
      // reported below
    }
    if (!isDirectory) throw new Error(`--root: ${options.root} is not a directory`);
    return { root: abs, source: "option" };
  }
  const first = options.inputs?.[0];
  const top = gitTopLevel(first === undefined ? cwd : inputDirectory(first, cwd));
  return top !== undefined ? { root: top, source: "git" } : { root: path.resolve(cwd), source: "cwd" };
}

export const ROOT_USAGE = `  --root DIR               directory that report paths and fingerprints are relative to (default: the
                           git top-level of the first PATH, else the working directory)`;
