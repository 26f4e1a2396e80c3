import { describe, expect, it } from "vitest";
import { applyBaseline } from "../../src/reporters/baseline.js";
import { ANNOTATIONS_PER_LEVEL, escapeData, escapeProperty, renderGithub } from "../../src/reporters/github.js";
import { auditReport, manyFindings, templateReport } from "./fixture.js";

/** Reverses GitHub's escaping, as the runner does. */
function unescapeCommand(s: string): string {
  return s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%25/g, "%");
}

interface Parsed {
  level: string;
  props: Record<string, string>;
  message: string;
}

/** Parses a workflow command the way the runner does: properties split on ',' and '=', message after '::'. */
function parseCommand(line: string): Parsed {
  const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const props: Record<string, string> = {};
  for (const pair of (m[2] ?? "").split(",")) {
    const eq = pair.indexOf("=");
    props[pair.slice(0, eq)] = unescapeCommand(pair.slice(eq + 1));
  }
  return { level: m[1] ?? "", props, message: unescapeCommand(m[3] ?? "") };
}

describe("annotation escaping", () => {
  it("escapes % CR LF in data", () => {
    expect(escapeData("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext: a,b");
  });

  it("escapes % CR LF : , in properties", () => {
    expect(escapeProperty("a:b,c%d\ne")).toBe("a%3Ab%2Cc%25d%0Ae");
  });

  it("escapes % first, so existing escapes are not decoded by the runner", () => {
    expect(escapeData("%0A")).toBe("%250A");
    expect(unescapeCommand(escapeData("%0A"))).toBe("%0A");
  });

  it("keeps every annotation on one line and round-trips file, title and message", () => {
    const out = renderGithub(templateReport());
    const lines = out.trimEnd().split("\n");
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) /);
    const odd = lines.map(parseCommand).find((a) => a.props.file === "cdk.out/App Stack.template.json");
    expect(odd?.level).toBe("notice");
    expect(odd?.props).toMatchObject({
      line: "7",
      col: "11",
      title: "rdsguard storage-encrypted (low): Storage is encrypted at rest",
    });
    expect(odd?.message).toBe(
      "DB cluster Odd,Name:50% (App/Stack/Odd,Name:50%/Resource): KmsKeyId is 'alias/a|b,c:d' (100% <unverified> & odd)\nsecond line.\nFix: Set the property that storage-encrypted checks.",
    );
    const raw = lines.find((l) => l.includes("App Stack"));
    expect(raw).toContain("title=rdsguard storage-encrypted (low)%3A Storage is encrypted at rest::");
    expect(raw).toContain("Odd,Name:50%25 (App/Stack/Odd,Name:50%25/Resource): KmsKeyId");
    expect(raw).toContain("odd)%0Asecond line.");
  });

  it("escapes a file name with ':' and ','", () => {
    const report = templateReport({
      errors: [{ kind: "parse", message: "bad", file: "odd:dir/a,b.yaml", line: 2, column: 4 }],
    });
    const line = renderGithub(report).split("\n")[0] ?? "";
    expect(line).toBe("::error file=odd%3Adir/a%2Cb.yaml,line=2,col=4,title=rdsguard parse error::bad");
  });
});

describe("annotation levels and order", () => {
  const lines = renderGithub(templateReport()).trimEnd().split("\n").map(parseCommand);

  it("maps scan errors and critical/high to error, medium to warning, low and unknown to notice", () => {
    expect(lines.map((a) => `${a.level} ${a.props.title}`)).toEqual([
      "error rdsguard parse error",
      "error rdsguard deletion-protection (critical): Deletion protection is on",
      "error rdsguard storage-encrypted (high): Storage is encrypted at rest",
      "warning rdsguard backup-retention (medium): Automated backups are kept long enough",
      "warning rdsguard backup-retention (medium): Automated backups are kept long enough",
      "notice rdsguard storage-encrypted (low): Storage is encrypted at rest",
      "notice rdsguard iam-auth (could not be determined): IAM database authentication is enabled",
    ]);
  });

  it("does not annotate suppressed findings or findings already in the baseline", () => {
    expect(lines.some((a) => a.message.includes("ReportsCluster: EnableIAMDatabaseAuthentication"))).toBe(false);
    const report = templateReport();
    const based = renderGithub(applyBaseline(report, new Set([report.findings[1]?.fingerprint ?? ""])));
    expect(based).not.toContain("deletion-protection (critical)");
  });

  it("annotates live findings without file, and audit errors with account/region in the message", () => {
    const audit = renderGithub(auditReport()).trimEnd().split("\n").map(parseCommand);
    expect(audit[0]).toEqual({
      level: "error",
      props: { title: "rdsguard aws error" },
      message: "210987654321/us-east-1: AccessDenied: not authorized to perform rds:DescribeDBClusters",
    });
    expect(audit[1]?.props.file).toBeUndefined();
  });
});

describe("annotation limits", () => {
  it("prints at most 10 per level, the worst first, and one notice saying how many were not annotated", () => {
    const report = templateReport({ findings: manyFindings(100), errors: [] });
    const lines = renderGithub(report).trimEnd().split("\n").map(parseCommand);
    const count = (level: string) => lines.filter((a) => a.level === level).length;
    expect(count("error")).toBe(ANNOTATIONS_PER_LEVEL);
    expect(count("warning")).toBe(ANNOTATIONS_PER_LEVEL);
    expect(count("notice")).toBe(ANNOTATIONS_PER_LEVEL);
    expect(lines.length).toBeLessThanOrEqual(50);
    // 100 findings: 40 critical/high, 20 medium, 40 low/info; 10 + 10 + 9 shown.
    const last = lines[lines.length - 1];
    expect(last?.message).toMatch(
      /^71 more findings and errors are not annotated: GitHub shows at most 10 errors, 10 warnings and 10 notices per step/,
    );
    const errors = lines.filter((a) => a.level === "error").map((a) => a.props.title ?? "");
    expect(errors.every((t) => t.includes("(critical)"))).toBe(true);
    const order = lines.map((a) => a.level);
    expect(order).toEqual(
      [...order].sort((a, b) => ["error", "warning", "notice"].indexOf(a) - ["error", "warning", "notice"].indexOf(b)),
    );
  });

  it("uses all ten notice slots when nothing is left out", () => {
    // manyFindings(25): 10 are low or info.
    const notices = manyFindings(25).filter((f) => f.severity === "low" || f.severity === "info");
    expect(notices).toHaveLength(10);
    const lines = renderGithub(templateReport({ findings: notices, errors: [] }))
      .trimEnd()
      .split("\n");
    expect(lines).toHaveLength(10);
    expect(lines.every((l) => l.startsWith("::notice ") && !l.includes("not annotated"))).toBe(true);
    const eleven = manyFindings(30)
      .filter((f) => f.severity === "low" || f.severity === "info")
      .slice(0, 11);
    const more = renderGithub(templateReport({ findings: eleven, errors: [] }))
      .trimEnd()
      .split("\n");
    expect(more).toHaveLength(10);
    expect(more[9]).toMatch(/^::notice title=rdsguard%3A more findings::2 more findings and errors are not annotated/);
  });

  it("prints nothing for a clean report", () => {
    expect(renderGithub(templateReport({ findings: [], errors: [] }))).toBe("");
  });
});
