/**
 * The documentation a finding's message quotes. Rules word an absent value with the AWS default and where that
 * default is documented ("StorageEncrypted is not set: AWS default false (CloudFormation AWS::RDS::DBInstance
 * reference: StorageEncrypted defaults to false)"). The message keeps it (JSON and SARIF are the full record); the
 * finding also lists it as `citations`, so a view can show the short message and the citation apart.
 */
import { DEFAULTS } from "../model/defaults.js";

const SOURCES: readonly string[] = [
  ...new Set(Object.values(DEFAULTS as Record<string, { source: string }>).map((d) => d.source)),
  "rdsguard CA table",
]
  // Longest first, so a source that contains another is matched whole.
  .sort((a, b) => b.length - a.length);

/** Each source as a message quotes it, "(source)", in SOURCES order, and by the first character of the source. */
const QUOTED: readonly string[] = SOURCES.map((source) => `(${source})`);
const BY_FIRST_CHARACTER = new Map<string, number[]>();
SOURCES.forEach((source, i) => {
  const list = BY_FIRST_CHARACTER.get(source.charAt(0)) ?? [];
  list.push(i);
  BY_FIRST_CHARACTER.set(source.charAt(0), list);
});

/** The documented sources quoted in parentheses in a message, in the order they appear. */
export function citationsIn(message: string): string[] {
  // Where each source is first quoted: only the sources starting with the character after an opening parenthesis
  // are tried there, instead of searching the whole message once per source.
  let firstAt: Map<number, number> | undefined;
  for (let open = message.indexOf("("); open >= 0; open = message.indexOf("(", open + 1)) {
    for (const i of BY_FIRST_CHARACTER.get(message.charAt(open + 1)) ?? []) {
      if (firstAt?.has(i) || !message.startsWith(QUOTED[i] as string, open)) continue;
      firstAt ??= new Map();
      firstAt.set(i, open);
    }
  }
  if (!firstAt) return [];
  const found: Array<[number, string]> = [];
  SOURCES.forEach((source, i) => {
    const at = firstAt.get(i);
    if (at !== undefined && !found.some(([, s]) => s.includes(source))) found.push([at, source]);
  });
  return found.sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

/** The message without its quoted sources: "StorageEncrypted is not set: AWS default false". */
export function withoutCitations(message: string, citations: readonly string[]): string {
  let text = message;
  for (const source of citations) text = text.split(` (${source})`).join("").split(`(${source})`).join("");
  return text;
}
