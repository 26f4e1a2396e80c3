/**
 * Cold-start benchmark: how long the built CLI (dist/, `npm run build`) takes to start and finish a small job, as a
 * ratio to `node -e 0` (the floor: starting Node and doing nothing). Each case is a fresh child process; the runs
 * are taken in turn (floor, case 1, case 2, ... then again) so the machine's noise falls on every case alike, and
 * the figures are medians. Wall time is measured around the child; CPU time (user + system) and peak RSS come from
 * /usr/bin/time when it is there (its clock has 10 ms steps, so quote CPU medians over many runs).
 *
 *   node bench/cold-start.mjs [--runs N] [--template FILE] [--compare DIR]
 *
 * --compare DIR also runs another checkout's build (e.g. a baseline worktree with dist/ built) in the same turns,
 * so before/after figures come from one run. Goals (issue 17): `scan` of one small template within 2.5x of the
 * floor, `--version` within 1.3x. Figures, not assertions.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const RUNS = Number(option("--runs", "21"));
const TEMPLATE = option("--template", "examples/templates/mysql-legacy-standalone.yaml");
const DIRECTORY = "examples/templates";
const compare = option("--compare", undefined);

const checkouts = [{ label: "", dir: root }];
if (compare !== undefined) checkouts.unshift({ label: "before ", dir: path.resolve(compare) });
for (const { dir } of checkouts) {
  if (!existsSync(path.join(dir, "dist/cli.js"))) {
    console.error(`bench/cold-start.mjs: ${dir}/dist/cli.js is missing; run \`npm run build\` there first`);
    process.exit(2);
  }
}
if (compare !== undefined) checkouts[1].label = "after  ";

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** The cases, in the order they are run in each turn. `goal` is the ratio to the floor the issue asks for. */
const cases = [{ name: "node -e 0", args: ["-e", "0"], floor: true }];
for (const { label, dir } of checkouts) {
  const cli = path.join(dir, "dist/cli.js");
  cases.push(
    { name: `${label}rdsguard --version`, args: [cli, "--version"], goal: 1.3 },
    { name: `${label}rdsguard scan ${TEMPLATE}`, args: [cli, "scan", TEMPLATE], goal: 2.5 },
    { name: `${label}rdsguard scan ${DIRECTORY}`, args: [cli, "scan", DIRECTORY] },
  );
}

/** One run of a case in a fresh child process: wall ms, and CPU ms / peak KiB when /usr/bin/time is there. */
function runOnce(c) {
  const command = TIME ? TIME : process.execPath;
  const args = TIME ? ["-f", "RDSGUARD_BENCH %U %S %M", process.execPath, ...c.args] : c.args;
  const started = process.hrtime.bigint();
  const child = spawnSync(command, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  // rdsguard exits 1 when it finds something (the examples have findings); 2 is an error.
  if (child.status !== 0 && child.status !== 1) {
    console.error(`bench/cold-start.mjs: ${c.name} exited ${child.status}:\n${child.stderr}`);
    process.exit(1);
  }
  const figures = /RDSGUARD_BENCH ([\d.]+) ([\d.]+) (\d+)/.exec(child.stderr ?? "");
  return figures
    ? { wallMs, cpuMs: (Number(figures[1]) + Number(figures[2])) * 1000, rssKb: Number(figures[3]) }
    : { wallMs };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// One warm-up turn (file cache, first compile of nothing in particular), then the measured turns.
for (const c of cases) runOnce(c);
const samples = cases.map(() => []);
for (let turn = 0; turn < RUNS; turn++) {
  cases.forEach((c, i) => {
    samples[i].push(runOnce(c));
  });
}

const rows = cases.map((c, i) => {
  const s = samples[i];
  return {
    c,
    wall: median(s.map((r) => r.wallMs)),
    cpu: TIME ? median(s.map((r) => r.cpuMs)) : undefined,
    rss: TIME ? median(s.map((r) => r.rssKb)) : undefined,
  };
});
const floor = rows[0];
const pad = Math.max(...cases.map((c) => c.name.length));
console.log(`cold start, medians of ${RUNS} runs taken in turn (node ${process.version}, ${process.platform})`);
console.log(
  `${"case".padEnd(pad)}  ${"wall ms".padStart(8)} ${"x floor".padStart(8)}  ${"cpu ms".padStart(7)} ${"x floor".padStart(8)}  ${"rss MiB".padStart(8)}  goal`,
);
for (const { c, wall, cpu, rss } of rows) {
  const wallRatio = wall / floor.wall;
  const cpuRatio = cpu !== undefined && floor.cpu ? cpu / floor.cpu : undefined;
  const goal =
    c.goal === undefined
      ? c.floor
        ? "(floor)"
        : ""
      : `<= ${c.goal}x: ${wallRatio <= c.goal ? "met" : `missed by ${((wallRatio / c.goal - 1) * 100).toFixed(0)}%`} (wall)`;
  console.log(
    `${c.name.padEnd(pad)}  ${wall.toFixed(1).padStart(8)} ${`${wallRatio.toFixed(2)}x`.padStart(8)}  ${
      cpu === undefined ? "-".padStart(7) : cpu.toFixed(0).padStart(7)
    } ${cpuRatio === undefined ? "-".padStart(8) : `${cpuRatio.toFixed(2)}x`.padStart(8)}  ${
      rss === undefined ? "-".padStart(8) : (rss / 1024).toFixed(1).padStart(8)
    }  ${goal}`,
  );
}
