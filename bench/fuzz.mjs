/**
 * Runs the fuzz suite (test/fuzz/) longer than CI does: `npm run fuzz -- --seed 7 --seconds 600 --scale 20`.
 * --seconds bounds the corpus-mutation run, --scale multiplies the property-based runs (generated templates,
 * policies, parameter files). Each test prints its figures: inputs tried, time, longest single input.
 * A failure prints the seed and the input, so it can be replayed with the same --seed.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    seconds: { type: "string", default: "300" },
    scale: { type: "string", default: "10" },
  },
});
console.log(`fuzz: seed ${values.seed}, corpus mutation ${values.seconds} s, property runs x${values.scale}`);
const result = spawnSync(
  "npx",
  ["vitest", "run", "test/fuzz", "--testTimeout", String((Number(values.seconds) + 600) * 1000)],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, FUZZ_SEED: values.seed, FUZZ_SECONDS: values.seconds, FUZZ_RUNS_SCALE: values.scale },
  },
);
process.exit(result.status ?? 2);
