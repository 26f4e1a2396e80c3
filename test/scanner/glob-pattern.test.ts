/**
 * A command-line path is expanded as a glob exactly when tinyglobby would call it one (isDynamicPattern); the
 * scanner decides with util/glob.ts's isGlobPattern so that a scan of plain paths never loads tinyglobby.
 */
import { isDynamicPattern } from "tinyglobby";
import { describe, expect, it } from "vitest";
import { isGlobPattern } from "../../src/util/glob.js";

const INPUTS = [
  "examples/templates",
  "examples/templates/mysql-legacy-standalone.yaml",
  "./stack.json",
  "C:\\infra\\stack.yaml",
  "a b/c.yaml",
  "infra/*.yaml",
  "infra/**/*.yaml",
  "stacks/{a,b}.json",
  "stacks/[ab].json",
  "stack?.yaml",
  "!stack.yaml",
  "@(a|b).yaml",
  "+(a).yaml",
  "a\\*b.yaml",
  "(x).yaml",
  "a{b.yaml",
  "a]b.yaml",
  "",
  "-",
];

describe("isGlobPattern", () => {
  it("agrees with tinyglobby's isDynamicPattern", () => {
    for (const input of INPUTS) expect(isGlobPattern(input), input).toBe(isDynamicPattern(input));
    expect(isGlobPattern("examples/templates")).toBe(false);
    expect(isGlobPattern("infra/**/*.yaml")).toBe(true);
  });
});
