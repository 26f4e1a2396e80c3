/**
 * One side of the parse-ratio measurement, run in a clean child process by bench/templates.mjs (or by hand):
 *   node bench/parse-ratio.mjs floor|rdsguard FILE...
 * reads every file first, warms up, then parses them all `ROUNDS` times and prints the median time of a round in ms
 * for the YAML files and for the JSON files, as JSON. `floor` is js-yaml (with CloudFormation's short-form tags)
 * and JSON.parse; `rdsguard` is parseTemplateText, positions and all.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isJsonText, parseFloor } from "./cfn-yaml.mjs";

const [mode, ...files] = process.argv.slice(2);
const ROUNDS = Number(process.env.PARSE_ROUNDS ?? 5);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const texts = files.map((f) => readFileSync(f, "utf8"));
const isJson = texts.map(isJsonText);
let parse;
if (mode === "floor") {
  parse = parseFloor;
} else {
  const { parseTemplateText } = await import(path.join(root, "dist/scanners/template/parse.js"));
  parse = (text) => parseTemplateText(text);
}
function round(wantJson) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i++) if (isJson[i] === wantJson) parse(texts[i], wantJson);
  return Number(process.hrtime.bigint() - started) / 1e6;
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
round(false);
round(true);
const out = { yaml: [], json: [] };
for (let r = 0; r < ROUNDS; r++) {
  out.yaml.push(round(false));
  out.json.push(round(true));
}
console.log(JSON.stringify({ yaml: median(out.yaml), json: median(out.json) }));
