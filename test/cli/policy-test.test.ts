/**
 * `rdsguard test POLICY_DIR`: a policy's own fixture cases. The shipped example organisation policy must pass its
 * cases; a wrong expectation fails with what was expected and what came out; a broken case file is an error with
 * its line and column.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-policy-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The CLI from `cwd`; killed after `timeout` ms, so that a hang fails the test. */
function rdsguard(args: string[], cwd = repo, timeout = 60_000) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the example policy (its plugin imports "rdsguard", which resolves inside this repository). */
function examplePolicyCopy(name: string): string {
  const dir = path.join(repo, "test", ".tmp", name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(path.join(repo, "examples/policies"), dir, { recursive: true });
  return dir;
}
afterAll(() => rmSync(path.join(repo, "test", ".tmp"), { recursive: true, force: true }));

describe("rdsguard test", () => {
  it("runs the example organisation policy's cases: all pass, exit 0", () => {
    const r = rdsguard(["test", "examples/policies", "--allow-plugins", "--now", "2026-11-30"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("examples/policies/tests/production.yaml\n");
    expect(r.stdout).toContain("  ok    the billing instance breaks four standards, each at the line to fix\n");
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("6 cases: 6 passed, 0 failed");
  });

  it("refuses the plugin of the policy it found in POLICY_DIR unless --allow-plugins or --config names it (exit 2)", () => {
    const r = rdsguard(["test", "examples/policies", "--now", "2026-11-30"]);
    expect(r.code).toBe(2);
    const policyLines = readFileSync(path.join(repo, "examples/policies/rdsguard.yaml"), "utf8").split("\n");
    const pluginLine = policyLines.indexOf("  - ./plugins/backup-window.mjs") + 1;
    expect(pluginLine).toBeGreaterThan(0);
    expect(r.stdout).toContain(
      `error: examples/policies/rdsguard.yaml:${pluginLine}:5: plugin ./plugins/backup-window.mjs was not loaded: a plugin runs code, ` +
        "and examples/policies/rdsguard.yaml was found in the working directory rather than named",
    );
    expect(r.stdout).toContain("--config examples/policies/rdsguard.yaml");
    expect(r.stdout).toContain("--allow-plugins");
    const named = rdsguard([
      "test",
      "examples/policies",
      "--config",
      "examples/policies/rdsguard.yaml",
      "--now",
      "2026-11-30",
    ]);
    expect(named.code).toBe(0);
    expect(named.stdout.trimEnd().split("\n").at(-1)).toBe("6 cases: 6 passed, 0 failed");
  });

  it.skipIf(process.platform === "win32")(
    "refuses a case file that is a FIFO or a link to /dev/zero with an error at the file, at once (exit 2)",
    () => {
      const dir = examplePolicyCopy("not-regular");
      // A FIFO itself is not listed by the walk (not a file); a link to one is.
      execFileSync("mkfifo", [path.join(dir, "pipe")]);
      symlinkSync(path.join(dir, "pipe"), path.join(dir, "tests/pipe.yaml"));
      symlinkSync("/dev/zero", path.join(dir, "tests/zero.yaml"));
      const r = rdsguard(["test", dir, "--allow-plugins", "--now", "2026-11-30"], repo, 20_000);
      expect({ status: r.code, signal: r.signal }).toEqual({ status: 2, signal: null });
      const shown = path.relative(repo, dir);
      expect(r.stdout).toContain(
        `error: ${shown}/tests/pipe.yaml: cannot read: a FIFO (named pipe), not a regular file`,
      );
      expect(r.stdout).toContain(
        `error: ${shown}/tests/zero.yaml: cannot read: a character device, not a regular file`,
      );
      // The readable cases still ran.
      expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("6 cases: 6 passed, 0 failed; 2 errors");
    },
  );

  it("reports a wrong expectation with the verdict that came out, and exits 1", () => {
    const dir = examplePolicyCopy("wrong-expectation");
    const file = path.join(dir, "tests/production.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8")
        .replace(
          "{ rule: acme-postgres-minimum-version, resource: BillingDb, verdict: fail, line: 19 }",
          "{ rule: acme-postgres-minimum-version, resource: BillingDb, verdict: pass }",
        )
        .replace(
          "{ rule: acme-graviton-in-production, resource: BillingDb, verdict: fail, line: 20 }",
          "{ rule: acme-graviton-in-production, resource: BillingDb, verdict: fail, line: 21 }",
        ),
    );
    const r = rdsguard(["test", dir, "--allow-plugins", "--now", "2026-11-30", "--format", "json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { cases: { name: string; passed: boolean; mismatches: string[] }[] };
    const billing = out.cases.find((c) => c.name.startsWith("the billing instance"));
    expect(billing?.passed).toBe(false);
    expect(billing?.mismatches).toEqual([
      "acme-graviton-in-production BillingDb: expected the finding at line 21, got test/.tmp/wrong-expectation/tests/templates/billing-prod.yaml:20:24",
      'acme-postgres-minimum-version BillingDb: expected pass, got fail: EngineVersion is 14.9 (literal), which is not at least "15.4"',
    ]);
    expect(out.cases.filter((c) => c.passed)).toHaveLength(5);
  });

  it("a broken case file is an error at its line and column (exit 2); the other files still run", () => {
    const dir = examplePolicyCopy("broken-case");
    writeFileSync(
      path.join(dir, "tests/broken.yaml"),
      [
        "cases:",
        "  - name: typo in a rule id and a verdict",
        "    template: templates/orders-prod.yaml",
        "    expect:",
        "      - { rule: acme-graviton-in-prod, resource: OrdersWriter, verdict: pass }",
        "      - { rule: acme-graviton-in-production, resource: OrdersReader, verdict: passed }",
        "",
      ].join("\n"),
    );
    const r = rdsguard(["test", dir, "--allow-plugins", "--now", "2026-11-30"]);
    expect(r.code).toBe(2);
    const prefix = "error: test/.tmp/broken-case/tests/broken.yaml";
    expect(r.stdout).toContain(
      `${prefix}:6:79: cases[0].expect[1].verdict must be one of fail, unknown, pass, not-applicable; got "passed"`,
    );
    expect(r.stdout).toContain("6 cases: 6 passed, 0 failed; 1 error");
  });

  it("an unknown rule id in a case is an error naming the known ids", () => {
    const dir = examplePolicyCopy("unknown-rule");
    writeFileSync(
      path.join(dir, "tests/unknown.yaml"),
      "cases:\n  - name: typo\n    template: templates/orders-prod.yaml\n    expect:\n      - { rule: acme-graviton, resource: OrdersWriter, verdict: pass }\n",
    );
    const r = rdsguard(["test", dir, "--allow-plugins", "--now", "2026-11-30"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /error: test\/\.tmp\/unknown-rule\/tests\/unknown\.yaml:5:17: cases\[0\]\.expect\[0\]\.rule: unknown rule id "acme-graviton"; known rule ids: storage-encrypted, .*acme-graviton-in-production/,
    );
  });

  it("without a policy file it says which file it looked for", () => {
    const empty = mkdtempSync(path.join(tmp, "empty-"));
    const r = rdsguard(["test", empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`rdsguard test: no policy file ${path.join(empty, "rdsguard.yaml")} (give --config)`);
  });
});
