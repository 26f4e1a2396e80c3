/**
 * Nesting of maps and lists, checked before a recursive parser (JSON.parse, jsonc-parser) sees the text: past the
 * budget the parser would overflow the stack, so the file gets a located error instead.
 */

/** Nesting of maps and lists in a template, parameters file or baseline (CloudFormation templates nest < 30). */
export const MAX_NESTING = 256;

/** The first `{` or `[` past `limit` levels in JSON text (strings skipped), or undefined. */
export function jsonNestingError(
  text: string,
  limit: number = MAX_NESTING,
): { message: string; at: { line: number; column: number } } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22 || d === 0x0a) break;
      }
      if (text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    } else if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) {
        return { message: `nesting deeper than ${limit} levels`, at: { line, column: i - lineStart + 1 } };
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}
