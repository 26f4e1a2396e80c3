/**
 * `rdsguard test POLICY_DIR`: runs a policy's own fixture cases, the way cfn-guard users test their rules in CI.
 * Each case names a template (and optionally parameters) and the verdicts it expects per rule and resource; the
 * template is judged with the policy exactly as `rdsguard scan --config` would, and every mismatch is shown.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Ajv } from "ajv";
import { glob } from "tinyglobby";
import { Judge, loadRuleSet } from "../engine/report.js";
import type { Finding, ScanError } from "../engine/types.js";
import { parseIsoDate } from "../policy/dates.js";
import { USER_POLICY_FILE } from "../policy/load.js";
import { type LocatedYaml, parseLocatedYaml } from "../policy/locate.js";
import { explainError } from "../policy/schema.js";
import { errorPlace, findingPlace } from "../reporters/common.js";
import { compareVerdicts, VERDICTS_WORST_FIRST, type Verdict } from "../rules/types.js";
import { scanTemplateFile } from "../scanners/template/index.js";
import { appendAll } from "../util/append.js";
import { displayPath } from "../util/display-path.js";
import { readTextFileSync } from "../util/read-file.js";
import { parseCommandArgs, usageFailure } from "./args.js";
import { POLICY_OPTIONS, ruleSetOptions } from "./rule-set.js";

const USAGE = `Usage: rdsguard test [POLICY_DIR] [--config FILE] [--plugin FILE]... [--allow-plugins] [--now DATE]
                     [--format text|json]

Runs the fixture cases of a policy: every *.yaml under POLICY_DIR/tests (default: the current
directory), each listing templates and the verdicts expected per rule and resource. The policy is
POLICY_DIR/rdsguard.yaml unless --config names another file. Plugins that policy names run only with
--allow-plugins or when --config names the file (a policy found in a directory may come from the
change under review). Case file format:

  cases:
    - name: production instance on an Intel class fails
      template: templates/prod-intel.yaml     # relative to the case file
      parameters: { Env: prod }               # optional
      expect:
        - rule: org-graviton
          resource: Database                  # logical id (or DB identifier)
          verdict: fail                       # pass | fail | unknown | not-applicable
          property: DBInstanceClass           # optional: that property's finding
          suppressed: false                   # optional
          line: 14                            # optional: where the finding points

Without property, the expected verdict is the rule's overall verdict on the resource (the worst of
its findings: fail, unknown, pass, not-applicable).

Options:
  --config FILE        the policy file (default POLICY_DIR/rdsguard.yaml)
  --plugin FILE        rule plugin to load as well (repeatable)
  --now DATE           judge expiry dates as of DATE (YYYY-MM-DD; default today)
  -f, --format FORMAT  text (default) or json
  -h, --help           this help

Exit codes: 0 every case passes, 1 a case fails, 2 the policy, a case file or a template has errors.`;

interface Expectation {
  rule: string;
  resource: string;
  verdict: Verdict;
  property?: string;
  suppressed?: boolean;
  line?: number;
}

interface TestCase {
  name: string;
  template: string;
  parameters?: Record<string, string | number | boolean>;
  expect: Expectation[];
}

const CASE_FILE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["cases"],
  properties: {
    cases: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "template", "expect"],
        properties: {
          name: { type: "string", minLength: 1 },
          template: { type: "string", minLength: 1 },
          parameters: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
          expect: {
            type: "array",
            minItems: 1,
            items: {
              type: "object",
              additionalProperties: false,
              required: ["rule", "resource", "verdict"],
              properties: {
                rule: { type: "string", minLength: 1 },
                resource: { type: "string", minLength: 1 },
                verdict: { enum: VERDICTS_WORST_FIRST },
                property: { type: "string", minLength: 1 },
                suppressed: { type: "boolean" },
                line: { type: "integer", minimum: 1 },
              },
            },
          },
        },
      },
    },
  },
} as const;

export interface CaseOutcome {
  file: string;
  name: string;
  passed: boolean;
  /** One line per unmet expectation. */
  mismatches: string[];
}

