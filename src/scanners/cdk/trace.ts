/**
 * Where in the CDK app a construct was created, from the stack traces a cloud assembly records: the first frame
 * that is the user's code (not aws-cdk-lib or another dependency, not Node's internals).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceLocation } from "../../model/types.js";
import { displayPath } from "../../util/display-path.js";

/** A construct's metadata entry as written in the cloud assembly (and held by `construct.node.metadata`). */
export interface ConstructMetadataEntry {
  type: string;
  data?: unknown;
  trace?: readonly string[];
}

/** Metadata types this reader uses (cloud-assembly-schema ArtifactMetadataEntryType and aws-cdk-lib core). */
export const LOGICAL_ID_ENTRY = "aws:cdk:logicalId";
export const CREATION_STACK_ENTRY = "aws:cdk:creationStack";
export const TEMPLATE_FILE_ENTRY = "aws:cdk:templateFile";

/** `(path:line:col)` at the end of a frame, as V8 writes a named frame. */
const PARENTHESIZED = /\(([^()]+):(\d+):(\d+)\)\s*$/;
/** `at path:line:col`, an anonymous frame. */
const BARE = /(?:^|\s)(?:at\s+)?(\S+):(\d+):(\d+)\s*$/;

/**
 * The first frame of `frames` that is user code, as a location relative to `root` when inside it.
 * Frames look like "at new DatabaseStack (/app/lib/stack.ts:12:5)" (older assemblies' `trace`) or
 * "new DatabaseStack (/app/lib/stack.ts:12:5)" (aws:cdk:creationStack); elided ones ("...aws-cdk-lib...") are skipped.
 */
export function userFrame(frames: readonly unknown[], root: string): SourceLocation | undefined {
  for (const frame of frames) {
    if (typeof frame !== "string") continue;
    const m = PARENTHESIZED.exec(frame) ?? BARE.exec(frame);
    if (!m) continue;
    let file = m[1] as string;
    if (file.startsWith("file://")) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (!isUserFile(file)) continue;
    return { file: displayPath(file, root), line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

function isUserFile(file: string): boolean {
  if (file.startsWith("node:") || file.startsWith("internal/")) return false;
  if (!path.isAbsolute(file) && !/^[A-Za-z]:[\\/]/.test(file)) return false;
  return !/[\\/]node_modules[\\/]/.test(file);
}

/**
 * The user's source line for a construct, from its own metadata entries: aws:cdk:creationStack (aws-cdk-lib 2.17x
 * and later), else the `trace` of the aws:cdk:logicalId entry (older assemblies). Other entries' traces say where
 * that entry was added (an annotation, say), not where the construct was created.
 */
export function constructSource(
  entries: readonly ConstructMetadataEntry[] | undefined,
  root: string,
): SourceLocation | undefined {
  if (!entries) return undefined;
  const creation = entries.find((e) => e.type === CREATION_STACK_ENTRY && Array.isArray(e.data));
  if (creation) {
    const found = userFrame(creation.data as unknown[], root);
    if (found) return found;
  }
  const logicalId = entries.find((e) => e.type === LOGICAL_ID_ENTRY && Array.isArray(e.trace));
  return logicalId?.trace ? userFrame(logicalId.trace, root) : undefined;
}
