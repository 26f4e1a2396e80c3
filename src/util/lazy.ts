/**
 * Packages that only some runs need, loaded on their first use instead of at start-up: a scan of one template
 * should not pay for the policy schema validator (ajv) or the exact YAML parser when it has no use for them.
 * Synchronous code cannot `await import()`, so these go through `require`: every one of them is CommonJS under
 * Node (yaml's "node" export, ajv, jsonc-parser, fastest-levenshtein), so `import` and `require` share one instance.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

let yaml: typeof import("yaml") | undefined;
/** The yaml library (exact, positioned parsing of policy and case files). */
export function yamlLibrary(): typeof import("yaml") {
  yaml ??= require("yaml") as typeof import("yaml");
  return yaml;
}

let ajv: typeof import("ajv") | undefined;
/** ajv, for validating a user's policy file and test case files against their schemas. */
export function ajvLibrary(): typeof import("ajv") {
  ajv ??= require("ajv") as typeof import("ajv");
  return ajv;
}

let jsonc: typeof import("jsonc-parser") | undefined;
/** jsonc-parser, for the located errors of a broken JSON file. */
export function jsoncLibrary(): typeof import("jsonc-parser") {
  jsonc ??= require("jsonc-parser") as typeof import("jsonc-parser");
  return jsonc;
}

let levenshtein: typeof import("fastest-levenshtein") | undefined;
/** fastest-levenshtein, for "did you mean" after a typo. */
export function levenshteinLibrary(): typeof import("fastest-levenshtein") {
  levenshtein ??= require("fastest-levenshtein") as typeof import("fastest-levenshtein");
  return levenshtein;
}
