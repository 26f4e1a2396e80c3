/**
 * The cloud assembly reader (`cdk synth` output): manifest.json, the template of every stack artifact, the nested
 * stack templates they deploy, and stage sub-assemblies, recursively. Each template goes through the template
 * scanner like any other; the reader adds what only the assembly knows: the stack's name, the construct path of a
 * resource whose template lacks aws:cdk:path, and the line of the app's source that created the construct. Asset
 * manifests, tree.json and other artifacts are not read. It knows nothing of rules.
 */
import { existsSync, statSync } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { ScanError } from "../../model/errors.js";
import type { Model, SourceLocation } from "../../model/types.js";
import { displayPath } from "../../util/display-path.js";
import { readTextFile, readTextFileSync } from "../../util/read-file.js";
import { toPlain } from "../template/ast.js";
import {
  DEFAULT_MAX_FILE_SIZE,
  parseTemplateText,
  scanTemplateFile,
  scanTemplateText,
  type TemplateFileResult,
  type TemplateScanOptions,
} from "../template/index.js";
import { type ConstructMetadataEntry, constructSource, LOGICAL_ID_ENTRY, TEMPLATE_FILE_ENTRY } from "./trace.js";

export { type ConstructMetadataEntry, constructSource, userFrame } from "./trace.js";

const MANIFEST = "manifest.json";
/** CDK writes this marker (`{"version": ...}`) into every assembly directory it creates. */
const ASSEMBLY_MARKER = "cdk.out";
const NESTED_TEMPLATE = /\.nested\.template\.json$/;
/** aws:asset:path metadata of an AWS::CloudFormation::Stack resource naming its template in the assembly. */
const ASSET_PATH = /"aws:asset:path"\s*:\s*"([^"\\]+\.nested\.template\.json)"/g;

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * The cloud assembly a directory given on the command line names: the directory itself when it holds an assembly
 * manifest, or its `cdk.out` subdirectory; undefined otherwise.
 */
export async function cloudAssemblyIn(dir: string): Promise<string | undefined> {
  if (await isAssembly(dir)) return dir;
  const output = path.join(dir, "cdk.out");
  return (await isAssembly(output)) ? output : undefined;
}

/** manifest.json plus a sign that it is CDK's: the directory's name, CDK's marker file, or an artifacts map. */
async function isAssembly(dir: string): Promise<boolean> {
  const manifest = path.join(dir, MANIFEST);
  if (!(await isFile(manifest))) return false;
  if (path.basename(dir) === "cdk.out" || (await isFile(path.join(dir, ASSEMBLY_MARKER)))) return true;
  const read = await readTextFile(manifest);
  const text = read.ok ? read.text : "";
  return /"artifacts"\s*:/.test(text);
}

/**
 * Splits command-line paths into cloud assemblies and the rest. A named assembly is read only as an assembly; a
 * directory that contains one (cdk.out) is walked as usual too (the walk itself skips cdk.out).
 */
export async function separateCloudAssemblies(
  inputs: readonly string[],
  root: string,
): Promise<{ assemblies: string[]; others: string[] }> {
  const assemblies: string[] = [];
  const others: string[] = [];
  for (const input of inputs) {
    const abs = path.resolve(root, input);
    // Synchronous: a file list from `git diff` names hundreds of files, and each awaited stat went round the
    // thread pool (~15 ms of waiting for 334 files).
    const isDirectory = isDirectorySync(abs);
    const assembly = isDirectory ? await cloudAssemblyIn(abs) : undefined;
    if (assembly !== undefined && !assemblies.includes(assembly)) assemblies.push(assembly);
    if (assembly !== abs) others.push(input);
  }
  return { assemblies, others };
}

