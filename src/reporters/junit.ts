/**
 * JUnit XML (Jenkins junit-10 schema, plus testcase file/line) for CI test reports.
 *
 * Layout (see docs/ci.md): one <testsuite> per rule, named after the rule id; one <testcase> per rule x resource
 * (x property x condition), classname "<file or account/region>.<resource>", name "[SEVERITY][rule-id] title ...".
 * - fail: <failure> with the message and a body that says what to change;
 * - suppressed: <skipped message="suppressed by ..."/>; in the baseline: <skipped> (it does not fail the gate);
 * - unknown: <skipped message="could not be determined: ..."/> (under --strict the engine makes these fail);
 * - pass: a plain testcase; not-applicable: omitted.
 * Scan errors are <error> testcases in a last suite "rdsguard.errors".
 * Rules are not timed one by one: suites carry time 0, <testsuites> the whole scan's duration.
 */
import type { Finding, ScanError, ScanReport } from "../engine/types.js";
import type { RuleMeta } from "../rules/types.js";
import {
  constructSourcePlace,
  describeFinding,
  describeSuppression,
  errorPlace,
  findingFile,
  findingPlace,
  findingStatus,
  livePlace,
  ruleFor,
  ruleHelpUri,
} from "./common.js";
import { joinChunks, type ReportSource, sourceOf } from "./source.js";

/**
 * The one XML escaping function: markup characters always; in attributes also tab/newline/carriage return as
 * character references, so attribute-value normalisation does not turn them into spaces. Characters XML 1.0
 * forbids (other control characters, lone surrogates) become U+FFFD.
 */
export function escapeXml(value: string, inAttribute = false): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/[&<>"'\t\n\r]/g, (c) => {
      switch (c) {
        case "&":
          return "&amp;";
        case "<":
          return "&lt;";
        case ">":
          return "&gt;";
        case '"':
          return "&quot;";
        case "'":
          return "&apos;";
        case "\r":
          return "&#13;";
        default:
          // Tab and newline survive as they are in text, not in attribute values.
          return inAttribute ? `&#${c.charCodeAt(0)};` : c;
      }
    });
}

type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v), true)}"`)
    .join("");
}

