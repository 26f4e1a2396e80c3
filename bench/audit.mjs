/**
 * Live-audit benchmark: 5,000 DB instances and 1,000 Aurora clusters over 4 regions, served by the test suite's
 * fake AWS endpoint on 127.0.0.1, audited by the built CLI (dist/, `npm run build`) in a child process so its
 * figures are its own. Prints wall time, API calls (and the pages they are made of), peak RSS of the audit.
 * Figures, not assertions: `npm run build && node bench/audit.mjs`. BENCH_INSTANCES / BENCH_CLUSTERS /
 * BENCH_CONCURRENCY change the size and the --concurrency. `--all-formats` writes every format (json, sarif, junit,
 * markdown, github to files, text to /dev/null): the peak-memory run of issue 17 is
 * `BENCH_INSTANCES=100000 BENCH_CLUSTERS=10000 node bench/audit.mjs --all-formats` (or `npm run bench:memory --
 * --audit`). RDSGUARD_DIST=/path/to/dist audits with another build (before/after comparisons).
 *
 * `node bench/audit.mjs --org` instead compares the two live sources on one organisation (BENCH_ACCOUNTS accounts,
 * default 1,000, x 4 regions x 5 databases): a role assumed in every account with the Describe calls, against the
 * AWS Config aggregator that has collected the same state (`--source config`).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const out = path.join(here, "out");
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 5000);
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const CONCURRENCY = process.env.BENCH_CONCURRENCY ?? "4";

// Child: run the audit in-process and report this process's own figures.
if (process.env.RDSGUARD_BENCH_CHILD) {
  const dist = process.env.RDSGUARD_DIST ? path.resolve(process.env.RDSGUARD_DIST) : path.join(root, "dist");
  const { run } = await import(pathToFileURL(path.join(dist, "commands/audit.js")).href);
  const started = performance.now();
  const code = await run(JSON.parse(process.env.RDSGUARD_BENCH_CHILD));
  const wallMs = performance.now() - started;
  process.stderr.write(`\nBENCH ${JSON.stringify({ code, wallMs, maxRssKb: process.resourceUsage().maxRSS })}\n`);
  process.exit(0);
}

if (!existsSync(path.join(root, "dist/commands/audit.js"))) {
  console.error("bench/audit.mjs: dist/ is missing; run `npm run build` first");
  process.exit(2);
}

// The fake endpoint is TypeScript (test/support/fake-aws); strip its types with the project's compiler. Imported
// here, not at the top: the audit's child process runs this file too, and the compiler (~40 MB of heap) would be
// counted in the audit's peak RSS.
const { default: ts } = await import("typescript");
const fakeSrc = path.join(root, "test/support/fake-aws");
const fakeOut = path.join(out, "fake-aws");
mkdirSync(fakeOut, { recursive: true });
for (const file of readdirSync(fakeSrc).filter((f) => f.endsWith(".ts"))) {
  const js = ts.transpileModule(readFileSync(path.join(fakeSrc, file), "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  writeFileSync(path.join(fakeOut, file.replace(/\.ts$/, ".js")), js);
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { FakeAws, largeState, fakeEnv } = await import(pathToFileURL(path.join(fakeOut, "index.js")).href);

/** Runs one audit in a clean child process; its own wall time and peak RSS, and the requests the endpoint saw. */
async function measure(fake, args) {
  fake.reset();
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    cwd: root,
    env: { ...process.env, ...fakeEnv(), RDSGUARD_BENCH_CHILD: JSON.stringify(args) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exit = await new Promise((resolve) => child.on("close", resolve));
  const figures = /BENCH (\{.*\})/.exec(stderr);
  if (exit !== 0 || !figures) {
    console.error(`bench/audit.mjs: the audit failed (exit ${exit}):\n${stderr}`);
    process.exit(1);
  }
  const byOperation = {};
  for (const r of fake.requests)
    byOperation[`${r.service}:${r.action}`] = (byOperation[`${r.service}:${r.action}`] ?? 0) + 1;
  return { ...JSON.parse(figures[1]), requests: fake.requests.length, byOperation };
}

if (process.argv.includes("--org")) {
  const { organisationState } = await import(pathToFileURL(path.join(fakeOut, "index.js")).href);
  const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1000);
  const orgState = organisationState({ accounts: ACCOUNTS, regions: REGIONS, capturedAt: new Date().toISOString() });
  const fake = new FakeAws(orgState);
  const endpoint = await fake.start();
  const accounts = orgState.accounts.slice(0, ACCOUNTS).map((a) => a.id);
  const common = ["--endpoint-url", endpoint, "--concurrency", CONCURRENCY, "--format", "text=/dev/null"];
  const reportOf = (name) => path.join(out, `audit-org-${name}.json`);
  const runs = {
    describe: await measure(fake, [
      ...common,
      "--regions",
      REGIONS.join(","),
      "--role-arn",
      "arn:aws:iam::{account}:role/RdsGuardAudit",
      "--accounts",
      accounts.join(","),
      "--format",
      `json=${reportOf("describe")}`,
    ]),
    config: await measure(fake, [
      ...common,
      "--source",
      "config",
      "--aggregator",
      "org-aggregator",
      "--region",
      "us-east-1",
      "--format",
      `json=${reportOf("config")}`,
    ]),
  };
  await fake.stop();
  console.log(
    `rdsguard audit benchmark, one organisation two ways: ${ACCOUNTS} accounts x ${REGIONS.length} regions x 5 databases (--concurrency ${CONCURRENCY})`,
  );
  console.log(`  ${"".padEnd(26)} ${"describe (role per account)".padStart(28)} ${"config (aggregator)".padStart(22)}`);
  const reports = Object.fromEntries(Object.keys(runs).map((k) => [k, JSON.parse(readFileSync(reportOf(k), "utf8"))]));
  const row = (label, f) =>
    console.log(`  ${label.padEnd(26)} ${String(f("describe")).padStart(28)} ${String(f("config")).padStart(22)}`);
  row("API calls", (k) => runs[k].requests);
  row("wall time", (k) => `${(runs[k].wallMs / 1000).toFixed(2)} s`);
  row("peak RSS", (k) => `${(runs[k].maxRssKb / 1024).toFixed(0)} MiB`);
  row("resources judged", (k) => reports[k].stats.resources);
  row(
    "findings (failing)",
    (k) => `${reports[k].findings.length} (${reports[k].findings.filter((f) => f.verdict === "fail").length})`,
  );
  row("errors", (k) => reports[k].errors.length);
  for (const k of Object.keys(runs)) {
    console.log(`  ${k} calls:`);
    for (const [op, n] of Object.entries(runs[k].byOperation).sort()) console.log(`    ${op.padEnd(36)} ${n}`);
  }
  process.exit(0);
}