function isDirectorySync(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** Reads one cloud assembly, yielding each template's result (with its model) in manifest order. */
export async function* scanCloudAssembly(
  dir: string,
  root: string,
  options: TemplateScanOptions = {},
): AsyncGenerator<TemplateFileResult> {
  yield* readAssembly(path.resolve(root, dir), root, options, new Set());
}

async function* readAssembly(
  dir: string,
  root: string,
  options: TemplateScanOptions,
  seen: Set<string>,
): AsyncGenerator<TemplateFileResult> {
  const real = await realpath(dir).catch(() => dir);
  if (seen.has(real)) return;
  seen.add(real);
  const manifestFile = path.join(dir, MANIFEST);
  const manifest = await readJsonFile(manifestFile, root, "cloud assembly manifest");
  const artifacts = manifest.value?.artifacts;
  if (manifest.error || !isRecord(artifacts)) {
    const file = displayPath(manifestFile, root);
    yield {
      file,
      error: manifest.error ?? {
        kind: "parse",
        file,
        line: 1,
        column: 1,
        message: "invalid cloud assembly manifest: it has no artifacts map",
      },
    };
    // The templates are still judged, as plain templates (without stack names or source traces).
    for (const template of await templatesBelow(dir)) yield await scanTemplateFile(template, root, options);
    return;
  }
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (!isRecord(artifact)) continue;
    const properties = isRecord(artifact.properties) ? artifact.properties : {};
    if (artifact.type === "aws:cloudformation:stack") {
      yield* readStack(dir, id, artifact, properties, root, options);
    } else if (artifact.type === "cdk:cloud-assembly" && typeof properties.directoryName === "string") {
      yield* readAssembly(path.join(dir, properties.directoryName), root, options, seen);
    }
  }
}

/** What the reader knows of one stack artifact. */
interface StackContext {
  stackName: string;
  constructs: ConstructIndex;
  options: TemplateScanOptions;
}

async function* readStack(
  dir: string,
  id: string,
  artifact: Json,
  properties: Json,
  root: string,
  options: TemplateScanOptions,
): AsyncGenerator<TemplateFileResult> {
  const manifestFile = displayPath(path.join(dir, MANIFEST), root);
  if (typeof properties.templateFile !== "string") {
    yield {
      file: manifestFile,
      error: { kind: "parse", file: manifestFile, message: `stack artifact ${id} names no properties.templateFile` },
    };
    return;
  }
  const metadata: Record<string, ConstructMetadataEntry[]> = {};
  addMetadata(metadata, artifact.metadata);
  if (typeof artifact.additionalMetadataFile === "string") {
    const extra = await readJsonFile(path.join(dir, artifact.additionalMetadataFile), root, "metadata file");
    if (extra.error) yield { file: extra.error.file ?? manifestFile, error: extra.error };
    addMetadata(metadata, extra.value);
  }
  const context = stackContext(id, artifact, properties.templateFile, metadata, root, options);
  const queue = [properties.templateFile, ...context.constructs.nestedTemplates()];
  const done = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (done.has(name)) continue;
    done.add(name);
    const abs = path.join(dir, name);
    const result = await scanTemplateFile(abs, root, context.options);
    if (result.model) describeStack(result.model, name, context);
    yield result;
    const read = await readTextFile(abs, context.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
    queue.push(...nestedTemplatesIn(read.ok ? read.text : ""));
  }
}

/**
 * The same reading of one stack, synchronously, from its template file in an assembly directory (a CDK policy
 * validation plugin runs synchronously inside synth and is handed the stacks' template paths): the stack artifact
 * that names the template in the directory's manifest.json gives the stack name, environment and construct
 * metadata; the nested stack templates it deploys follow. Without a manifest that names it, the template and its
 * nested templates are read as plain templates.
 */
export function scanStackTemplateSync(
  templatePath: string,
  root: string,
  options: TemplateScanOptions = {},
): (TemplateFileResult & { path: string })[] {
  const abs = path.resolve(root, templatePath);
  const dir = path.dirname(abs);
  const templateFile = path.basename(abs);
  const results: (TemplateFileResult & { path: string })[] = [];
  const manifestPath = path.join(dir, MANIFEST);
  const manifest = readJsonFileSync(manifestPath, root, "cloud assembly manifest");
  // A template outside an assembly is read as a plain template; an assembly manifest that cannot be read is an error.
  if (manifest.error && existsSync(manifestPath))
    results.push({ path: manifestPath, file: manifest.error.file, error: manifest.error });
  const artifacts = isRecord(manifest.value?.artifacts) ? manifest.value.artifacts : {};
  const found = Object.entries(artifacts).find(
    ([, a]) =>
      isRecord(a) &&
      a.type === "aws:cloudformation:stack" &&
      isRecord(a.properties) &&
      a.properties.templateFile === templateFile,
  );
  const metadata: Record<string, ConstructMetadataEntry[]> = {};
  let context: StackContext | undefined;
  if (found && isRecord(found[1])) {
    const [id, artifact] = found as [string, Json];
    addMetadata(metadata, artifact.metadata);
    if (typeof artifact.additionalMetadataFile === "string") {
      const extra = readJsonFileSync(path.join(dir, artifact.additionalMetadataFile), root, "metadata file");
      if (extra.error) results.push({ path: abs, file: extra.error.file, error: extra.error });
      addMetadata(metadata, extra.value);
    }
    context = stackContext(id, artifact, templateFile, metadata, root, options);
  }
  const queue = [templateFile, ...(context?.constructs.nestedTemplates() ?? [])];
  const done = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (done.has(name)) continue;
    done.add(name);
    const file = path.join(dir, name);
    const { text, result } = readTemplateSync(file, root, options);
    if (text !== undefined) {
      const scanned = scanTemplateText(text, displayPath(file, root), context?.options ?? options);
      if (scanned.model && context) describeStack(scanned.model, name, context);
      results.push({ ...scanned, path: file });
      queue.push(...nestedTemplatesIn(text));
    } else if (result) {
      results.push({ ...result, path: file });
    }
  }
  return results;
}

