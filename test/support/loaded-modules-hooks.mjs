/** The loader hook of loaded-modules.mjs (runs on the loader thread): one line per ES module loaded. */
import { appendFileSync } from "node:fs";

export async function load(url, context, next) {
  const log = process.env.RDSGUARD_LOADED_MODULES;
  if (log) appendFileSync(log, `${url}\n`);
  return next(url, context);
}
