/**
 * The template scanner: finds files, recognises CloudFormation templates by content, parses them with positions
 * and builds the model. It knows nothing of rules. Files are yielded one at a time so that memory does not grow
 * with the number of files.
 */
import type { Dirent } from "node:fs";
import { constants } from "node:fs";
import { open, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { ScanError } from "../../model/errors.js";
import type { Model } from "../../model/types.js";
import { displayPath } from "../../util/display-path.js";
import { isGlobPattern } from "../../util/glob.js";
import { readRegularFileSync } from "../../util/read-file.js";
import { child, LineIndex } from "./ast.js";
import { buildTemplateModel, templateProblem } from "./build-model.js";
import type { EvalOptions } from "./intrinsics.js";
import { expandLanguageExtensions } from "./language-extensions.js";
import { checkParameterValues, declaredParameters } from "./parameters.js";
import { parseTemplateText } from "./parse.js";

export { buildTemplateModel, settled } from "./build-model.js";
export type { EvalOptions } from "./intrinsics.js";
export { loadParameterFile, parseParameterFlag } from "./parameters.js";
export { parseTemplateText } from "./parse.js";

export interface TemplateScanOptions extends EvalOptions {
  /** Files larger than this (bytes) are reported, not read. CloudFormation itself accepts at most 1 MB. */
  maxFileSize?: number;
}

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

export interface TemplateFileResult {
  file: string;
  /** Set when the file is a template holding database resources. */
  model?: Model;
  /** Why the file could not be read or parsed, or what CloudFormation would reject (then a model may still be set). */
  error?: ScanError;
  /** Parameter values given that this template's declarations reject (Type, AllowedValues, ...). */
  parameterErrors?: ScanError[];
  /** The parameters the template declares (for "did you mean" on a value given for none of them). */
  declaredParameters?: string[];
}

/** Directories never walked into: dependencies, VCS data, and CDK output (scanned only when named). */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "cdk.out", ".hg", ".svn"]);
/** When walking a directory, files with these endings are read; content then decides what is a template. */
const CANDIDATE_EXTENSIONS = new Set([".yaml", ".yml", ".json", ".template", ".cfn", ".tmpl", ".txt"]);
/** A database resource type must appear literally in a template that declares one. */
const DATABASE_MARKER = /AWS::(RDS|KMS)::/;
const RDS_MARKER = "AWS::RDS::";
/** A template's top-level key, where a parse error is then reported: at a line's start, or after `{` (one-line JSON). */
const TEMPLATE_MARKER = /(^\s*|[{,]\s*)["']?(AWSTemplateFormatVersion|Resources)["']?\s*:/m;
/** How much of a too-large file is searched for a marker. */
const MARKER_SEARCH_LIMIT = 256 * 1024 * 1024;
/** The same, searched anywhere in a too-large file's bytes. */
const TEMPLATE_KEY = /["']?(AWSTemplateFormatVersion|Resources)["']?\s*:/;

/**
 * Expands paths, directories and globs (relative to `root`) into files; missing paths are errors. Order is
 * stable. Errors name directories relative to `displayRoot` (the report's root; default `root`).
 */
export async function discoverFiles(
  inputs: string[],
  root: string,
  displayRoot = root,
): Promise<{ files: string[]; errors: ScanError[]; named: Set<string> }> {
  const files = new Set<string>();
  /** Files named on the command line themselves (not found by a walk or a glob): never skipped silently. */
  const named = new Set<string>();
  const errors: ScanError[] = [];
  for (const input of inputs) {
    if (isGlobPattern(input)) {
      const { glob } = await import("tinyglobby");
      const matches = await glob(input, {
        cwd: root,
        absolute: true,
        ignore: ["**/node_modules/**", "**/.git/**", "**/cdk.out/**"],
        dot: true,
      });
      if (matches.length === 0) errors.push({ kind: "io", message: `no files match ${input}` });
      for (const m of matches.sort()) files.add(path.resolve(m));
      continue;
    }
    const abs = path.resolve(root, input);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(abs)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const message = code === "ENOENT" ? `no such file or directory: ${input}` : `cannot read ${input}: ${code}`;
      errors.push({ kind: "io", file: displayPath(abs, displayRoot), message });
      continue;
    }
    if (!isDirectory) {
      files.add(abs);
      named.add(abs);
    } else for (const f of await walk(abs, displayRoot, errors, new Set())) files.add(f);
  }
  return { files: [...files], errors, named };
}

/**
 * Files below `dir`, in name order. Symbolic links are followed (a directory reached twice is walked once, so a
 * link cycle ends); an unreadable directory is reported and the rest of the walk goes on.
 */
async function walk(dir: string, root: string, errors: ScanError[], seen: Set<string>): Promise<string[]> {
  const real = await realpath(dir).catch(() => dir);
  if (seen.has(real)) return [];
  seen.add(real);
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const where = displayPath(dir, root);
    errors.push({
      kind: "io",
      file: where,
      message: `cannot read directory ${where}: ${(err as NodeJS.ErrnoException).code}`,
    });
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    let isDirectory = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined); // a dangling link is not a file to scan
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory) {
      if (!SKIPPED_DIRS.has(e.name)) out.push(...(await walk(full, root, errors, seen)));
    } else if (isFile && CANDIDATE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
      out.push(full);
    }
  }
  return out;
}

