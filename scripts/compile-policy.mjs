#!/usr/bin/env node
/**
 * Compiles rules.yaml into src/policy/shipped-policy.ts (its value and node positions), so rdsguard loads its
 * default policy without a YAML parse. Run by `npm run build` before tsc (through tsx, which reads the compiler
 * from src/policy/compile-shipped.ts). test/policy/shipped-policy.test.ts checks the module against rules.yaml.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compilePolicy, renderPolicyModule } from "../src/policy/compile-shipped.ts";

const source = fileURLToPath(new URL("../rules.yaml", import.meta.url));
const target = fileURLToPath(new URL("../src/policy/shipped-policy.ts", import.meta.url));
const module = renderPolicyModule(compilePolicy(readFileSync(source, "utf8")));
let current = "";
try {
  current = readFileSync(target, "utf8");
} catch {
  // Not written yet.
}
// Written only when it changes, so a build does not touch an up-to-date file.
if (current !== module) writeFileSync(target, module);
