/**
 * The one glob matcher used for profile criteria and waivers (picomatch syntax: `*` stops at `/`, `**` crosses it).
 * Compiled matchers are cached because the same few patterns are tried against every resource.
 */
import picomatch from "picomatch";

type Matcher = (value: string) => boolean;

const cache = new Map<string, Matcher>();

/**
 * Answers by pattern and value: profiles try the same tag values and stack names against the same patterns for
 * every resource. Emptied when it grows past RESULTS_LIMIT, so a scan of many distinct paths stays bounded.
 */
const results = new Map<string, boolean>();
const RESULTS_LIMIT = 50_000;

export function globMatch(pattern: string, value: string, options: { nocase?: boolean } = {}): boolean {
  const nocase = options.nocase === true;
  const key = `${nocase ? "i" : "c"}:${pattern}`;
  const resultKey = `${key}\u0000${value}`;
  const known = results.get(resultKey);
  if (known !== undefined) return known;
  let matcher = cache.get(key);
  if (!matcher) {
    matcher = picomatch(pattern, { dot: true, nocase });
    cache.set(key, matcher);
  }
  const matched = matcher(value);
  if (results.size >= RESULTS_LIMIT) results.clear();
  results.set(resultKey, matched);
  return matched;
}

/**
 * Whether a command-line path is a glob to expand (`infra/*.yaml`, `stacks/{a,b}.json`, `!x`) rather than a file or
 * directory: tinyglobby's isDynamicPattern, computed with the picomatch already loaded, so that a scan of plain paths
 * does not load tinyglobby (test/scanner/glob-pattern.test.ts compares the two).
 */
export function isGlobPattern(input: string): boolean {
  const scan = picomatch.scan(input);
  return scan.isGlob || scan.negated;
}

/** True when any pattern matches any value. */
export function anyGlobMatches(
  patterns: readonly string[],
  values: readonly (string | undefined)[],
  options: { nocase?: boolean } = {},
): boolean {
  return patterns.some((pattern) => values.some((value) => value !== undefined && globMatch(pattern, value, options)));
}

/** Paths compare with forward slashes and without a leading "./". */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
}