function element(name: string, a: Attrs, body?: string): string {
  return body === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${escapeXml(body)}</${name}>`;
}

interface TestCase {
  classname: string;
  name: string;
  file?: string;
  line?: number;
  /** The child element, already serialised, or undefined for a passing case. */
  outcome?: { kind: "failure" | "skipped" | "error"; xml: string };
}

export function renderJunit(report: ScanReport): string {
  return joinChunks(junitChunks(sourceOf(report, false)));
}

/** Counts of a suite's test cases by outcome. */
interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/**
 * One test suite per rule (the report's rules, then rules only findings name), one test case per finding that
 * applies, worst first; scan errors in a suite of their own. Written case by case: the counts come from the
 * compact records, each case's finding is read only when it is written.
 */
export function* junitChunks(source: ReportSource): Generator<string> {
  const report = source.head;
  const store = source.store;
  const suites = new Map<string, { meta?: RuleMeta; cases: number[] }>();
  for (const rule of report.rules) suites.set(rule.id, { meta: rule, cases: [] });
  const byRule = new Map<string, number[]>();
  for (let i = 0; i < store.recordCount; i++) {
    if (store.verdict(i) === "not-applicable") continue;
    const id = store.ruleId(i);
    let list = byRule.get(id);
    if (!list) {
      list = [];
      byRule.set(id, list);
    }
    list.push(i);
  }
  for (const [ruleId, indices] of byRule) {
    let suite = suites.get(ruleId);
    if (!suite) {
      suite = { cases: [] };
      suites.set(ruleId, suite);
    }
    suite.cases = indices.sort((a, b) => store.compare(a, b));
  }
  const count = (indices: readonly number[]): Counts => {
    const c: Counts = { tests: indices.length, failures: 0, errors: 0, skipped: 0 };
    for (const i of indices) {
      const status = store.status(i);
      if (status === "fail") c.failures++;
      else if (status !== "pass") c.skipped++;
    }
    return c;
  };
  const errorCases = report.errors.map(errorCase);
  makeNamesUnique(errorCases);
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suiteCounts = new Map<string, Counts>();
  for (const [id, suite] of suites) {
    const c = count(suite.cases);
    suiteCounts.set(id, c);
    total.tests += c.tests;
    total.failures += c.failures;
    total.skipped += c.skipped;
  }
  if (errorCases.length > 0) {
    const c = countCases(errorCases);
    total.tests += c.tests;
    total.failures += c.failures;
    total.errors += c.errors;
    total.skipped += c.skipped;
  }

  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites${attrs({
    name: report.kind === "audit" ? "rdsguard audit" : "rdsguard scan",
    tests: total.tests,
    failures: total.failures,
    errors: total.errors,
    skipped: total.skipped,
    time: seconds(report.stats.durationMs),
  })}>\n`;
  const suiteHead = (name: string, c: Counts) =>
    `  <testsuite${attrs({
      name,
      tests: c.tests,
      failures: c.failures,
      errors: c.errors,
      skipped: c.skipped,
      time: "0.000",
      timestamp: report.startedAt,
    })}>\n`;
  for (const [id, suite] of suites) {
    yield suiteHead(id, suiteCounts.get(id) as Counts);
    if (suite.meta) {
      yield "    <properties>\n";
      for (const [name, value] of ruleProperties(suite.meta)) yield `      ${element("property", { name, value })}\n`;
      yield "    </properties>\n";
    }
    const rule = ruleFor(report, id);
    const names = new UniqueNames((i) => testCase(source.get(i), rule));
    let chunk = "";
    for (const i of suite.cases) {
      const tc = testCase(source.get(i), rule);
      names.number(tc, i);
      chunk += `${caseLine(tc)}\n`;
      if (chunk.length > 65536) {
        yield chunk;
        chunk = "";
      }
    }
    yield `${chunk}  </testsuite>\n`;
  }
  if (errorCases.length > 0) {
    yield suiteHead("rdsguard.errors", countCases(errorCases));
    for (const tc of errorCases) yield `${caseLine(tc)}\n`;
    yield "  </testsuite>\n";
  }
  yield "</testsuites>\n";
}

function caseLine(tc: TestCase): string {
  const a: Attrs = { classname: tc.classname, name: tc.name, file: tc.file, line: tc.line, time: "0" };
  return tc.outcome ? `    <testcase${attrs(a)}>${tc.outcome.xml}</testcase>` : `    ${element("testcase", a)}`;
}

function ruleProperties(rule: RuleMeta): Array<[string, string]> {
  return [
    ["title", rule.title],
    ["severity", rule.severity],
    ...(ruleHelpUri(rule) ? [["documentation", ruleHelpUri(rule) as string] as [string, string]] : []),
  ];
}

function testCase(f: Finding, rule: RuleMeta | undefined): TestCase {
  const o = f.resource.origin;
  const file = findingFile(f);
  const scope = file ?? livePlace(o.account, o.region) ?? o.arn ?? "live";
  let name = `[${f.severity.toUpperCase()}][${f.ruleId}] ${rule?.title ?? f.ruleId}`;
  if (f.property !== undefined) name += ` - ${f.property}`;
  if (f.when !== undefined) name += ` when ${f.when}`;
  const tc: TestCase = { classname: `${scope}.${f.resource.name}`, name };
  if (file !== undefined) tc.file = file;
  if (f.location) tc.line = f.location.line;

  const message = describeFinding(f);
  switch (findingStatus(f)) {
    case "fail":
      tc.outcome = {
        kind: "failure",
        xml: element("failure", { type: f.severity, message }, failureBody(f, rule, message)),
      };
      break;
    case "suppressed":
      tc.outcome = {
        kind: "skipped",
        xml: element("skipped", {
          message: `suppressed by ${f.suppression ? describeSuppression(f.suppression) : "a waiver"} (${message})`,
        }),
      };
      break;
    case "baseline":
      tc.outcome = {
        kind: "skipped",
        xml: element("skipped", { message: `in the baseline, not new (does not fail the gate): ${message}` }),
      };
      break;
    case "unknown":
      tc.outcome = { kind: "skipped", xml: element("skipped", { message: `could not be determined: ${message}` }) };
      break;
    default:
      break;
  }
  return tc;
}