/** A synthesized template's text, or why it is not read (the limit of --max-file-size applies here too). */
function readTemplateSync(
  abs: string,
  root: string,
  options: TemplateScanOptions,
): { text?: string; result?: TemplateFileResult } {
  const file = displayPath(abs, root);
  const limit = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const read = readTextFileSync(abs, limit);
  if (read.ok) return { text: read.text };
  if (read.reason === "too-large") {
    const message = `file is ${read.size ?? limit + 1} bytes, over the ${limit} byte limit; not scanned`;
    return { result: { file, error: { kind: "too-large", file, line: 1, column: 1, message } } };
  }
  return { result: { file, error: { kind: "io", file, message: `cannot read: ${read.message}` } } };
}

/** What the manifest says of a stack artifact: its name, where it deploys, its construct metadata. */
function stackContext(
  id: string,
  artifact: Json,
  templateFile: string,
  metadata: Record<string, ConstructMetadataEntry[]>,
  root: string,
  options: TemplateScanOptions,
): StackContext {
  const properties = isRecord(artifact.properties) ? artifact.properties : {};
  const stackName = typeof properties.stackName === "string" ? properties.stackName : id;
  const env = environment(artifact.environment);
  return {
    stackName,
    constructs: new ConstructIndex(metadata, templateFile, root),
    // The assembly says where the stack deploys; what the user gave on the command line wins.
    options: {
      ...options,
      stackName: options.stackName ?? stackName,
      ...((options.region ?? env.region) !== undefined ? { region: options.region ?? env.region } : {}),
      ...((options.accountId ?? env.account) !== undefined ? { accountId: options.accountId ?? env.account } : {}),
    },
  };
}

/** Nested stack templates a template deploys, by the aws:asset:path metadata of its AWS::CloudFormation::Stack. */
function nestedTemplatesIn(text: string): string[] {
  if (!text.includes("AWS::CloudFormation::Stack")) return [];
  return [...text.matchAll(ASSET_PATH)].map((m) => m[1] as string).filter((f) => !f.includes("/") && f !== "..");
}

/** Stack name, construct path and creation source for each resource of a template of the stack. */
function describeStack(model: Model, templateFile: string, context: StackContext): void {
  model.stackName = context.stackName;
  for (const resource of model.resources.values()) {
    const origin = resource.origin;
    origin.stackName = context.stackName;
    origin.cdkPath ??= context.constructs.pathOf(origin.logicalId, templateFile);
    if (origin.cdkPath === undefined) continue;
    const source = context.constructs.sourceOf(origin.cdkPath);
    if (source) origin.constructSource = source;
  }
}

/** aws://ACCOUNT/REGION, where either may be unknown-account / unknown-region (an environment-agnostic stack). */
function environment(value: unknown): { account?: string; region?: string } {
  const m = typeof value === "string" ? /^aws:\/\/([^/]+)\/([^/]+)$/.exec(value) : null;
  if (!m) return {};
  const [, account, region] = m as unknown as [string, string, string];
  return {
    ...(/^\d{12}$/.test(account) ? { account } : {}),
    ...(region !== "unknown-region" ? { region } : {}),
  };
}

