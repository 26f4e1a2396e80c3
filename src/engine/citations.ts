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

/** The documented sources quoted in parentheses in a message, in the order they appear. */
export function citationsIn(message: string): string[] {
  const found: Array<[number, string]> = [];
  for (const source of SOURCES) {
    const at = message.indexOf(`(${source})`);
    if (at >= 0 && !found.some(([, s]) => s.includes(source))) found.push([at, source]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

/** The message without its quoted sources: "StorageEncrypted is not set: AWS default false". */
export function withoutCitations(message: string, citations: readonly string[]): string {
  let text = message;
  for (const source of citations) text = text.split(` (${source})`).join("").split(`(${source})`).join("");
  return text;
}
