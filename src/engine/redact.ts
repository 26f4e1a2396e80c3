/**
 * Replaces every occurrence of a NoEcho parameter's value in text meant for a report by "value of NoEcho parameter
 * NAME": whatever path a value took into a message (a rule's "is X", a coercion's "got X", a tag, a plugin's own
 * words), it is never quoted. Longer values first, so a value that contains another is replaced whole.
 */
import type { ModelSecret } from "../model/types.js";

export function redactSecrets(text: string, secrets: readonly ModelSecret[] | undefined): string {
  if (!secrets || secrets.length === 0) return text;
  let out = text;
  for (const { parameter, value } of [...secrets].sort((a, b) => b.value.length - a.value.length)) {
    if (value === "" || !out.includes(value)) continue;
    out = out.split(value).join(`value of NoEcho parameter ${parameter}`);
  }
  return out;
}
