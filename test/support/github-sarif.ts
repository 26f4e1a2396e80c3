/**
 * GitHub code scanning's ingestion rules, as a checker for every SARIF log the test suite produces. Beyond the
 * JSON schema and the SARIF multitool's "Ghas" rules, it enforces what upload-sarif and the code-scanning API
 * reject or silently drop (from github/codeql-action's upload-lib and GitHub's "SARIF support for code scanning"):
 *
 * - `version` 2.1.0; `runs` an array of at most 20 runs; each run has `tool.driver.name` and a `results` array
 *   ("Invalid SARIF. Missing 'results' array in run.");
 * - runs of one file have distinct categories (tool name + automationDetails.id): upload-sarif refuses repeats;
 * - every result has a ruleId and message text, and 1 to 1,000 locations, the first with
 *   `physicalLocation.artifactLocation.uri` (else "locationFromSarifResult: expected at least one location" /
 *   "expected a physical location" and the whole file is rejected);
 * - every uri of a result, a related location or a notification is relative to the repository root (no scheme,
 *   so it cannot mismatch the checkout's file: URI; no leading "/", no ".." segment), uses `%SRCROOT%` when it
 *   names a base, and names a regular file of the repository (`repoRoot`) when one is given;
 * - regions start at line >= 1 and column >= 1;
 * - at most 25,000 results per run; at most 20 tags per rule; `security-severity` a number from 0.0 to 10.0;
 * - partialFingerprints.primaryLocationLineHash present (GitHub computes one from the file otherwise, from
 *   line content, which would reopen alerts on every edit).
 */
import { statSync } from "node:fs";
import path from "node:path";
import { compileSarifValidator } from "../reporters/sarif-tools.js";

type Json = Record<string, unknown>;

const MAX_RUNS = 20;
const MAX_RESULTS = 25_000;
const MAX_LOCATIONS = 1_000;
const MAX_TAGS = 20;

let validateSchema: ReturnType<typeof compileSarifValidator> | undefined;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export interface GithubSarifOptions {
  /** The repository root: every uri must name a regular file below it. */
  repoRoot?: string;
}

/** Every rule GitHub's ingestion applies that `sarif` breaks, as readable strings ([] when it would be accepted). */
export function githubSarifProblems(sarif: unknown, options: GithubSarifOptions = {}): string[] {
  const problems: string[] = [];
  validateSchema ??= compileSarifValidator();
  for (const e of validateSchema(sarif)) problems.push(`schema: ${e.instancePath} ${e.message}`);
  if (!isRecord(sarif)) return [...problems, "not a JSON object"];
  if (sarif.version !== "2.1.0") problems.push(`version is ${String(sarif.version)}, not 2.1.0`);
  const runs = sarif.runs;
  if (!Array.isArray(runs)) return [...problems, "Missing 'runs' array"];
  if (runs.length > MAX_RUNS) problems.push(`${runs.length} runs, over GitHub's ${MAX_RUNS}`);
  const categories = new Set<string>();
  runs.forEach((run, r) => {
    const where = `runs[${r}]`;
    if (!isRecord(run)) {
      problems.push(`${where} is not an object`);
      return;
    }
    const driver = isRecord(run.tool) && isRecord(run.tool.driver) ? run.tool.driver : undefined;
    if (typeof driver?.name !== "string" || driver.name === "") problems.push(`${where}: no tool.driver.name`);
    const category = `${String(driver?.name)}|${String(isRecord(run.automationDetails) ? run.automationDetails.id : "")}`;
    if (categories.has(category)) problems.push(`${where}: category ${category} repeats an earlier run's`);
    categories.add(category);
    checkRules(driver, where, problems);
    const results = run.results;
    if (!Array.isArray(results)) {
      problems.push(`${where}: Missing 'results' array in run`);
      return;
    }
    if (results.length > MAX_RESULTS) problems.push(`${where}: ${results.length} results, over ${MAX_RESULTS}`);
    for (const [i, result] of results.entries()) checkResult(result, `${where}.results[${i}]`, options, problems);
    const invocations = Array.isArray(run.invocations) ? run.invocations : [];
    invocations.forEach((inv, k) => {
      const notes =
        isRecord(inv) && Array.isArray(inv.toolExecutionNotifications) ? inv.toolExecutionNotifications : [];
      notes.forEach((n, j) => {
        const locations = isRecord(n) && Array.isArray(n.locations) ? n.locations : [];
        for (const [l, loc] of locations.entries()) {
          checkPhysical(
            isRecord(loc) ? loc.physicalLocation : undefined,
            `${where}.invocations[${k}].toolExecutionNotifications[${j}].locations[${l}]`,
            options,
            problems,
          );
        }
      });
    });
  });
  return problems;
}

