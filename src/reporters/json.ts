/**
 * The JSON report: the ScanReport exactly as the engine built it (schemaVersion 1, documented in
 * docs/json-report.md), so `merge` and `--baseline` can read it back without loss. Written finding by finding,
 * byte-identical to JSON.stringify(report, null, 2).
 */
import type { ScanReport } from "../engine/types.js";
import { joinChunks, jsonWithStreamedArray, type ReportSource, sourceOf } from "./source.js";

export function renderJson(report: ScanReport): string {
  return joinChunks(jsonChunks(sourceOf(report, false)));
}

export function* jsonChunks(source: ReportSource): Generator<string> {
  yield* jsonWithStreamedArray(source.head, "findings", 2, source.store.all());
  yield "\n";
}
