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

/** Each source as a message quotes it, "(source)", beside the source: searched for in every finding's message. */
const QUOTED: readonly (readonly [string, string])[] = SOURCES.map((source) => [source, `(${source})`]);

/** The documented sources quoted in parentheses in a message, in the order they appear. */
export function citationsIn(message: string): string[] {
  if (!message.includes("(")) return [];
  const found: Array<[number, string]> = [];
  for (const [source, quoted] of QUOTED) {
    const at = message.indexOf(quoted);
    if (at >= 0 && !found.some(([, s]) => s.includes(source))) found.push([at, source]);
  }
  if (found.length === 0) return [];
  return found.sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

/** The message without its quoted sources: "StorageEncrypted is not set: AWS default false". */
export function withoutCitations(message: string, citations: readonly string[]): string {
  let text = message;
  for (const source of citations) text = text.split(` (${source})`).join("").split(`(${source})`).join("");
  return text;
}
