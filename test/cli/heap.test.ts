/**
 * `scan` and `audit` ask V8 for a 25% old-generation growing step (src/util/heap.ts): the README says so, and that it
 * is left alone when the user tunes the heap, and that RDSGUARD_HEAP_GROWING_PERCENT=0 restores V8's default. The
 * effect is seen from outside: the same allocation makes several times more full collections.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const heapModule = pathToFileURL(resolve("dist/util/heap.js")).href;
const probe = join(mkdtempSync(join(tmpdir(), "rdsguard-heap-")), "probe.mjs");
writeFileSync(
  probe,
  `import { PerformanceObserver, constants } from "node:perf_hooks";
const { keepHeapTight } = await import(${JSON.stringify(heapModule)});
keepHeapTight();
let majors = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
}).observe({ entryTypes: ["gc"] });
// ~40 MB that stays, then objects that outlive scavenges and die in the old generation.
const kept = Array.from({ length: 400_000 }, (_, i) => ({ i, s: "kept-" + i }));
const window = new Array(100_000);
for (let n = 0; n < 4_000_000; n++) window[n % window.length] = { n, s: "item-" + n, a: [n, n + 1] };
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify({ majors, kept: kept.length }));
`,
);

function fullCollections(env: Record<string, string | undefined>, execArgv: string[] = []): number {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(process.execPath, [...execArgv, probe], { encoding: "utf8", env: childEnv as NodeJS.ProcessEnv });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { majors: number }).majors;
}

describe("the CLI's heap growing step", () => {
  const plain = { RDSGUARD_HEAP_GROWING_PERCENT: undefined, NODE_OPTIONS: undefined };
  it("collects the old generation several times as often as V8's default, unless told not to", () => {
    const tight = fullCollections(plain);
    const defaultStep = fullCollections({ ...plain, RDSGUARD_HEAP_GROWING_PERCENT: "0" });
    expect(tight).toBeGreaterThanOrEqual(2 * defaultStep);
    // A user who sizes the heap on the command line or in NODE_OPTIONS keeps V8's behaviour.
    expect(fullCollections(plain, ["--max-old-space-size=4096"])).toBeLessThan(tight / 2);
    expect(fullCollections({ ...plain, NODE_OPTIONS: "--max-old-space-size=4096" })).toBeLessThan(tight / 2);
  }, 60_000);
});
