/**
 * `node --import ./test/support/loaded-modules.mjs ...`: writes to $RDSGUARD_LOADED_MODULES, one a line, every
 * module the process loaded: ES modules as the loader sees them (file: and node: URLs), CommonJS files from the
 * require cache at exit. test/cli/cold-start.test.ts reads it to check what a command loads.
 */
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const log = process.env.RDSGUARD_LOADED_MODULES;
register("./loaded-modules-hooks.mjs", import.meta.url);
const require = createRequire(import.meta.url);
process.on("exit", () => {
  if (log) appendFileSync(log, `${Object.keys(require.cache).join("\n")}\n`);
});
