#!/usr/bin/env node
/**
 * The `rdsguard` command as a bundle: dist/cli.js (over tsc's copy) and its lazily loaded commands in
 * dist/chunks/, built by esbuild from src/cli.ts. Start-up then reads a handful of files instead of a hundred
 * (bench/cold-start.mjs measures it). Dependencies stay outside the bundle (they load on first use, from
 * node_modules); the library (dist/index.js, dist/cdk/) and the plugin worker (dist/engine/plugin-worker.js)
 * stay tsc's output. Run by `npm run build` after tsc.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}dist/chunks`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
