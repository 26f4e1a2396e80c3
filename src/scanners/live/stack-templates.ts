/**
 * Points live resources at the template that declares them. Given stack name -> template file, a live resource
 * whose aws:cloudformation:stack-name tag names a mapped stack gets origin.file, origin.logicalId and the loc of
 * its logical id in that template, and each attribute gets the loc of the same property there (or of the resource
 * when the template leaves it out). A nightly finding then lands on the line that declares the drifted database.
 * Inline waivers written in the template's Metadata apply to the deployed resource too.
 */
import path from "node:path";
import type { ScanError } from "../../model/errors.js";
import type { Model, ModelResource } from "../../model/types.js";
import { scanTemplateFile } from "../template/index.js";

interface LoadedTemplate {
  file: string;
  model?: Model;
  error?: ScanError;
}

function isAttr(v: unknown): v is { state: string; loc?: unknown } {
  return typeof v === "object" && v !== null && "state" in v;
}

/**
 * Applies the mapping to every model in place. `mapping` paths are relative to `cwd`. Returns the errors:
 * an unreadable or unparsable template, or a mapped stack resource the template does not declare.
 */
export async function attachStackTemplates(
  models: readonly Model[],
  mapping: Readonly<Record<string, string>>,
  cwd: string,
): Promise<ScanError[]> {
  const errors: ScanError[] = [];
  if (Object.keys(mapping).length === 0) return errors;
  const cache = new Map<string, Promise<LoadedTemplate>>();
  const load = (file: string): Promise<LoadedTemplate> => {
    let p = cache.get(file);
    if (!p) {
      p = (async (): Promise<LoadedTemplate> => {
        // Read as a template named on the command line: the same size limit, encodings and refusals (a FIFO).
        const result = await scanTemplateFile(path.resolve(cwd, file), cwd, { named: true });
        if (result.error) return { file: result.file, error: result.error };
        return result.model ? { file: result.file, model: result.model } : { file: result.file };
      })();
      cache.set(file, p);
    }
    return p;
  };
  const missing = new Set<string>();
  for (const model of models) {
    for (const resource of model.resources.values()) {
      const stack = resource.origin.stackName;
      const logicalId = resource.origin.stackLogicalId;
      const file = stack !== undefined ? mapping[stack] : undefined;
      if (file === undefined || logicalId === undefined) continue;
      const template = await load(file);
      if (template.error) continue;
      const declared = template.model?.resources.get(logicalId);
      if (!declared || declared.kind !== resource.kind) {
        const key = `${template.file}#${logicalId}`;
        if (!missing.has(key)) {
          missing.add(key);
          errors.push({
            kind: "policy",
            file: template.file,
            message: `stack ${stack} is mapped to ${template.file}, which declares no ${resource.origin.cfnType ?? resource.kind} ${logicalId} (live ${resource.id})`,
          });
        }
        continue;
      }
      pointAt(resource, declared, template.file);
    }
  }
  for (const template of await Promise.all(cache.values())) if (template.error) errors.unshift(template.error);
  return errors;
}

function pointAt(live: ModelResource, declared: ModelResource, file: string): void {
  live.origin = { ...live.origin, file, logicalId: declared.id };
  if (declared.origin.cdkPath) live.origin.cdkPath = declared.origin.cdkPath;
  if (declared.loc) live.loc = declared.loc;
  const liveFields = live as unknown as Record<string, unknown>;
  const declaredFields = declared as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(liveFields)) {
    if (!isAttr(value)) continue;
    const there = declaredFields[key];
    const loc = isAttr(there) ? (there.loc ?? declared.loc) : declared.loc;
    if (loc) liveFields[key] = { ...value, loc };
  }
  if (declared.suppressions.length > 0) live.suppressions = [...live.suppressions, ...declared.suppressions];
}
