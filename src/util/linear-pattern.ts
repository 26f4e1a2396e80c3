/**
 * Regular expressions from a policy (`matches:`) run in linear time: the policy may come from a pull request, and a
 * backtracking engine spends exponential time on `^(a+)+$` against a 40-character value. RE2's syntax (re2js, a
 * JavaScript port of RE2) is JavaScript's without look-around and back-references. The engine is loaded on first use,
 * so a policy without `matches` never pays its import.
 */
import { createRequire } from "node:module";
import type { RE2JS } from "re2js";

/** A compiled policy pattern: `test` searches (anchor with ^ and $), in time linear in the input. */
export interface LinearPattern {
  readonly source: string;
  test(input: string): boolean;
}

let engine: typeof RE2JS | undefined;

function re2(): typeof RE2JS {
  engine ??= (createRequire(import.meta.url)("re2js") as { RE2JS: typeof RE2JS }).RE2JS;
  return engine;
}

/** Compiles `source`; throws an Error saying what is wrong (RE2 rejects look-around and back-references). */
export function compileLinearPattern(source: string): LinearPattern {
  let compiled: RE2JS;
  try {
    compiled = re2().compile(source);
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^error parsing regexp: /, "") : String(err);
    throw new Error(`${message} (patterns run on a linear-time engine, RE2: no look-around or back-references)`);
  }
  return { source, test: (input) => compiled.test(input) };
}
