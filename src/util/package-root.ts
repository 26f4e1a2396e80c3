/**
 * Files of the package itself (package.json, rules.yaml, the policy schema, the plugin worker), found from
 * wherever this code runs: src/ (the test suite), dist/ (tsc's output, the library) or dist/chunks/ (the bundled
 * CLI), so no module depends on how deep it sits. The root is the nearest directory above with a package.json.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

export function packageRoot(): string {
  if (root === undefined) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, "package.json"))) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`rdsguard: no package.json above ${fileURLToPath(import.meta.url)}`);
      dir = up;
    }
    root = dir;
  }
  return root;
}

/** A file of the package by its path from the package root. */
export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
