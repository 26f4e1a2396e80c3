import { describe, expect, it } from "vitest";
import { applyBaseline } from "../../src/reporters/baseline.js";
import {
  cell,
  MARKDOWN_JOB_SUMMARY_LIMIT,
  MARKDOWN_PR_COMMENT_LIMIT,
  renderMarkdown,
} from "../../src/reporters/markdown.js";
import { auditReport, cleanReport, manyFindings, templateReport } from "./fixture.js";

const GITHUB_ENV = {
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "acme/infra",
  GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
  GITHUB_RUN_ID: "42",
};

function bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Every table line is a whole row: starts and ends with an unescaped pipe. */
function tableLinesAreWhole(md: string): boolean {
  return md
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .every((l) => l.endsWith("|") && !l.endsWith("\\|"));
}

function failingRows(md: string): number {
  const section = md.split("### Failing findings")[1]?.split("\n\n")[1] ?? "";
  return section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Severity")).length;
}

describe("Markdown summary", () => {
  const md = renderMarkdown(templateReport(), { env: GITHUB_ENV });

  it("counts findings by severity and status", () => {
    expect(md).toContain("## rdsguard: 5 failing findings");
    expect(md).toContain("| Severity | Failing | Unknown | Suppressed | In baseline | Passed |");
    expect(md).toContain("| critical | 1 | 0 | 0 | 0 | 0 |");
    expect(md).toContain("| medium | 2 | 1 | 1 | 0 | 0 |");
    expect(md).toContain("| **total** | **5** | **1** | **1** | **0** | **1** |");
  });

  it("links each failure to the exact line when GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA are set", () => {
    expect(md).toContain(
      "| critical | [deletion\u2011protection](https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md#deletion-protection) | OrdersCluster | [templates/aurora.yaml:30](https://github.com/acme/infra/blob/0123456789abcdef0123456789abcdef01234567/templates/aurora.yaml#L30) |",
    );
    expect(md).toContain("/templates/legacy%20db.yaml#L12)");
  });

  it("writes plain file:line when any of the three is missing", () => {
    const { GITHUB_SHA: _sha, ...partial } = GITHUB_ENV;
    const plain = renderMarkdown(templateReport(), { env: partial });
    expect(plain).toContain(
      "| critical | [deletion\u2011protection](https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md#deletion-protection) | OrdersCluster | templates/aurora.yaml:30 |",
    );
    expect(plain).not.toContain("](https://github.com/acme/infra/blob/");
  });

  it("lists undetermined findings, errors, and per-rule details with the remediation snippet", () => {
    expect(md).toContain("### Could not be determined");
    expect(md).toContain("### Errors");
    expect(md).toContain(
      "| parse | templates/broken.yaml:3:1 | unexpected end of the stream within a flow collection |",
    );
    expect(md).toContain(
      "<summary><code>deletion-protection</code>: Deletion protection is on (critical; 1 failing)</summary>",
    );
    expect(md).toContain("**How to fix.** Set the property that deletion-protection checks.");
    expect(md).toContain("```yaml\nResources:\n  Cluster:\n");
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
  });

  it("collapses suppressed findings with their waiver", () => {
    expect(md).toContain("<summary>1 finding suppressed or already in the baseline</summary>");
    expect(md).toContain("suppressed (policy waiver until 2099-01-31: Reports use password auth until Q3)");
  });

  it("says when a baseline was applied", () => {
    const based = renderMarkdown(
      applyBaseline(templateReport(), new Set([templateReport().findings[0]?.fingerprint ?? ""])),
    );
    expect(based).toContain("baseline applied: only new findings fail");
    expect(based).toContain("## rdsguard: 4 failing findings");
  });

  it("handles audits (ARNs in place of files) and clean scans", () => {
    const audit = renderMarkdown(auditReport(), { env: GITHUB_ENV });
    expect(audit).toContain("Audit of 1 resource (14 API calls)");
    expect(audit).toContain("| arn:aws:rds:eu-west-1:123456789012:cluster:billing-prod |");
    expect(audit).toContain("| aws | 210987654321/us-east-1 | AccessDenied");
    expect(renderMarkdown(cleanReport())).toContain("## rdsguard: no failing findings");
  });
});