/** Parses one template text into a model. `file` is the display path used in locations. */
export function scanTemplateText(text: string, file: string, options: EvalOptions = {}): TemplateFileResult {
  if (!text.includes(RDS_MARKER)) return { file };
  const parsed = parseTemplateText(text);
  if (!parsed.ok) {
    if (!TEMPLATE_MARKER.test(text)) return { file };
    const { message, line, column } = parsed.error;
    return { file, error: { kind: "parse", file, line, column, message } };
  }
  if (child(parsed.root, "Resources") === undefined) return { file };
  const expanded = expandLanguageExtensions(parsed.root, options);
  if (expanded.problem) {
    const { message, pos } = expanded.problem;
    return { file, error: { kind: "parse", file, line: pos.line, column: pos.column, message } };
  }
  const root = expanded.root;
  const model = buildTemplateModel(root, file, options);
  const parameterErrors = checkParameterValues(root, options.parameters ?? {}, file);
  const result: TemplateFileResult = {
    file,
    model,
    declaredParameters: declaredParameters(root),
    ...(parameterErrors.length > 0 ? { parameterErrors } : {}),
  };
  const problem = templateProblem(root);
  if (!problem) return result;
  const { message, pos } = problem;
  return { ...result, error: { kind: "parse", file, line: pos.line, column: pos.column, message } };
}

