/** Waiver and suppression expiry dates: YYYY-MM-DD, a real calendar day, compared in UTC. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds at 00:00 UTC of the date, or undefined when the text is not a real YYYY-MM-DD date. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 2027-02-30 over to March; a real date survives the round trip.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms;
}

export function isIsoDate(text: string): boolean {
  return parseIsoDate(text) !== undefined;
}

/** A waiver expiring on D applies through D-1 and stops applying from 00:00 UTC on D. */
export function isExpired(expires: string, now: Date): boolean {
  const ms = parseIsoDate(expires);
  return ms !== undefined && now.getTime() >= ms;
}
