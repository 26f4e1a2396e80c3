/**
 * Vitest global setup: at the end of the run, a banner naming every optional suite that was skipped, why, and the
 * command that runs it. `npm test` never skips silently.
 */
import { optionalSuites } from "./optional-suites.js";

export default function setup(): () => void {
  return () => {
    const skipped = optionalSuites().filter((s) => !s.available);
    if (skipped.length === 0) {
      process.stdout.write("\nrdsguard: every suite ran (moto and the corpus included).\n");
      return;
    }
    const lines = [
      "",
      "!".repeat(100),
      `!! SKIPPED ${skipped.length} suite${skipped.length === 1 ? "" : "s"}: this run is NOT the whole test suite.`,
      ...skipped.flatMap((s) => [`!!   ${s.name} (${s.file}): ${s.missing}.`, `!!     to run it: ${s.howToRun}`]),
      "!".repeat(100),
      "",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  };
}
