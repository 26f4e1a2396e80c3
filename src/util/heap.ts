/**
 * V8 lets the old generation grow to up to four times what survived the last full collection before it collects
 * again. For a scan or an audit that is most of the peak: 50,000 templates held ~40 MB live and peaked at 374 MiB
 * RSS; a 50,000-instance audit, ~230 MB live and 819 MiB. The CLI commands ask for a smaller growing step instead,
 * trading some extra (mostly concurrent) marking for a peak near what is live. The flag is read at every full
 * collection, so setting it at run time takes effect; `--max-old-space-size` is fixed at startup and cannot be.
 * A host that runs the library is left alone, and so is a user who tunes the heap in NODE_OPTIONS or on the
 * command line.
 */
import { setFlagsFromString } from "node:v8";

const HEAP_GROWING_PERCENT = Number(process.env.RDSGUARD_HEAP_GROWING_PERCENT || 25);
const USER_HEAP_FLAGS = /--(heap-growing-percent|max-old-space-size|max-semi-space-size)\b/;

/** Called by the `scan` and `audit` commands (not by the library API). */
export function keepHeapTight(): void {
  if (USER_HEAP_FLAGS.test(`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`)) return;
  if (!(HEAP_GROWING_PERCENT > 0)) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