function failureBody(f: Finding, rule: RuleMeta | undefined, message: string): string {
  const o = f.resource.origin;
  const lines = [
    message,
    "",
    `Rule:     ${f.ruleId}${rule ? ` (${rule.title})` : ""}, severity ${f.severity}`,
    `Where:    ${findingPlace(f)}${o.cfnType ? ` (${o.cfnType} ${o.logicalId ?? f.resource.name})` : ""}`,
  ];
  if (o.cdkPath) lines.push(`CDK path: ${o.cdkPath}`);
  const source = constructSourcePlace(f);
  if (source) lines.push(`Source:   ${source}${o.stackName ? ` (stack ${o.stackName})` : ""}`);
  if (o.arn && !findingPlace(f).includes(o.arn)) lines.push(`ARN:      ${o.arn}`);
  if (f.property !== undefined) lines.push(`Property: ${f.property}`);
  if (f.when !== undefined) lines.push(`When:     ${f.when}`);
  lines.push(`Profile:  ${f.profile}`);
  if (rule?.remediation.text) lines.push("", `What to change: ${rule.remediation.text}`);
  if (rule?.remediation.snippet) lines.push("", rule.remediation.snippet);
  const uri = rule ? ruleHelpUri(rule) : undefined;
  if (uri) lines.push("", `Documentation: ${uri}`);
  return lines.join("\n");
}

function errorCase(e: ScanError): TestCase {
  const place = errorPlace(e);
  const tc: TestCase = {
    classname: "rdsguard.errors",
    name: `${e.kind} error${place ? ` at ${place}` : ""}`,
    outcome: {
      kind: "error",
      xml: element("error", { type: e.kind, message: e.message }, place ? `${place}: ${e.message}` : e.message),
    },
  };
  if (e.file !== undefined) tc.file = e.file;
  if (e.line !== undefined) tc.line = e.line;
  return tc;
}

/**
 * classname + name must be unique (GitLab and Jenkins merge duplicates): the repeats are numbered. Without keeping
 * every pair: a suite of 170,000 cases held ~29 MB of them. A pair is remembered by a 30-bit hash and the index of
 * its first case; only once a hash comes again are its pairs kept as strings (a real repeat, or a collision), the
 * first one made again from its index.
 */
class UniqueNames {
  /** hash -> index of the only case seen with it, or -1 once that hash's pairs are in `exact`. */
  private readonly first = new Map<number, number>();
  private readonly exact = new Map<string, number>();
  constructor(private readonly caseAt: (index: number) => TestCase) {}

  /** Numbers `tc` (the case at `index`) if its pair came before. */
  number(tc: TestCase, index: number): void {
    const key = pairOf(tc);
    const h = hash30(key);
    const first = this.first.get(h);
    if (first === undefined) {
      this.first.set(h, index);
      return;
    }
    if (first >= 0) {
      this.exact.set(pairOf(this.caseAt(first)), 1);
      this.first.set(h, -1);
    }
    const n = (this.exact.get(key) ?? 0) + 1;
    this.exact.set(key, n);
    if (n > 1) tc.name = `${tc.name} (#${n})`;
  }
}

function makeNamesUnique(cases: TestCase[]): void {
  // A case's first pair is never renamed, so the list itself gives it back.
  const names = new UniqueNames((i) => cases[i] as TestCase);
  for (const [i, tc] of cases.entries()) names.number(tc, i);
}

function pairOf(tc: TestCase): string {
  return `${tc.classname}\u0000${tc.name}`;
}

/** FNV-1a over the UTF-16 code units, cut to 30 bits (a small integer, cheap as a Map key). */
function hash30(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

function countCases(cases: TestCase[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome?.kind === "failure").length,
    errors: cases.filter((c) => c.outcome?.kind === "error").length,
    skipped: cases.filter((c) => c.outcome?.kind === "skipped").length,
  };
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
