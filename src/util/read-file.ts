/**
 * The one way rdsguard reads an input file (template, policy, parameters, baseline, CDK manifest): only a regular
 * file, and never more than a size limit. A FIFO, a socket or a character device (/dev/zero) is refused instead of
 * being read forever, and a file that grows while it is read stops at the limit, so memory stays bounded.
 * Opening uses O_NONBLOCK so that opening a FIFO with no writer does not block before it can be refused.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { open } from "node:fs/promises";

/** Policy, parameters and baseline files: far larger than any real one. */
export const DEFAULT_INPUT_LIMIT = 64 * 1024 * 1024;

export type ReadResult =
  | { ok: true; buffer: Buffer; size: number }
  | { ok: false; reason: "not-regular" | "too-large" | "error"; message: string; size?: number; code?: string };

const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

function refuse(stats: Stats, limit: number): ReadResult | undefined {
  if (!stats.isFile()) return { ok: false, reason: "not-regular", message: `${kindOf(stats)}, not a regular file` };
  if (stats.size > limit) {
    return { ok: false, reason: "too-large", size: stats.size, message: `file is over the ${limit} byte limit` };
  }
  return undefined;
}

function failure(err: unknown): ReadResult {
  const code = (err as NodeJS.ErrnoException).code;
  const message =
    code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory, not a regular file" : (code ?? String(err));
  return { ok: false, reason: "error", message, ...(code ? { code } : {}) };
}

/** Reads a regular file of at most `limit` bytes (a file that grows past the limit while read is too large). */
export function readRegularFileSync(path: string, limit: number = DEFAULT_INPUT_LIMIT): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (err) {
    return failure(err);
  }
  try {
    const stats = fstatSync(fd);
    const refused = refuse(stats, limit);
    if (refused) return refused;
    const buffer = Buffer.allocUnsafe(Math.min(limit, stats.size) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
      if (length > limit) return { ok: false, reason: "too-large", size: length, message: "file grew past the limit" };
      if (length === buffer.length) break;
    }
    return { ok: true, buffer: buffer.subarray(0, length), size: length };
  } catch (err) {
    return failure(err);
  } finally {
    closeSync(fd);
  }
}

/** The asynchronous twin of readRegularFileSync, same checks. */
export async function readRegularFile(path: string, limit: number = DEFAULT_INPUT_LIMIT): Promise<ReadResult> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, FLAGS);
  } catch (err) {
    return failure(err);
  }
  try {
    const stats = await handle.stat();
    const refused = refuse(stats, limit);
    if (refused) return refused;
    const buffer = Buffer.allocUnsafe(Math.min(limit, stats.size) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limit) return { ok: false, reason: "too-large", size: length, message: "file grew past the limit" };
      if (length === buffer.length) break;
    }
    return { ok: true, buffer: buffer.subarray(0, length), size: length };
  } catch (err) {
    return failure(err);
  } finally {
    await handle.close();
  }
}

/** Reads a regular file as UTF-8 text; see readRegularFileSync. */
export function readTextFileSync(
  path: string,
  limit: number = DEFAULT_INPUT_LIMIT,
): { ok: true; text: string } | Extract<ReadResult, { ok: false }> {
  const read = readRegularFileSync(path, limit);
  return read.ok ? { ok: true, text: read.buffer.toString("utf8") } : read;
}

export async function readTextFile(
  path: string,
  limit: number = DEFAULT_INPUT_LIMIT,
): Promise<{ ok: true; text: string } | Extract<ReadResult, { ok: false }>> {
  const read = await readRegularFile(path, limit);
  return read.ok ? { ok: true, text: read.buffer.toString("utf8") } : read;
}
