/**
 * Peak-memory benchmark (issue 17: memory that stays flat). Generates N templates of the benchmark's mix
 * (bench/generate.mjs), then runs the built CLI (`node dist/cli.js scan`) in a clean child process with every
 * format written (json, sarif, junit, markdown, github to files, text to standard output) and prints its peak RSS
 * (process.resourceUsage().maxRSS of the child, KiB) and files/s, beside `node -e 0`'s peak RSS as the floor.
 *
 *   npm run bench:memory                 1,000 and 10,000 templates
 *   npm run bench:memory -- --large      and 50,000
 *   npm run bench:memory -- --audit      a 100,000-instance audit against the fake AWS endpoint instead
 *                                        (bench/audit.mjs with BENCH_INSTANCES=100000 and every format)
 *
 * BENCH_SIZES=1000,5000 picks the sizes; RDSGUARD_CLI=/path/to/dist/cli.js measures another build (for a
 * before/after comparison, e.g. /work/wt/base/dist/cli.js). Figures, not assertions.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateCorpus } from "./generate.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const out = path.join(here, "out");
const cli = path.resolve(process.env.RDSGUARD_CLI ?? path.join(root, "dist/cli.js"));
const MIB = 1024;

if (process.argv.includes("--audit")) {
  // The audit side lives in bench/audit.mjs (it owns the fake endpoint); run it with 100,000 instances.
  const r = spawnSync(process.execPath, [path.join(here, "audit.mjs"), "--all-formats"], {
    stdio: "inherit",
    env: { BENCH_INSTANCES: "100000", BENCH_CLUSTERS: "10000", ...process.env },
  });
  process.exit(r.status ?? 1);
}

const sizes = process.env.BENCH_SIZES
  ? process.env.BENCH_SIZES.split(",").map(Number)
  : [1000, 10000, ...(process.argv.includes("--large") ? [50000] : [])];

/** Runs `argv` in a child node process that reports its own peak RSS and CPU when it exits. */
function measured(argv) {
  const probe = path.join(out, "memory-probe.cjs");
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--require", probe, ...argv], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
      if (stderr.length > 1e6) stderr = stderr.slice(-1e5);
    });
    child.on("close", (code) => {
      const m = /RDSGUARD_MEMORY (\{.*\})/.exec(stderr);
      resolve({ code, wallMs: performance.now() - started, ...(m ? JSON.parse(m[1]) : {}), stderr });
    });
  });
}

mkdirSync(out, { recursive: true });
const { writeFileSync } = await import("node:fs");
writeFileSync(
  path.join(out, "memory-probe.cjs"),
  `process.on("exit", () => { const u = process.resourceUsage();
   process.stderr.write("\\nRDSGUARD_MEMORY " + JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }) + "\\n"); });\n`,
);

const floor = await measured(["-e", "0"]);
console.log(`rdsguard memory benchmark: ${cli}`);
console.log(`  floor: node -e 0 peak RSS ${(floor.maxRssKb / MIB).toFixed(0)} MiB`);
console.log(
  `  ${"files".padStart(7)} ${"peak RSS".padStart(10)} ${"x floor".padStart(8)} ${"files/s".padStart(8)} ${"CPU s".padStart(7)} ${"exit".padStart(5)}  reports`,
);
for (const n of sizes) {
  const corpus = path.join(out, `memory-corpus-${n}`);
  generateCorpus(corpus, n);
  const reports = path.join(out, `memory-reports-${n}`);
  rmSync(reports, { recursive: true, force: true });
  mkdirSync(reports, { recursive: true });
  const formats = ["json", "sarif", "junit", "markdown", "github"];
  const args = [cli, "scan", corpus, ...formats.flatMap((f) => ["--format", `${f}=${path.join(reports, f)}`])];
  args.push("--format", "text");
  const r = await measured(args);
  if (r.maxRssKb === undefined || r.code === null || r.code > 1) {
    console.log(`  ${String(n).padStart(7)} failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
    continue;
  }
  const sizesMb = formats.map((f) => `${f} ${(statSync(path.join(reports, f)).size / 2 ** 20).toFixed(1)}M`).join(", ");
  console.log(
    `  ${String(n).padStart(7)} ${`${(r.maxRssKb / MIB).toFixed(0)} MiB`.padStart(10)} ${(r.maxRssKb / floor.maxRssKb).toFixed(1).padStart(8)} ${(n / (r.wallMs / 1000)).toFixed(0).padStart(8)} ${(r.cpuMs / 1000).toFixed(1).padStart(7)} ${String(r.code).padStart(5)}  ${sizesMb}`,
  );
  rmSync(reports, { recursive: true, force: true });
  rmSync(corpus, { recursive: true, force: true });
}
