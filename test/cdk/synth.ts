/**
 * Synthesizes the example CDK app (examples/cdk) in-process, as `cdk synth` would, into a directory of the
 * repository (so report paths are relative), and runs the built CLI on the output.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import path from "node:path";
import { Aspects, type IAspect } from "aws-cdk-lib";
import { buildApp, type ExampleApp } from "../../examples/cdk/lib/app.js";
import type { ScanReport } from "../../src/engine/types.js";

export const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist/cli.js");

/** What the CDK CLI sets for `cdk synth`; stack traces stay on (the CLI's --debug), so sources are recorded. */
export const CLI_CONTEXT = {
  "aws:cdk:enable-path-metadata": true,
  "aws:cdk:enable-asset-metadata": true,
  "aws:cdk:version-reporting": true,
};

export interface Synthesized extends ExampleApp {
  /** The temporary directory (relative to the repository) holding cdk.out. */
  dir: string;
  /** dir/cdk.out, relative to the repository. */
  out: string;
}

/** `.rdsguard-tmp*` is ignored by git. */
export function tempDir(prefix: string): string {
  return path.relative(repo, mkdtempSync(path.join(repo, `.rdsguard-tmp-${prefix}-`)));
}

export function synthExample(
  options: { context?: Record<string, unknown>; aspect?: IAspect; dir?: string } = {},
): Synthesized {
  const dir = options.dir ?? tempDir("cdk");
  const out = path.join(dir, "cdk.out");
  const example = buildApp({ outdir: path.join(repo, out), context: options.context ?? CLI_CONTEXT });
  if (options.aspect) Aspects.of(example.prod).add(options.aspect);
  example.app.synth();
  return { ...example, dir, out };
}

export function rdsguard(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function scanJson(args: string[]): { code: number | null; report: ScanReport; stderr: string } {
  const r = rdsguard(["scan", ...args, "--format", "json"]);
  return { code: r.code, report: JSON.parse(r.stdout) as ScanReport, stderr: r.stderr };
}

/** 1-based line and column of the first occurrence of `needle` in a file, after the line holding `after`. */
export function positionOf(file: string, needle: string, after?: string): { line: number; column: number } {
  const lines = readFileSync(path.join(repo, file), "utf8").split("\n");
  const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after));
  if (start < 0) throw new Error(`${after} not in ${file}`);
  for (let i = start; i < lines.length; i++) {
    const column = (lines[i] as string).indexOf(needle);
    if (column >= 0) return { line: i + 1, column: column + 1 };
  }
  throw new Error(`${needle} not in ${file}`);
}

/** The CDK logical id without its 8-character hash: ClusterEB0386A7 -> Cluster. */
export function withoutHash(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, "");
}