export async function run(argv: string[]): Promise<number> {
  let values: {
    config?: string;
    plugin?: string[];
    "allow-plugins"?: boolean;
    now?: string;
    format: string;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...POLICY_OPTIONS,
        now: { type: "string" },
        format: { type: "string", short: "f", default: "text" },
        help: { type: "boolean", short: "h" },
      },
    }));
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length > 1) throw new Error("give one POLICY_DIR");
    if (values.format !== "text" && values.format !== "json") {
      throw new Error(`unknown format "${values.format}"; expected text or json`);
    }
  } catch (err) {
    process.stderr.write(usageFailure("test", (err as Error).message));
    return 2;
  }
  const cwd = process.cwd();
  const dir = resolve(cwd, positionals[0] ?? ".");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`rdsguard test: ${positionals[0]} is not a directory\n`);
    return 2;
  }
  const nowMs = values.now === undefined ? Date.now() : parseIsoDate(values.now);
  if (nowMs === undefined) {
    process.stderr.write(`rdsguard test: --now must be a date YYYY-MM-DD, got ${values.now}\n`);
    return 2;
  }
  const configPath = values.config ?? join(dir, USER_POLICY_FILE);
  if (!existsSync(resolve(cwd, configPath))) {
    process.stderr.write(
      `rdsguard test: no policy file ${displayPath(resolve(cwd, configPath), cwd)} (give --config)\n`,
    );
    return 2;
  }
  // POLICY_DIR/rdsguard.yaml is found, not named: its plugins run with --allow-plugins (or --config naming it).
  const ruleSet = await loadRuleSet({
    cwd,
    ...ruleSetOptions(values),
    configPath,
    configDiscovered: values.config === undefined,
  });
  const errors: ScanError[] = [...ruleSet.errors];
  const yamlFiles = (await glob(["tests/**/*.yaml", "tests/**/*.yml"], { cwd: dir, absolute: true })).sort();

  const outcomes: CaseOutcome[] = [];
  const knownRules = new Set(ruleSet.rules.map((r) => r.meta.id));
  const validate = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(
    CASE_FILE_SCHEMA,
  );
  let caseFiles = 0;
  for (const caseFile of yamlFiles) {
    const file = displayPath(caseFile, cwd);
    const loaded = readCaseFile(caseFile, file, validate, knownRules);
    if (loaded.template) continue;
    caseFiles++;
    errors.push(...loaded.errors);
    for (const testCase of loaded.cases) {
      const templatePath = resolve(dirname(caseFile), testCase.template);
      const scanned = await scanTemplateFile(templatePath, cwd, {
        parameters: Object.fromEntries(Object.entries(testCase.parameters ?? {}).map(([k, v]) => [k, String(v)])),
      });
      if (scanned.error) errors.push(scanned.error);
      const judge = new Judge({ policy: ruleSet.policy, rules: ruleSet.rules, strict: false, now: new Date(nowMs) });
      if (scanned.model) judge.judge(scanned.model);
      appendAll(errors, judge.errors);
      const mismatches = testCase.expect.flatMap((e) =>
        checkExpectation(e, judge.findings, scanned.model !== undefined),
      );
      outcomes.push({ file, name: testCase.name, passed: mismatches.length === 0, mismatches });
    }
  }

  if (caseFiles === 0) {
    errors.push({
      kind: "io",
      file: displayPath(join(dir, "tests"), cwd),
      message: "no test case files (*.yaml with cases:)",
    });
  }
  const failed = outcomes.filter((o) => !o.passed).length;
  if (values.format === "json") {
    process.stdout.write(`${JSON.stringify({ cases: outcomes, errors }, null, 2)}\n`);
  } else {
    process.stdout.write(renderText(outcomes, errors));
  }
  if (errors.length > 0) return 2;
  return failed > 0 ? 1 : 0;
}

