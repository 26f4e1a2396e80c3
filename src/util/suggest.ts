/**
 * "Did you mean": the one closest-name function, for unknown command-line options and commands and for
 * parameter values given for a parameter the template does not declare.
 */
import { levenshteinLibrary } from "./lazy.js";

/**
 * The candidate closest to `name` by edit distance (case-insensitive), when it is close enough to be a typo:
 * one edit for names of up to 3 characters, else up to a third of the longer name's length and at least 2 (a
 * swapped pair of letters is two edits). Ties go to the first candidate.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const { distance } = levenshteinLibrary();
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(wanted, candidate.toLowerCase());
    const longer = Math.max(wanted.length, candidate.length);
    const limit = longer <= 3 ? 1 : Math.max(2, Math.floor(longer / 3));
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
