/**
 * CPU of what `scan` does after parsing (model build, language extensions, template checks, rules, fingerprints,
 * profiles), over the benchmark's RDS templates parsed once beforehand, as a ratio to the parse floor of the same
 * files (js-yaml / JSON.parse, measured here too). Medians of ROUNDS (default 7) after one warm-up round.
 * Usage: npm run build && node bench/post-parse.mjs [DIST_ROOT]   (DIST_ROOT: a checkout with dist/ built, to compare)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseFloor } from "./cfn-yaml.mjs";
import { generateCorpus } from "./generate.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(process.argv[2] ?? path.join(here, ".."), "dist");
const rounds = Number(process.env.ROUNDS ?? 7);
const corpus = path.join(here, "out", "corpus");
if (!existsSync(corpus)) generateCorpus(corpus, 1000);
const files = readdirSync(corpus)
  .sort()
  .map((f) => path.join(corpus, f))
  .filter((f) => readFileSync(f, "utf8").includes("AWS::RDS::"));

const load = (m) => import(path.join(dist, m));
const { parseTemplateText } = await load("scanners/template/parse.js");
const { buildTemplateModel, templateProblem } = await load("scanners/template/build-model.js");
const { expandLanguageExtensions } = await load("scanners/template/language-extensions.js");
const { checkParameterValues, declaredParameters } = await load("scanners/template/parameters.js");
const { loadRuleSet, Judge } = await load("engine/report.js");
const { policy, rules } = await loadRuleSet({ cwd: here });
const texts = files.map((f) => [path.relative(here, f), readFileSync(f, "utf8")]);
const parsed = texts.map(([file, text]) => ({ file, root: parseTemplateText(text).root }));
const now = new Date();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function floor() {
  const start = cpu();
  for (const [, text] of texts) parseFloor(text);
  return cpu() - start;
}

function afterParse() {
  const judge = new Judge({ policy, rules, strict: false, now });
  let build = 0;
  let judging = 0;
  for (const { file, root } of parsed) {
    const a = cpu();
    const expanded = expandLanguageExtensions(root, {});
    const model = buildTemplateModel(expanded.root, file, {});
    checkParameterValues(expanded.root, {}, file);
    declaredParameters(expanded.root);
    templateProblem(expanded.root);
    const b = cpu();
    judge.judge(model);
    judging += cpu() - b;
    build += b - a;
  }
  return { build, judging, findings: judge.findings.length };
}

floor();
afterParse();
const runs = [];
for (let i = 0; i < rounds; i++) runs.push({ floor: floor(), ...afterParse() });
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = med(runs.map((r) => r.floor));
const build = med(runs.map((r) => r.build));
const judging = med(runs.map((r) => r.judging));
const total = med(runs.map((r) => r.build + r.judging));
const ms = (n) => `${n.toFixed(1)} ms`;
console.log(`${files.length} RDS templates, ${runs[0].findings} findings, ${dist}`);
console.log(`parse floor          ${ms(f)}`);
console.log(`model build + checks ${ms(build)}  (${(build / f).toFixed(2)}x floor)`);
console.log(`rules + judging      ${ms(judging)}  (${(judging / f).toFixed(2)}x floor)`);
console.log(`after parse, total   ${ms(total)}  (${(total / f).toFixed(2)}x floor)`);
