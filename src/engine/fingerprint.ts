/**
 * A finding's stable identity: rule, file (the ARN for live resources), resource id, property and condition label.
 * Never a line or column, so moving code or reformatting a template does not reopen an alert or break a baseline.
 */
import * as crypto from "node:crypto";
import type { Model, ModelResource } from "../model/types.js";
import { normalizePath } from "../util/glob.js";

export interface FingerprintParts {
  ruleId: string;
  resource: ModelResource;
  model: Model;
  property?: string;
  when?: string;
  /** 0 for the first result with this identity from one rule on one resource, 1 for the next, ... */
  occurrence?: number;
}

/**
 * SHA-256 as lowercase hex. `crypto.hash` (Node 20.12+) hashes in one call without a Hash object; older Nodes take
 * createHash. Both give the same hex, so baselines do not change with the Node version.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * The resource's part of its findings' identity, as the JSON of [place, resource id] without brackets. The place is
 * its file (forward slashes, no leading ./), or for a live resource its ARN, even when stackTemplates ties it to a
 * file, so adding a mapping does not reopen its findings. The same for every finding on the resource: callers
 * judging many rules compute it once.
 */
export function fingerprintSubject(resource: ModelResource, model: Model): string {
  const file = resource.origin.source === "live" ? undefined : (resource.origin.file ?? model.file);
  const place = file !== undefined ? normalizePath(file) : (resource.origin.arn ?? resource.id);
  return JSON.stringify([place, resource.id]).slice(1, -1);
}

/**
 * The fingerprint: SHA-256 of JSON.stringify([ruleId, place, resource id, property, when, occurrence if not 0]),
 * written out piece by piece so the resource's part (fingerprintSubject) is serialised once.
 */
export function fingerprintOf(
  ruleId: string,
  subject: string,
  property: string | undefined,
  when: string | undefined,
  occurrence: number | undefined,
): string {
  let identity = `[${JSON.stringify(ruleId)},${subject},${JSON.stringify(property ?? "")},${JSON.stringify(when ?? "")}`;
  // String(occurrence) of a count is digits only: nothing to escape.
  if (occurrence) identity += `,"${occurrence}"`;
  return sha256Hex(`${identity}]`);
}

export function findingFingerprint(parts: FingerprintParts): string {
  return fingerprintOf(
    parts.ruleId,
    fingerprintSubject(parts.resource, parts.model),
    parts.property,
    parts.when,
    parts.occurrence,
  );
}
