/**
 * What a plugin threw, as text, whatever it threw: an object with no prototype, a throwing `toString`, a `message`
 * getter that throws, a revoked proxy. Never throws itself, and never runs on past a bounded length.
 */
const MAX_THROWN_LENGTH = 500;

export function describeThrown(thrown: unknown): string {
  let text: string;
  try {
    if (thrown instanceof ReportedThrow) return thrown.message;
    if (thrown instanceof Error) {
      text = `${safeString(() => thrown.name) ?? "Error"}: ${safeString(() => thrown.message) ?? "(unreadable message)"}`;
    } else if (thrown === null || (typeof thrown !== "object" && typeof thrown !== "function")) {
      text = safeString(() => (typeof thrown === "string" ? thrown : String(thrown))) ?? "a value";
    } else {
      text = safeString(() => String(thrown)) ?? "an object that cannot be turned into text";
    }
  } catch {
    text = "a value that cannot be turned into text";
  }
  return text.length > MAX_THROWN_LENGTH ? `${text.slice(0, MAX_THROWN_LENGTH)}… (truncated)` : text;
}

function safeString(read: () => unknown): string | undefined {
  try {
    const value = read();
    return typeof value === "string" ? value : value === undefined ? undefined : String(value);
  } catch {
    return undefined;
  }
}

/**
 * An error whose text is already what the report says: from a plugin's worker (what it threw, described there) or
 * from the host (a budget ran out). A rule error reads "rule ID <message> on RESOURCE".
 */
export class ReportedThrow extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportedThrow";
  }
}