describe("Markdown escaping", () => {
  it("escapes pipes and turns newlines into <br> in table cells", () => {
    expect(cell("a|b\nc\r\nd")).toBe("a\\|b<br>c<br>d");
    expect(cell("<script>&")).toBe("&lt;script&gt;&amp;");
  });

  it("keeps rule ids from wrapping (non-breaking hyphens, linked to the docs) and shows each failing rule's fix", () => {
    const md = renderMarkdown(templateReport());
    expect(md).toContain(
      "**How to fix**\n\n- [deletion\u2011protection](DOCS#deletion-protection) (1): Set the property that deletion-protection checks.".replaceAll(
        "DOCS",
        "https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md",
      ),
    );
    expect(md).not.toMatch(/\| `[a-z]+-[a-z-]+` \|/);
  });

  it("gives audit rows their account and region", () => {
    const md = renderMarkdown(auditReport());
    expect(md).toContain("| Severity | Rule | Account | Region | Resource | Location | Message |");
    expect(md).toMatch(
      /\| high \| \[storage\u2011encrypted\]\([^)]+\) \| 123456789012 \| eu-west-1 \| billing-prod \|/,
    );
  });

  it("keeps the odd finding on one table row", () => {
    const md = renderMarkdown(templateReport());
    expect(md).toContain(
      "| low | [storage\u2011encrypted](https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md#storage-encrypted) | Odd,Name:50% | cdk.out/App Stack.template.json:7 | DB cluster Odd,Name:50% (App/Stack/Odd,Name:50%/Resource): KmsKeyId is 'alias/a\\|b,c:d' (100% &lt;unverified&gt; &amp; odd)<br>second line. |",
    );
    expect(tableLinesAreWhole(md)).toBe(true);
  });
});

describe("Markdown size limits", () => {
  it("is not truncated when it fits", () => {
    const md = renderMarkdown(templateReport());
    expect(md).not.toContain("Truncated");
  });

  it("fits a PR comment (65,536): cut at a row boundary, saying how many were left out and where the full report is", () => {
    const report = templateReport({ findings: manyFindings(3000), errors: [] });
    const md = renderMarkdown(report, { fullReport: ["rdsguard.sarif", "report.json"], env: GITHUB_ENV });
    expect(bytes(md)).toBeLessThanOrEqual(MARKDOWN_PR_COMMENT_LIMIT);
    expect(bytes(md)).toBeGreaterThan(MARKDOWN_PR_COMMENT_LIMIT * 0.9);
    expect(tableLinesAreWhole(md)).toBe(true);
    const shown = failingRows(md);
    expect(shown).toBeGreaterThan(100);
    const note = /> \*\*Truncated\*\* to stay within 65,536 bytes: (\d+) findings were left out/.exec(md);
    expect(Number(note?.[1])).toBe(3000 - shown);
    expect(md).toContain(
      "The full report: `rdsguard.sarif`, `report.json`, the [workflow run](https://github.com/acme/infra/actions/runs/42).",
    );
    expect(md.trimEnd().endsWith(".")).toBe(true);
  });

  it("fits a job summary (1 MiB) and shows more rows there", () => {
    const report = templateReport({ findings: manyFindings(12000), errors: [] });
    const comment = renderMarkdown(report);
    const summary = renderMarkdown(report, { limit: MARKDOWN_JOB_SUMMARY_LIMIT });
    expect(bytes(summary)).toBeLessThanOrEqual(MARKDOWN_JOB_SUMMARY_LIMIT);
    expect(bytes(summary)).toBeGreaterThan(MARKDOWN_JOB_SUMMARY_LIMIT * 0.9);
    expect(tableLinesAreWhole(summary)).toBe(true);
    expect(failingRows(summary)).toBeGreaterThan(failingRows(comment) * 10);
    const note = /(\d+) findings were left out/.exec(summary);
    expect(Number(note?.[1])).toBe(12000 - failingRows(summary));
    expect(summary).toContain("For the full report, run rdsguard with `--format json=rdsguard.json`");
  });

  it("counts bytes, not characters, so multi-byte text still fits", () => {
    const findings = manyFindings(2000).map((f) => ({ ...f, message: `${f.message} — ünïcödé ✓✓✓ 🚨🚨` }));
    const md = renderMarkdown(templateReport({ findings, errors: [] }));
    expect(bytes(md)).toBeLessThanOrEqual(MARKDOWN_PR_COMMENT_LIMIT);
    expect(md).toContain("Truncated");
  });

  it("keeps <details> balanced when the rule details are cut", () => {
    const report = templateReport({ findings: manyFindings(700), errors: [] });
    const md = renderMarkdown(report, { limit: 70_000 });
    expect(md.match(/<details>/g)?.length ?? 0).toBe(md.match(/<\/details>/g)?.length ?? 0);
    expect(bytes(md)).toBeLessThanOrEqual(70_000);
  });
});
