/**
 * JSON parse benchmark (issue 17): the positioned JSON reader (parseTemplateText) against JSON.parse of the same
 * bytes, each side in a clean child process, taken in turn because the machine is shared; CPU time of the process
 * (garbage collection threads included), median of the rounds in a child, then median of the turns:
 *  - the benchmark corpus's JSON files (bench/out/corpus, made by `npm run bench` or here when missing);
 *  - one CDK-sized template (0.7 MB+, one-space indentation as `cdk synth` writes it) built from the examples.
 * Prints the median of the turns and the ratio. `npm run bench:json`; JSON_TURNS=N (default 7); JSON_ROOT=DIR measures
 * the build in DIR (for example a checkout of main) with this checkout's files.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateCorpus } from "./generate.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const measured = path.resolve(process.env.JSON_ROOT ?? root);
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[2] === "--side") {
  // One side, in this clean child: node bench/json-parse.mjs --side floor|rdsguard ROUNDS FILE...
  const [, , , mode, rounds, ...files] = process.argv;
  const texts = files.map((f) => readFileSync(f, "utf8"));
  const { parseTemplateText } = await import(path.join(measured, "dist/scanners/template/parse.js"));
  const parse = mode === "floor" ? JSON.parse : parseTemplateText;
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const round = () => {
    const started = cpu();
    for (const t of texts) parse(t);
    return cpu() - started;
  };
  round();
  round();
  const ms = Array.from({ length: Number(rounds) }, round);
  console.log(JSON.stringify(med(ms)));
  process.exit(0);
}
const corpus = path.join(here, "out", "corpus");
const turns = Number(process.env.JSON_TURNS ?? 7);

if (!existsSync(corpus)) generateCorpus(corpus, 1000);
const corpusJson = readdirSync(corpus)
  .filter((f) => f.endsWith(".json"))
  .map((f) => path.join(corpus, f));

/** A CDK-like template: the example's resources repeated under CDK-style logical ids, with aws:cdk:path metadata. */
function cdkSized() {
  const file = path.join(here, "out", "cdk-large.template.json");
  const source = JSON.parse(readFileSync(path.join(root, "examples/templates/aurora-serverless-v2.json"), "utf8"));
  const resources = {};
  for (let k = 0; JSON.stringify(resources).length < 800_000; k++) {
    for (const [id, r] of Object.entries(source.Resources)) {
      resources[`${id}${k}C0FFEE${k % 10}`] = { ...r, Metadata: { "aws:cdk:path": `App/Stack/${id}${k}/Resource` } };
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...source, Resources: resources }, undefined, 1));
  return file;
}
const large = cdkSized();

const side = (mode, files, rounds) => {
  const args = [fileURLToPath(import.meta.url), "--side", mode, String(rounds), ...files];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1024 * 1024 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};

console.log(
  `JSON parse benchmark (node ${process.version}, build in ${path.relative(process.cwd(), measured) || "."})`,
);
for (const [label, files, rounds] of [
  [`${corpusJson.length} corpus JSON files`, corpusJson, 7],
  [`CDK-sized template (${(readFileSync(large).length / 1e6).toFixed(2)} MB)`, [large], 25],
]) {
  const floor = [];
  const ours = [];
  const ratios = [];
  for (let t = 0; t < turns; t++) {
    floor.push(side("floor", files, rounds));
    ours.push(side("rdsguard", files, rounds));
    ratios.push(ours[t] / floor[t]);
  }
  console.log(
    `${label.padEnd(36)}rdsguard ${med(ours).toFixed(1)} ms vs JSON.parse ${med(floor).toFixed(1)} ms  ratio ${(med(ours) / med(floor)).toFixed(2)}x (median of turns ${med(ratios).toFixed(2)}x, goal 1.3x)`,
  );
}
