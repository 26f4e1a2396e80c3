/**
 * `npm run bench`: every template-side benchmark, one after the other, each in its own process:
 * speed against the parse floor (templates.mjs), cold start (cold-start.mjs), peak memory (memory.mjs) and
 * `--jobs` (jobs.mjs). `npm run bench -- --large` adds the 50,000-template memory run. The live audit has its own
 * (`npm run bench:audit`, `npm run bench:memory -- --audit`).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const large = process.argv.includes("--large");
const steps = [["templates.mjs"], ["cold-start.mjs"], ["memory.mjs", ...(large ? ["--large"] : [])], ["jobs.mjs"]];
let failed = 0;
for (const [script, ...args] of steps) {
  console.log(`\n== bench/${script} ${args.join(" ")}`.trimEnd());
  const r = spawnSync(process.execPath, [path.join(here, script), ...args], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
