/**
 * Reads of the benchmark corpus (bench/out/corpus, made by `npm run bench` or bench/json-parse.mjs): the bounded
 * regular-file reader, synchronous against the promise API with 8 reads in flight (as the scan loop had it), each
 * mode in its own process, taken in turn. `npm run build && node bench/reads.mjs` (READ_TURNS=N, default 5).
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.join(here, "out", "corpus");
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[2] === "--side") {
  const { readRegularFile, readRegularFileSync } = await import(path.join(here, "..", "dist/util/read-file.js"));
  const files = readdirSync(corpus).map((f) => path.join(corpus, f));
  const limit = 5 * 1024 * 1024;
  const all =
    process.argv[3] === "sync"
      ? async () => {
          for (const f of files) readRegularFileSync(f, limit);
        }
      : async () => {
          const pending = [];
          let next = 0;
          while (next < files.length || pending.length > 0) {
            while (pending.length < 8 && next < files.length) pending.push(readRegularFile(files[next++], limit));
            await pending.shift();
          }
        };
  await all();
  await all();
  const cpu = [];
  const wall = [];
  for (let r = 0; r < 9; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await all();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  console.log(JSON.stringify({ files: files.length, cpu: med(cpu), wall: med(wall) }));
  process.exit(0);
}

const runs = { async: [], sync: [] };
for (let t = 0; t < Number(process.env.READ_TURNS ?? 5); t++) {
  for (const mode of ["async", "sync"]) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--side", mode], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    runs[mode].push(JSON.parse(r.stdout));
  }
}
for (const mode of ["async", "sync"]) {
  const cpu = med(runs[mode].map((r) => r.cpu));
  const wall = med(runs[mode].map((r) => r.wall));
  console.log(`${runs[mode][0].files} files, ${mode.padEnd(5)}  CPU ${cpu.toFixed(1)} ms  wall ${wall.toFixed(1)} ms`);
}
