/**
 * `scan --jobs` benchmark. Generates 1,000 and 10,000 templates (bench/generate.mjs; BENCH_JOBS_SIZES=1000,10000),
 * then runs `rdsguard scan DIR --jobs J` for J in 1, 2 and auto (BENCH_JOBS=1,2,auto), each run a clean child
 * process, the variants taken in turn (1, 2, auto, 1, 2, auto...; BENCH_TURNS, default 3) because the machine is
 * shared, and prints medians: wall time, CPU time of the whole process (user+system, all threads, from
 * /usr/bin/time when present, else the child's rusage), files/s, peak RSS, and the ratio to --jobs 1.
 * The JSON report is written (to bench/out, git-ignored) so that the cost of the report is in the figures, as for a
 * user. Figures, not assertions; the reports of every variant are compared (timestamps aside) and must be equal.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateCorpus } from "./generate.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const sizes = (process.env.BENCH_JOBS_SIZES ?? "1000,10000").split(",").map(Number);
const variants = (process.env.BENCH_JOBS ?? "1,2,auto").split(",");
const turns = Number(process.env.BENCH_TURNS ?? 3);
const time = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One clean child process: wall ms, CPU ms (user+system, every thread), peak RSS KiB. */
function runScan(dir, jobs, report) {
  const args = [path.join(root, "dist/cli.js"), "scan", dir, "--root", dir, "--jobs", jobs, "--quiet"];
  args.push("--format", `json=${report}`, "--format", "text=/dev/null");
  const started = process.hrtime.bigint();
  const r = time
    ? spawnSync(time, ["-f", "%U %S %M", process.execPath, ...args], { cwd: root, encoding: "utf8" })
    : spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`--jobs ${jobs}: exit ${r.status}\n${r.stderr}`);
  if (!time) return { wallMs, cpuMs: Number.NaN, rssKiB: Number.NaN };
  const [user, system, rss] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return { wallMs, cpuMs: ((user ?? 0) + (system ?? 0)) * 1000, rssKiB: rss ?? Number.NaN };
}

/** The report without what differs from run to run. */
const comparable = (file) =>
  readFileSync(file, "utf8").replace(/"(startedAt|finishedAt)": "[^"]*"|"durationMs": \d+/g, "");

const line = (label, value) => console.log(`${label.padEnd(30)}${value}`);
console.log(`rdsguard --jobs benchmark (node ${process.version}, ${availableParallelism()} cores, ${turns} turns)`);
for (const count of sizes) {
  const dir = path.join(here, "out", `jobs-${count}`);
  const files = generateCorpus(dir, count);
  const mb = files.reduce((n, f) => n + statSync(f).size, 0) / 1024 / 1024;
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  for (let i = 0; i < turns; i++)
    for (const v of variants) runs[v].push(runScan(dir, v, path.join(here, "out", `jobs-report-${v}.json`)));
  const reference = comparable(path.join(here, "out", `jobs-report-${variants[0]}.json`));
  const same = variants.every((v) => comparable(path.join(here, "out", `jobs-report-${v}.json`)) === reference);
  console.log(`\n${count} files, ${mb.toFixed(1)} MB; reports identical across variants: ${same ? "yes" : "NO"}`);
  const base = median(runs[variants[0]].map((r) => r.wallMs));
  for (const v of variants) {
    const wall = median(runs[v].map((r) => r.wallMs));
    const cpu = median(runs[v].map((r) => r.cpuMs));
    const rss = median(runs[v].map((r) => r.rssKiB));
    line(
      `  --jobs ${v}`,
      `wall ${wall.toFixed(0)} ms  ${(count / (wall / 1000)).toFixed(0)} files/s  cpu ${cpu.toFixed(0)} ms  ` +
        `peak ${(rss / 1024).toFixed(0)} MiB  wall vs --jobs ${variants[0]} ${(wall / base).toFixed(2)}x`,
    );
  }
  if (!same) process.exitCode = 1;
}