function readCaseFile(
  absolute: string,
  file: string,
  validate: ReturnType<Ajv["compile"]>,
  knownRules: ReadonlySet<string>,
): { cases: TestCase[]; errors: ScanError[]; template?: boolean } {
  // A case file comes from the change under review: a FIFO or a link to /dev/zero is refused, not read forever.
  const read = readTextFileSync(absolute);
  if (!read.ok) return { cases: [], errors: [{ kind: "io", file, message: `cannot read: ${read.message}` }] };
  let yaml: LocatedYaml;
  try {
    yaml = parseLocatedYaml(read.text, file, "parse");
  } catch (err) {
    return { cases: [], errors: [{ kind: "io", file, message: `cannot read: ${(err as Error).message}` }] };
  }
  const { at } = yaml;
  if (yaml.errors.length > 0) return { cases: [], errors: yaml.errors };
  const value = yaml.value as { cases: TestCase[] } | null;
  // Templates the cases use may sit beside them: a CloudFormation template is not a case file.
  if (looksLikeTemplate(value)) return { cases: [], errors: [], template: true };
  if (!validate(value)) {
    return {
      cases: [],
      errors: (validate.errors ?? []).map((error) => {
        const target = explainError(error, { ruleIds: [...knownRules] }, "case file");
        return { kind: "policy", message: target.message, ...at(target.path, target.key) };
      }),
    };
  }
  const cases = (value as { cases: TestCase[] }).cases;
  const errors: ScanError[] = [];
  for (const [i, c] of cases.entries()) {
    for (const [j, e] of c.expect.entries()) {
      if (knownRules.has(e.rule)) continue;
      errors.push({
        kind: "policy",
        message: `cases[${i}].expect[${j}].rule: unknown rule id "${e.rule}"; known rule ids: ${[...knownRules].join(", ")}`,
        ...at(["cases", String(i), "expect", String(j), "rule"]),
      });
    }
  }
  return { cases: errors.length > 0 ? [] : cases, errors };
}

function looksLikeTemplate(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !("cases" in value) &&
    ("Resources" in value || "AWSTemplateFormatVersion" in value)
  );
}

function checkExpectation(e: Expectation, findings: readonly Finding[], hasModel: boolean): string[] {
  const label = `${e.rule} ${e.resource}${e.property ? ` ${e.property}` : ""}`;
  if (!hasModel) return [`${label}: the template has no database resources to judge`];
  const onResource = findings.filter(
    (f) => f.ruleId === e.rule && (f.resource.origin.logicalId === e.resource || f.resource.name === e.resource),
  );
  const matching = e.property ? onResource.filter((f) => f.property === e.property) : onResource;
  if (matching.length === 0) {
    return [
      onResource.length === 0
        ? `${label}: no finding (the rule did not judge a resource called ${e.resource})`
        : `${label}: no finding for that property (found: ${[...new Set(onResource.map((f) => f.property ?? "-"))].join(", ")})`,
    ];
  }
  const worst = [...matching].sort((a, b) => compareVerdicts(a.verdict, b.verdict))[0] as Finding;
  const out: string[] = [];
  if (worst.verdict !== e.verdict) out.push(`${label}: expected ${e.verdict}, got ${worst.verdict}: ${worst.message}`);
  if (e.suppressed !== undefined && (worst.suppression !== undefined) !== e.suppressed) {
    out.push(`${label}: expected ${e.suppressed ? "suppressed" : "not suppressed"}, got the opposite`);
  }
  if (e.line !== undefined && worst.location?.line !== e.line) {
    out.push(`${label}: expected the finding at line ${e.line}, got ${worst.location ? findingPlace(worst) : "none"}`);
  }
  return out;
}

function renderText(outcomes: readonly CaseOutcome[], errors: readonly ScanError[]): string {
  const out: string[] = [];
  let currentFile: string | undefined;
  for (const o of outcomes) {
    if (o.file !== currentFile) {
      out.push(o.file);
      currentFile = o.file;
    }
    out.push(`  ${o.passed ? "ok  " : "FAIL"}  ${o.name}`);
    for (const m of o.mismatches) out.push(`          ${m}`);
  }
  for (const e of errors) {
    const place = errorPlace(e);
    out.push(`error: ${place ? `${place}: ` : ""}${e.message}`);
  }
  const failed = outcomes.filter((o) => !o.passed).length;
  out.push(
    `${outcomes.length} case${outcomes.length === 1 ? "" : "s"}: ${outcomes.length - failed} passed, ${failed} failed${
      errors.length > 0 ? `; ${errors.length} error${errors.length === 1 ? "" : "s"}` : ""
    }`,
  );
  return `${out.join("\n")}\n`;
}