/** 52.4 MB, 512.0 KB, 84 bytes: sizes as a person reads them. */
function byteSize(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${Math.floor(n)} bytes`;
}

/**
 * The text of a file: UTF-8, UTF-16 or UTF-32 (with a byte-order mark, or without one when the first characters
 * show it, as RFC 4627 detects JSON's encoding). A NUL byte left after decoding makes the content binary: the
 * offset of the first one is returned so that a file that matters can be reported where it is.
 */
export function decodeText(buffer: Buffer): { text: string } | { binaryAt: number; text: string } {
  const [b0, b1, b2, b3] = [buffer[0], buffer[1], buffer[2], buffer[3]];
  let text: string;
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) text = utf32(buffer.subarray(4), true);
  else if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) text = utf32(buffer.subarray(4), false);
  else if (b0 === 0xff && b1 === 0xfe) text = buffer.subarray(2).toString("utf16le");
  else if (b0 === 0xfe && b1 === 0xff) text = Buffer.from(buffer.subarray(2)).swap16().toString("utf16le");
  else if (buffer.length >= 4 && b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) text = utf32(buffer, true);
  else if (buffer.length >= 4 && b0 === 0 && b1 === 0 && b2 === 0 && b3 !== 0) text = utf32(buffer, false);
  else if (buffer.length >= 4 && b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) text = buffer.toString("utf16le");
  else if (buffer.length >= 4 && b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) {
    text = Buffer.from(buffer.subarray(0, buffer.length & ~1))
      .swap16()
      .toString("utf16le");
  } else text = buffer.toString("utf8");
  const nul = text.indexOf("\0");
  return nul < 0 ? { text } : { binaryAt: nul, text };
}

function utf32(buffer: Buffer, littleEndian: boolean): string {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length & ~3);
  const out: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < view.byteLength; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    chunk.push(cp <= 0x10ffff ? cp : 0xfffd);
    if (chunk.length === 8192) {
      out.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  out.push(String.fromCodePoint(...chunk));
  return out.join("");
}

/**
 * Whether a file too large to parse looks like a template that matters: read in bounded chunks (never whole), so a
 * one-line JSON whose database resource comes late is found as well as a pretty-printed one.
 */
async function looksLikeTemplate(absPath: string): Promise<boolean> {
  const handle = await open(absPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const chunkSize = 1024 * 1024;
    const buffer = Buffer.alloc(chunkSize + 64);
    let carry = "";
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
      if (bytesRead === 0) return false;
      position += bytesRead;
      const text = carry + buffer.subarray(0, bytesRead).toString("latin1");
      if (DATABASE_MARKER.test(text) || TEMPLATE_KEY.test(text)) return true;
      carry = text.slice(-64);
      if (position >= MARKER_SEARCH_LIMIT) return true; // too big to search: reported rather than skipped
    }
  } finally {
    await handle.close();
  }
}

/** Options for one file: whether it was named on the command line (then it is never skipped silently). */
export interface TemplateFileOptions extends TemplateScanOptions {
  named?: boolean;
}

export async function scanTemplateFile(
  absPath: string,
  root: string,
  options: TemplateFileOptions = {},
): Promise<TemplateFileResult> {
  const file = displayPath(absPath, root);
  const limit = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  try {
    // Synchronous: 1,000 templates read in 14-17 ms of CPU against 77-107 ms through the promise API with 8 in flight
    // (bench/reads.mjs, issue 17); nothing else runs on this thread while templates are read and parsed.
    const read = readRegularFileSync(absPath, limit);
    if (!read.ok) {
      if (read.reason === "too-large") {
        if (!options.named && !(await looksLikeTemplate(absPath))) return { file };
        const size = read.size ?? limit + 1;
        return {
          file,
          error: {
            kind: "too-large",
            file,
            line: 1,
            column: 1,
            message: `file is ${byteSize(size)}, over the ${byteSize(limit)} limit (--max-file-size); not scanned`,
          },
        };
      }
      return { file, error: { kind: "io", file, message: `cannot read: ${read.message}` } };
    }
    const decoded = decodeText(read.buffer);
    if ("binaryAt" in decoded) {
      // Binary content is skipped, unless it was named or mentions a database type: then it is reported.
      if (!options.named && !DATABASE_MARKER.test(decoded.text)) return { file };
      const at = new LineIndex(decoded.text).pos(decoded.binaryAt);
      return {
        file,
        error: {
          kind: "parse",
          file,
          ...at,
          message: "file contains a NUL character: binary content, not a CloudFormation template; not scanned",
        },
      };
    }
    return scanTemplateText(decoded.text, file, options);
  } catch (err) {
    return { file, error: { kind: "io", file, message: `cannot read: ${(err as Error).message}` } };
  }
}

/**
 * Scans files one after another, yielding results in input order. Reads are synchronous, so files in flight would
 * gain nothing; each would only keep its text, AST and model alive across young-generation collections, which
 * then promote them and grow the old generation (8 in flight: 170-200 MB of heap for 35 MB live, issue 17).
 */
export async function* scanTemplateFiles(
  files: string[],
  root: string,
  options: TemplateScanOptions & { named?: ReadonlySet<string> } = {},
): AsyncGenerator<TemplateFileResult> {
  for (const abs of files)
    yield await scanTemplateFile(abs, root, { ...options, named: options.named?.has(abs) ?? false });
}
