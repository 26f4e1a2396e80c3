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
 * Where a resource's findings are placed in their identity: its file (forward slashes, no leading ./), or for a
 * live resource its ARN, even when stackTemplates ties it to a file, so adding a mapping does not reopen its findings.
 * The same for every finding on the resource: callers judging many rules compute it once.
 */
export function fingerprintPlace(resource: ModelResource, model: Model): string {
  const file = resource.origin.source === "live" ? undefined : (resource.origin.file ?? model.file);
  return file !== undefined ? normalizePath(file) : (resource.origin.arn ?? resource.id);
}

/** The fingerprint from its parts, the place already computed (fingerprintPlace). */
export function fingerprintAt(
  ruleId: string,
  place: string,
  resourceId: string,
  property: string | undefined,
  when: string | undefined,
  occurrence: number | undefined,
): string {
  const identity = [ruleId, place, resourceId, property ?? "", when ?? ""];
  if (occurrence) identity.push(String(occurrence));
  return sha256Hex(JSON.stringify(identity));
}

export function findingFingerprint(parts: FingerprintParts): string {
  const { resource, model } = parts;
  return fingerprintAt(
    parts.ruleId,
    fingerprintPlace(resource, model),
    resource.id,
    parts.property,
    parts.when,
    parts.occurrence,
  );
}
