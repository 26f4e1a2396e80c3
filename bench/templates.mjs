/**
 * Template-scan benchmark. Generates 1,000 realistic templates (bench/generate.mjs), then prints:
 *  - the full `rdsguard scan` pipeline in-process: templates/s, MB/s, peak RSS;
 *  - the parse-only floor for the same bytes (js-yaml with CloudFormation tags for YAML, JSON.parse for JSON),
 *    and the ratio scan/floor;
 *  - the same for the subset that declares RDS resources (the files that need a model);
 *  - the cold start of `node dist/cli.js scan` on one small template (median of 7 runs).
 * Figures, not assertions: run with `npm run bench`. BENCH_CONFIG=examples/policies/rdsguard.yaml measures the scan
 * with an organisation policy's own rules and plugin as well (the built-in rules alone otherwise).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { CFN_SCHEMA } from "./cfn-yaml.mjs";
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

const schema = CFN_SCHEMA;

function floor(list) {
  const started = process.hrtime.bigint();
  for (const f of list) {
    const text = readFileSync(f, "utf8");
    if (f.endsWith(".json")) JSON.parse(text);
    else yaml.load(text, { schema });
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function scan(paths) {
  const { run } = await import(path.join(root, "dist/commands/scan.js"));
  const started = process.hrtime.bigint();
  const report = path.join(here, "out", "report.json");
  const code = await run([...paths, ...policy, "--format", `json=${report}`, "--format", "text=/dev/null"]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, code };
}

const full = await scan([corpus]);
const peakRss = process.resourceUsage().maxRSS / 1024;
const report = JSON.parse(readFileSync(path.join(here, "out", "report.json"), "utf8"));
const rdsScan = await scan(rdsFiles);
// Warm the floor once (JIT), then measure.
floor(files.slice(0, 50));
const floorAll = floor(files);
const floorRds = floor(rdsFiles);

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
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const parseMs = (mode, kind) => med(parseRuns[mode].map((r) => r[kind]));

const small = path.join(root, "examples", "templates", "mysql-legacy-standalone.yaml");
const cold = [];
for (let i = 0; i < 7; i++) {
  const t = process.hrtime.bigint();
  spawnSync(
    process.execPath,
    [path.join(root, "dist/cli.js"), "scan", small, ...policy, "--format", "json=/dev/null"],
    {
      cwd: root,
    },
  );
  cold.push(Number(process.hrtime.bigint() - t) / 1e6);
}
cold.sort((a, b) => a - b);

const line = (label, value) => console.log(`${label.padEnd(44)}${value}`);
console.log(`rdsguard template benchmark (node ${process.version}, ${count} files, ${mb(bytes).toFixed(1)} MB)`);
line("policy", policy.length > 0 ? `${process.env.BENCH_CONFIG} (and the built-in rules)` : "built-in rules");
line("files with RDS resources", `${rdsFiles.length} (${mb(rdsBytes).toFixed(1)} MB)`);
line("findings / resources judged", `${report.findings.length} / ${report.stats.resources} (exit ${full.code})`);
line(
  "scan, all files",
  `${full.ms.toFixed(0)} ms  ${(count / (full.ms / 1000)).toFixed(0)} templates/s  ${(mb(bytes) / (full.ms / 1000)).toFixed(1)} MB/s`,
);
line(
  "parse floor, all files (js-yaml/JSON.parse)",
  `${floorAll.toFixed(0)} ms  ratio scan/floor ${(full.ms / floorAll).toFixed(1)}x`,
);
line(
  "scan, RDS files only",
  `${rdsScan.ms.toFixed(0)} ms  ${(rdsFiles.length / (rdsScan.ms / 1000)).toFixed(0)} templates/s  ${(mb(rdsBytes) / (rdsScan.ms / 1000)).toFixed(1)} MB/s`,
);
line(
  "parse floor, RDS files only",
  `${floorRds.toFixed(0)} ms  ratio scan/floor ${(rdsScan.ms / floorRds).toFixed(1)}x`,
);
for (const kind of ["yaml", "json"]) {
  const ours = parseMs("rdsguard", kind);
  const theirs = parseMs("floor", kind);
  line(
    `parse only, ${kind.toUpperCase()} files`,
    `${ours.toFixed(0)} ms vs floor ${theirs.toFixed(0)} ms  parse ratio ${(ours / theirs).toFixed(2)}x (goal 1.3x)`,
  );
}
line("peak RSS after scanning all files", `${peakRss.toFixed(0)} MB`);
line(
  "cold start, scan of one small template",
  `${cold[3].toFixed(0)} ms median (min ${cold[0].toFixed(0)}, max ${cold[6].toFixed(0)})`,
);
