/**
 * The one glob matcher used for profile criteria and waivers (picomatch syntax: `*` stops at `/`, `**` crosses it).
 * Compiled matchers are cached because the same few patterns are tried against every resource.
 */
import picomatch from "picomatch";

type Matcher = (value: string) => boolean;

const cache = new Map<string, Matcher>();

export function globMatch(pattern: string, value: string, options: { nocase?: boolean } = {}): boolean {
  const nocase = options.nocase === true;
  const key = `${nocase ? "i" : "c"}:${pattern}`;
  let matcher = cache.get(key);
  if (!matcher) {
    matcher = picomatch(pattern, { dot: true, nocase });
    cache.set(key, matcher);
  }
  return matcher(value);
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
