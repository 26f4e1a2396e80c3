/**
 * Values from a template quoted in a finding are cut to a bounded length: a 1 MB property value quoted by several
 * rules made a 105 MB JSON report. The cut says how long the value was.
 */
export const MAX_QUOTED_LENGTH = 200;

export function quoteText(text: string, max = MAX_QUOTED_LENGTH): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length.toLocaleString("en-US")} characters, cut)`;
}
