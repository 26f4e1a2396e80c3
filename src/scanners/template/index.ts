/**
 * The template scanner: finds files, recognises CloudFormation templates by content, parses them with positions
 * and builds the model. It knows nothing of rules. Files are yielded one at a time so that memory does not grow
 * with the number of files.
 */
import type { Dirent } from "node:fs";
import { open, readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import type { ScanError } from "../../model/errors.js";
import type { Model } from "../../model/types.js";
import { child } from "./ast.js";
import { buildTemplateModel, templateProblem } from "./build-model.js";
import type { EvalOptions } from "./intrinsics.js";
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
const TEMPLATE_MARKER = /^\s*["']?(AWSTemplateFormatVersion|Resources)["']?\s*:/m;

/** Relative, forward-slash path as shown in reports. */
export function displayPath(file: string, root: string): string {
  const rel = path.relative(root, file);
  return (rel === "" || rel.startsWith("..") ? file : rel).split(path.sep).join("/");
}

/**
 * Expands paths, directories and globs (relative to `root`) into files; missing paths are errors. Order is
 * stable. Errors name directories relative to `displayRoot` (the report's root; default `root`).
 */
export async function discoverFiles(
  inputs: string[],
  root: string,
  displayRoot = root,
): Promise<{ files: string[]; errors: ScanError[] }> {
  const files = new Set<string>();
  const errors: ScanError[] = [];
  for (const input of inputs) {
    if (isDynamicPattern(input)) {
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
    if (!isDirectory) files.add(abs);
    else for (const f of await walk(abs, displayRoot, errors, new Set())) files.add(f);
  }
  return { files: [...files], errors };
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
  const model = buildTemplateModel(parsed.root, file, options);
  const parameterErrors = checkParameterValues(parsed.root, options.parameters ?? {}, file);
  const result: TemplateFileResult = {
    file,
    model,
    declaredParameters: declaredParameters(parsed.root),
    ...(parameterErrors.length > 0 ? { parameterErrors } : {}),
  };
  const problem = templateProblem(parsed.root);
  if (!problem) return result;
  const { message, pos } = problem;
  return { ...result, error: { kind: "parse", file, line: pos.line, column: pos.column, message } };
}

/** 52.4 MB, 512.0 KB, 84 bytes: sizes as a person reads them. */
function byteSize(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${Math.floor(n)} bytes`;
}

/** UTF-8, or UTF-16 with a byte-order mark (editors on Windows write it); undefined for binary content. */
function decodeText(buffer: Buffer): string | undefined {
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString("utf16le");
  if (buffer[0] === 0xfe && buffer[1] === 0xff) {
    const swapped = Buffer.from(buffer.subarray(2));
    return swapped.swap16().toString("utf16le");
  }
  return buffer.includes(0) ? undefined : buffer.toString("utf8");
}

async function readHead(file: string, bytes: number): Promise<string> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

export async function scanTemplateFile(
  absPath: string,
  root: string,
  options: TemplateScanOptions = {},
): Promise<TemplateFileResult> {
  const file = displayPath(absPath, root);
  const limit = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  try {
    const { size } = await stat(absPath);
    if (size > limit) {
      const head = await readHead(absPath, 64 * 1024);
      if (!TEMPLATE_MARKER.test(head) && !DATABASE_MARKER.test(head)) return { file };
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
    const text = decodeText(await readFile(absPath));
    if (text === undefined) return { file }; // binary
    return scanTemplateText(text, file, options);
  } catch (err) {
    return { file, error: { kind: "io", file, message: `cannot read: ${(err as Error).message}` } };
  }
}

/** Scans files with bounded concurrency, yielding results in input order. */
export async function* scanTemplateFiles(
  files: string[],
  root: string,
  options: TemplateScanOptions = {},
  concurrency = 8,
): AsyncGenerator<TemplateFileResult> {
  const pending: Promise<TemplateFileResult>[] = [];
  let next = 0;
  while (next < files.length || pending.length > 0) {
    while (pending.length < concurrency && next < files.length) {
      pending.push(scanTemplateFile(files[next++] as string, root, options));
    }
    yield await (pending.shift() as Promise<TemplateFileResult>);
  }
}
