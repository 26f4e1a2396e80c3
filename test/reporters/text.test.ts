import { describe, expect, it } from "vitest";
import { shouldColor } from "../../src/commands/output.js";
import { renderText } from "../../src/reporters/text.js";
import { auditReport, cleanReport, templateReport } from "./fixture.js";

/** Start of an ANSI colour sequence. */
const ANSI = `${String.fromCharCode(27)}[`;

describe("text view", () => {
  const out = renderText(templateReport());
  const lines = out.split("\n");

  it("groups findings by file, worst first, with line:col, severity, rule id and message", () => {
    const aurora = lines.indexOf("templates/aurora.yaml");
    expect(aurora).toBeGreaterThanOrEqual(0);
    expect(lines[aurora + 1]).toBe(
      "  30:5     critical deletion-protection  DB cluster OrdersCluster: DeletionProtection is not set: the AWS default is false.",
    );
    expect(lines[aurora + 2]).toBe(
      "  42:7     high     storage-encrypted    DB cluster OrdersCluster: StorageEncrypted is false (literal).",
    );
    expect(out).toContain(
      "  15:9     unknown  iam-auth             DB instance LegacyDb: EnableIAMDatabaseAuthentication",
    );
  });

  it("shows suppressed findings with their waiver and leaves passes out", () => {
    expect(out).toContain("           suppressed: policy waiver until 2099-01-31: Reports use password auth until Q3");
    expect(out).not.toContain("StorageEncrypted is true");
  });

  it("indents the continuation of a multi-line message", () => {
    expect(out).toContain(`(100% <unverified> & odd)\n${" ".repeat(41)}second line.`);
  });

  it("lists errors with file:line:col, and live errors with account/region", () => {
    expect(out).toContain(
      "1 error:\n  parse      templates/broken.yaml:3:1  unexpected end of the stream within a flow collection",
    );
    expect(renderText(auditReport())).toContain("  aws        210987654321/us-east-1  AccessDenied");
  });

  it("groups live findings by account/region and names the ARN and stack", () => {
    const audit = renderText(auditReport());
    expect(audit).toContain("123456789012/eu-west-1\n  -        high     storage-encrypted    DB cluster billing-prod");
    expect(audit).toContain("arn:aws:rds:eu-west-1:123456789012:cluster:billing-prod (stack billing, BillingCluster)");
  });

  it("ends with a summary line of counts", () => {
    expect(lines.filter(Boolean).at(-1)).toBe(
      "rdsguard: 5 failing findings (1 critical, 1 high, 2 medium, 1 low), 1 unknown, 1 suppressed, 1 passed; 5 resources in 3 templates (6 files read), 1 error; 1.2s",
    );
    expect(renderText(cleanReport()).trimEnd().split("\n").at(-1)).toMatch(/^rdsguard: no failing findings, 1 passed;/);
  });

  it("has no colour unless asked, and colour when asked", () => {
    expect(out).not.toContain(ANSI);
    const coloured = renderText(templateReport(), { color: true });
    expect(coloured).toContain(ANSI);
    expect(coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g"), "")).toBe(out);
  });
});

describe("colour decision", () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    ["a TTY", tty, {}, false, true],
    ["a pipe", pipe, {}, false, false],
    ["a TTY with NO_COLOR=1", tty, { NO_COLOR: "1" }, false, false],
    ["a TTY with an empty NO_COLOR", tty, { NO_COLOR: "" }, false, true],
    ["a pipe with FORCE_COLOR=1", pipe, { FORCE_COLOR: "1" }, false, true],
    ["a pipe with FORCE_COLOR empty", pipe, { FORCE_COLOR: "" }, false, true],
    ["a TTY with FORCE_COLOR=0", tty, { FORCE_COLOR: "0" }, false, false],
    ["a TTY with FORCE_COLOR=false", tty, { FORCE_COLOR: "false" }, false, false],
    ["FORCE_COLOR=1 over NO_COLOR=1", pipe, { FORCE_COLOR: "1", NO_COLOR: "1" }, false, true],
    ["--no-color over FORCE_COLOR", tty, { FORCE_COLOR: "1" }, true, false],
  ])("%s", (_name, stream, env, flag, expected) => {
    expect(shouldColor(stream, env as Record<string, string>, flag as boolean)).toBe(expected);
  });
});
