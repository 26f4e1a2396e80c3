/**
 * The JSON report: the ScanReport exactly as the engine built it (schemaVersion 1, documented in
 * docs/json-report.md), so `merge` and `--baseline` can read it back without loss.
 */
import type { ScanReport } from "../engine/types.js";

export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
