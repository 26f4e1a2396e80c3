/**
 * A finding's stable identity: rule, file (the ARN for live resources), resource id, property and condition label.
 * Never a line or column, so moving code or reformatting a template does not reopen an alert or break a baseline.
 */
import { createHash } from "node:crypto";
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

export function findingFingerprint(parts: FingerprintParts): string {
  const { resource, model } = parts;
  // A live resource is identified by its ARN even when stackTemplates ties it to a file, so adding a mapping does
  // not reopen its findings.
  const file = resource.origin.source === "live" ? undefined : (resource.origin.file ?? model.file);
  const place = file !== undefined ? normalizePath(file) : (resource.origin.arn ?? resource.id);
  const identity = [parts.ruleId, place, resource.id, parts.property ?? "", parts.when ?? ""];
  if (parts.occurrence) identity.push(String(parts.occurrence));
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
}