function addMetadata(into: Record<string, ConstructMetadataEntry[]>, value: unknown): void {
  if (!isRecord(value)) return;
  for (const [constructPath, entries] of Object.entries(value)) {
    if (!Array.isArray(entries)) continue;
    const list = into[constructPath] ?? [];
    for (const e of entries) if (isRecord(e) && typeof e.type === "string") list.push(e as never);
    into[constructPath] = list;
  }
}

/**
 * A stack artifact's construct metadata, keyed by construct path ("/Prod/Database/Cluster/Resource"): logical ids,
 * creation traces, and which nested stack template each construct belongs to.
 */
class ConstructIndex {
  /** Construct path of each nested stack -> its template file. */
  private readonly nested = new Map<string, string>();

  constructor(
    private readonly metadata: Record<string, ConstructMetadataEntry[]>,
    private readonly stackTemplate: string,
    private readonly root: string,
  ) {
    for (const [constructPath, entries] of Object.entries(metadata)) {
      const file = entries.find((e) => e.type === TEMPLATE_FILE_ENTRY)?.data;
      if (typeof file === "string" && NESTED_TEMPLATE.test(file)) this.nested.set(constructPath, file);
    }
  }

  nestedTemplates(): string[] {
    return [...this.nested.values()];
  }

  /** The template a construct's resource is written to: that of the innermost nested stack holding it. */
  private templateOf(constructPath: string): string {
    let best = "";
    for (const prefix of this.nested.keys()) {
      if (constructPath.startsWith(`${prefix}/`) && prefix.length > best.length) best = prefix;
    }
    return best === "" ? this.stackTemplate : (this.nested.get(best) as string);
  }

  /**
   * Construct path (without the leading slash) of the resource with this logical id in this template. CDK logical
   * ids end in a hash of the path, so one match is the resource; of several, the one in this template's stack.
   */
  pathOf(logicalId: string | undefined, templateFile: string): string | undefined {
    if (logicalId === undefined) return undefined;
    const matches = Object.entries(this.metadata)
      .filter(([, entries]) => entries.some((e) => e.type === LOGICAL_ID_ENTRY && e.data === logicalId))
      .map(([constructPath]) => constructPath);
    const found = matches.length === 1 ? matches[0] : matches.find((p) => this.templateOf(p) === templateFile);
    return found?.replace(/^\//, "");
  }

  /** Where the app created the resource, else the L2 construct that owns it (".../Cluster" for ".../Cluster/Resource"). */
  sourceOf(cdkPath: string): SourceLocation | undefined {
    const own = `/${cdkPath.replace(/^\//, "")}`;
    return (
      constructSource(this.metadata[own], this.root) ??
      constructSource(this.metadata[own.slice(0, own.lastIndexOf("/"))], this.root)
    );
  }
}

/** A JSON file of the assembly as plain data, or a parse error at its line and column. */
async function readJsonFile(
  abs: string,
  root: string,
  what: string,
): Promise<{ value?: Json; error?: ScanError & { file: string } }> {
  const file = displayPath(abs, root);
  const read = await readTextFile(abs);
  if (!read.ok) {
    const message =
      read.code === "ENOENT" ? `${what} not found: ${file}` : `cannot read ${what} ${file}: ${read.message}`;
    return { error: { kind: "io", file, message } };
  }
  return parseJson(read.text, file, what);
}

/** The same, synchronously. */
function readJsonFileSync(abs: string, root: string, what: string): ReturnType<typeof parseJson> {
  const file = displayPath(abs, root);
  const read = readTextFileSync(abs);
  if (!read.ok) {
    const message =
      read.code === "ENOENT" ? `${what} not found: ${file}` : `cannot read ${what} ${file}: ${read.message}`;
    return { error: { kind: "io", file, message } };
  }
  return parseJson(read.text, file, what);
}

function parseJson(text: string, file: string, what: string): { value?: Json; error?: ScanError & { file: string } } {
  const parsed = parseTemplateText(text);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return { error: { kind: "parse", file, line, column, message: `invalid ${what}: ${message}` } };
  }
  const value = toPlain(parsed.root);
  if (!isRecord(value)) {
    return { error: { kind: "parse", file, line: 1, column: 1, message: `invalid ${what}: expected a JSON object` } };
  }
  return { value };
}

/** Every *.template.json below an assembly directory, in name order: what is left when the manifest is unusable. */
async function templatesBelow(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith(".template.json"))
    .sort()
    .map((n) => path.join(dir, n));
}
