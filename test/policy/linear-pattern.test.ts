/**
 * `matches:` patterns come from a policy a pull request may edit: they run on a linear-time engine (RE2), so a
 * pattern that backtracks exponentially on JavaScript's engine ends at once; look-around is a located policy error.
 */
import { describe, expect, it } from "vitest";
import { Judge, loadRuleSet } from "../../src/engine/report.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";
import { compileLinearPattern } from "../../src/util/linear-pattern.js";

const cwd = process.cwd();
const HOSTILE = "test/fixtures/policy/hostile";
const NOW = new Date("2026-03-01T12:00:00Z");

function templateWithClass(instanceClass: string) {
  const text = JSON.stringify({
    Resources: {
      Db: { Type: "AWS::RDS::DBInstance", Properties: { Engine: "postgres", DBInstanceClass: instanceClass } },
    },
  });
  const model = scanTemplateText(text, "t.json", {}).model;
  if (!model) throw new Error("no model");
  return model;
}

describe("matches: '^(a+)+$' against a 40-character value", () => {
  it("gives its verdict in well under a second", async () => {
    const rules = await loadRuleSet({ cwd, configPath: `${HOSTILE}/redos.yaml` });
    expect(rules.errors).toEqual([]);
    const started = performance.now();
    const j = new Judge({ policy: rules.policy, rules: rules.rules, strict: false, now: NOW });
    j.judge(templateWithClass(`${"a".repeat(40)}b`));
    j.judge(templateWithClass("a".repeat(40)));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(j.findings.filter((f) => f.ruleId === "class-of-as").map((f) => f.verdict)).toEqual(["fail", "pass"]);
  });

  it("and against 100,000 characters, linear time", () => {
    const pattern = compileLinearPattern("^(a+)+$");
    const started = performance.now();
    expect(pattern.test(`${"a".repeat(100_000)}b`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("syntax", () => {
  it("look-around is a policy error at the pattern, saying why", async () => {
    const rules = await loadRuleSet({ cwd, configPath: `${HOSTILE}/lookahead.yaml` });
    expect(rules.errors).toEqual([
      {
        kind: "policy",
        file: `${HOSTILE}/lookahead.yaml`,
        line: 11,
        column: 16,
        message:
          "customRules[0].condition.matches: not a valid regular expression: invalid or unsupported Perl syntax: `(?!` (patterns run on a linear-time engine, RE2: no look-around or back-references)",
      },
    ]);
  });

  it("what policies write compiles and searches like JavaScript's engine", () => {
    const cases: [string, string, boolean][] = [
      ["^db\\.[a-z]+[0-9]+g[a-z]*\\.", "db.r7g.large", true],
      ["^db\\.[a-z]+[0-9]+g[a-z]*\\.", "db.m5.large", false],
      ["r7g", "db.r7g.large", true],
      ["^(prod|production)$", "production", true],
      ["^\\d{2,}$", "35", true],
      ["^[^:]+:\\s\\w+$", "mon: sun", true],
    ];
    for (const [source, input, expected] of cases) {
      expect(compileLinearPattern(source).test(input), `${source} ${input}`).toBe(expected);
      expect(new RegExp(source).test(input)).toBe(expected);
    }
  });
});
