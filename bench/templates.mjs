/**
 * Template-scan benchmark. Generates 1,000 realistic templates (bench/generate.mjs; BENCH_FILES=N), then prints,
 * each side a clean child process and the sides taken in turn (BENCH_TURNS, default 3; medians):
 *  - `rdsguard scan` of all files and of the files that declare RDS resources (the ones that need a model), with
 *    its ratio to the read+parse floor of the same files (bench/floor.mjs: js-yaml with CloudFormation's tags for
 *    YAML, JSON.parse for JSON, no positions), node's start included on both sides;
 *  - parse alone against the same floor, warm, in clean child processes (bench/parse-ratio.mjs).
 * Cold start, memory and --jobs have their own benchmarks (bench/cold-start.mjs, memory.mjs, jobs.mjs); `npm run
 * bench` runs them all. Figures, not assertions. BENCH_CONFIG=examples/policies/rdsguard.yaml measures the scan with
 * an organisation policy's own rules and plugin as well (the built-in rules alone otherwise).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateCorpus } from "./generate.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const corpus = path.join(here, "out", "corpus");
const count = Number(process.env.BENCH_FILES ?? 1000);
const policy = process.env.BENCH_CONFIG ? ["--config", path.resolve(process.env.BENCH_CONFIG)] : [];

const files = generateCorpus(corpus, count);
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
const rdsFiles = files.filter((f) => readFileSync(f, "utf8").includes("AWS::RDS::"));
const rdsBytes = rdsFiles.reduce((n, f) => n + statSync(f).size, 0);
const mb = (n) => n / 1024 / 1024;

/** Wall time of one clean child process (node's start included, as for a user). */
function timeChild(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return { ms, code: r.status };
}
const reportPath = path.join(here, "out", "report.json");
const scanArgs = (paths) => [
  path.join(root, "dist/cli.js"),
  "scan",
  ...paths,
  ...policy,
  "--format",
  `json=${reportPath}`,
  "--format",
  "text=/dev/null",
];
const floorArgs = (list) => [path.join(here, "floor.mjs"), ...list];

// Scan and floor, each a clean child process, taken in turn (the machine is shared); medians.
const turns = Number(process.env.BENCH_TURNS ?? 3);
const runs = { scanAll: [], floorAll: [], scanRds: [], floorRds: [] };
let full;
for (let i = 0; i < turns; i++) {
  full = timeChild(scanArgs([corpus]));
  runs.scanAll.push(full.ms);
  runs.floorAll.push(timeChild(floorArgs(files)).ms);
  runs.scanRds.push(timeChild(scanArgs(rdsFiles)).ms);
  runs.floorRds.push(timeChild(floorArgs(rdsFiles)).ms);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const report = JSON.parse(readFileSync(reportPath, "utf8"));
const scanAll = median(runs.scanAll);
const floorAll = median(runs.floorAll);
const scanRds = median(runs.scanRds);
const floorRds = median(runs.floorRds);

// Parse alone against its floor, each side in a clean child process, taken in turn (the machine is shared).
const parseSide = (mode) => {
  const r = spawnSync(process.execPath, [path.join(here, "parse-ratio.mjs"), mode, ...files], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(r.stdout);
};
const parseRuns = { floor: [], rdsguard: [] };
for (let i = 0; i < Number(process.env.BENCH_PARSE_TURNS ?? 3); i++) {
  parseRuns.floor.push(parseSide("floor"));
  parseRuns.rdsguard.push(parseSide("rdsguard"));
}
const parseMs = (mode, kind) => median(parseRuns[mode].map((r) => r[kind]));

const line = (label, value) => console.log(`${label.padEnd(44)}${value}`);
console.log(`rdsguard template benchmark (node ${process.version}, ${count} files, ${mb(bytes).toFixed(1)} MB)`);
line("policy", policy.length > 0 ? `${process.env.BENCH_CONFIG} (and the built-in rules)` : "built-in rules");
line("files with RDS resources", `${rdsFiles.length} (${mb(rdsBytes).toFixed(1)} MB)`);
line("findings / resources judged", `${report.findings.length} / ${report.stats.resources} (exit ${full.code})`);
line(
  "scan, all files",
  `${scanAll.toFixed(0)} ms  ${(count / (scanAll / 1000)).toFixed(0)} templates/s  ${(mb(bytes) / (scanAll / 1000)).toFixed(1)} MB/s`,
);
line(
  "read+parse floor, all files",
  `${floorAll.toFixed(0)} ms  ratio scan/floor ${(scanAll / floorAll).toFixed(2)}x (goal 2.5x)`,
);
line(
  "scan, RDS files only",
  `${scanRds.toFixed(0)} ms  ${(rdsFiles.length / (scanRds / 1000)).toFixed(0)} templates/s  ${(mb(rdsBytes) / (scanRds / 1000)).toFixed(1)} MB/s`,
);
line(
  "read+parse floor, RDS files only",
  `${floorRds.toFixed(0)} ms  ratio scan/floor ${(scanRds / floorRds).toFixed(2)}x (goal 4x)`,
);
for (const kind of ["yaml", "json"]) {
  const ours = parseMs("rdsguard", kind);
  const theirs = parseMs("floor", kind);
  line(
    `parse only, ${kind.toUpperCase()} files`,
    `${ours.toFixed(0)} ms vs floor ${theirs.toFixed(0)} ms  parse ratio ${(ours / theirs).toFixed(2)}x (goal 1.3x)`,
  );
}