const state = largeState({ instances: INSTANCES, clusters: CLUSTERS, regions: REGIONS });
const fake = new FakeAws(state);
const endpoint = await fake.start();
const reportPath = path.join(out, "audit-report.json");
const args = [
  "--regions",
  REGIONS.join(","),
  "--endpoint-url",
  endpoint,
  "--concurrency",
  CONCURRENCY,
  "--format",
  `json=${reportPath}`,
  "--format",
  "text=/dev/null",
  ...(process.argv.includes("--all-formats")
    ? ["sarif", "junit", "markdown", "github"].flatMap((f) => [
        "--format",
        `${f}=${path.join(out, `audit-report.${f}`)}`,
      ])
    : []),
];

const { code, wallMs, maxRssKb, byOperation, requests } = await measure(fake, args);
await fake.stop();
// The report may be larger than one string can be: count with a streaming scan of the file.
const report = reportFigures(reportPath);
const failing = report.failing;

console.log(`rdsguard audit benchmark: ${INSTANCES} DB instances, ${CLUSTERS} DB clusters, ${REGIONS.length} regions`);
console.log(
  `  wall time        ${(wallMs / 1000).toFixed(2)} s (audit process, end to end, --concurrency ${CONCURRENCY})`,
);
console.log(`  API calls        ${report.apiCalls} (endpoint saw ${requests} requests)`);
for (const [op, n] of Object.entries(byOperation).sort()) console.log(`    ${op.padEnd(34)} ${n}`);
console.log(`  peak RSS         ${(maxRssKb / 1024).toFixed(0)} MiB (process.resourceUsage().maxRSS of the audit)`);
console.log(`  resources        ${report.resources}, findings ${report.findings} (${failing} failing), exit ${code}`);
console.log(`  errors           ${report.errors}`);

/** Counts from the JSON report read line by line (its layout is JSON.stringify(report, null, 2)). */
function reportFigures(file) {
  const text = readFileSync(file);
  let findings = 0;
  let failing = 0;
  let errors = 0;
  let section = "";
  const figures = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(10, start);
    if (end < 0) end = text.length;
    const line = text.toString("utf8", start, end);
    start = end + 1;
    const top = /^ {2}"(\w+)": /.exec(line);
    if (top) section = top[1];
    if (section === "findings" && line === "    {") findings++;
    if (section === "findings" && line === '      "verdict": "fail",') failing++;
    if (section === "errors" && line === "    {") errors++;
    const stat = /^ {4}"(resources|apiCalls)": (\d+)/.exec(line);
    if (section === "stats" && stat) figures[stat[1]] = Number(stat[2]);
  }
  return { findings, failing, errors, ...figures };
}