function checkRules(driver: Json | undefined, where: string, problems: string[]): void {
  const rules = Array.isArray(driver?.rules) ? driver.rules : [];
  rules.forEach((rule, i) => {
    if (!isRecord(rule)) return;
    const props = isRecord(rule.properties) ? rule.properties : {};
    const tags = Array.isArray(props.tags) ? props.tags : [];
    if (tags.length > MAX_TAGS) problems.push(`${where}.rules[${i}]: ${tags.length} tags, over ${MAX_TAGS}`);
    const score = props["security-severity"];
    if (score !== undefined) {
      const n = Number(score);
      if (typeof score !== "string" || !Number.isFinite(n) || n < 0 || n > 10) {
        problems.push(`${where}.rules[${i}]: security-severity ${String(score)} is not a number from 0 to 10`);
      }
    }
  });
}

function checkResult(result: unknown, where: string, options: GithubSarifOptions, problems: string[]): void {
  if (!isRecord(result)) {
    problems.push(`${where} is not an object`);
    return;
  }
  if (typeof result.ruleId !== "string" || result.ruleId === "") problems.push(`${where}: no ruleId`);
  const message = isRecord(result.message) ? result.message.text : undefined;
  if (typeof message !== "string" || message === "") problems.push(`${where}: no message.text`);
  const locations = result.locations;
  if (!Array.isArray(locations) || locations.length === 0) {
    problems.push(`${where}: locationFromSarifResult: expected at least one location`);
  } else {
    if (locations.length > MAX_LOCATIONS) problems.push(`${where}: ${locations.length} locations, over 1000`);
    const first = locations[0];
    if (!isRecord(first) || !isRecord(first.physicalLocation)) {
      problems.push(`${where}: locationFromSarifResult: expected a physical location`);
    }
    locations.forEach((loc, i) => {
      if (isRecord(loc) && loc.physicalLocation !== undefined) {
        checkPhysical(loc.physicalLocation, `${where}.locations[${i}]`, options, problems);
      }
    });
  }
  const related = Array.isArray(result.relatedLocations) ? result.relatedLocations : [];
  related.forEach((loc, i) => {
    if (isRecord(loc)) checkPhysical(loc.physicalLocation, `${where}.relatedLocations[${i}]`, options, problems);
  });
  const fingerprints = isRecord(result.partialFingerprints) ? result.partialFingerprints : {};
  if (typeof fingerprints.primaryLocationLineHash !== "string") {
    problems.push(`${where}: no partialFingerprints.primaryLocationLineHash`);
  }
}

function checkPhysical(physical: unknown, where: string, options: GithubSarifOptions, problems: string[]): void {
  if (!isRecord(physical)) {
    problems.push(`${where}: expected a physical location`);
    return;
  }
  const artifact = isRecord(physical.artifactLocation) ? physical.artifactLocation : undefined;
  const uri = artifact?.uri;
  if (typeof uri !== "string" || uri === "") {
    problems.push(`${where}: locationFromSarifResult: expected artifact location with a uri`);
    return;
  }
  if (artifact?.uriBaseId !== undefined && artifact.uriBaseId !== "%SRCROOT%") {
    problems.push(`${where}: uriBaseId ${String(artifact.uriBaseId)} is not %SRCROOT%`);
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) problems.push(`${where}: uri ${uri} has a scheme (not repository-relative)`);
  else if (uri.startsWith("/")) problems.push(`${where}: uri ${uri} is absolute`);
  else {
    let decoded = uri;
    try {
      decoded = decodeURIComponent(uri);
    } catch {
      problems.push(`${where}: an invalid URI was provided as a SARIF location: ${uri}`);
    }
    if (decoded.split("/").includes("..")) problems.push(`${where}: uri ${uri} climbs out of the repository`);
    else if (options.repoRoot !== undefined) {
      const file = path.join(options.repoRoot, ...decoded.split("/"));
      let isFile = false;
      try {
        isFile = statSync(file).isFile();
      } catch {
        // not there
      }
      if (!isFile) problems.push(`${where}: uri ${uri} is not a file of the repository ${options.repoRoot}`);
    }
  }
  const region = physical.region;
  if (isRecord(region)) {
    for (const key of ["startLine", "startColumn", "endLine", "endColumn"]) {
      const v = region[key];
      if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) {
        problems.push(`${where}: region.${key} is ${String(v)}, not a positive integer`);
      }
    }
  }
}

/** Throws with every problem listed, so a test's failure says what GitHub would reject. */
export function assertGithubAcceptsSarif(sarif: unknown, options: GithubSarifOptions = {}): void {
  const text = typeof sarif === "string" ? sarif : undefined;
  const doc = text !== undefined ? (JSON.parse(text) as unknown) : sarif;
  const problems = githubSarifProblems(doc, options);
  if (problems.length > 0) {
    throw new Error(`GitHub code scanning would reject this SARIF:\n- ${problems.slice(0, 30).join("\n- ")}`);
  }
}
