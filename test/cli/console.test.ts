/**
 * The console as a user meets it: the real built CLI on a pseudo-terminal (util-linux `script`) and piped, with
 * the exact text of each; the command line's help, suggestions and short flags.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist/cli.js");
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-console-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const k of ["NO_COLOR", "FORCE_COLOR", "CI", "TERM"]) delete base[k];
  return { ...base, TERM: "xterm-256color", ...env };
}

function piped(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: "utf8", env: cleanEnv(env) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** On a pseudo-terminal of `columns` columns; returns what the terminal showed, with \r\n as \n. */
function onTerminal(args: string[], columns: number, env: Record<string, string> = {}) {
  const command = `stty cols ${columns} rows 50; ${process.execPath} ${cli} ${args.join(" ")}`;
  const r = spawnSync("/usr/bin/script", ["-qec", command, "/dev/null"], {
    cwd: repo,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: cleanEnv(env),
  });
  const stdout = r.stdout.replace(/\r\n/g, "\n");
  return { code: r.status, stdout, shown: asShown(stdout) };
}

/**
 * What the terminal shows once the run is over: a progress line is erased ("\r" + clear line) before anything else
 * is written, so it leaves nothing on screen. On a loaded machine even a one-file scan may pass the half second
 * after which progress is drawn.
 */
const ERASE_LINE = "\r\u001b[K";
const asShown = (s: string) =>
  s.replace(new RegExp(`(${escapeRegExp(ERASE_LINE)}[^\\r\\n]*)*${escapeRegExp(ERASE_LINE)}`, "g"), "");
const escapeRegExp = (s: string) => s.replace(/[[\]\\^$.*+?()|{}]/g, "\\$&");

/** The one varying part of the view: the duration. */
const duration = (s: string) => s.replace(/; \d+\.\ds\n/g, "; 0.0s\n").replace(/\n {4}\d+\.\ds\n/g, "\n    0.0s\n");

const LEGACY = "examples/templates/mysql-legacy-standalone.yaml";
/** The views below are judged with the first seven rules (see the file), so a new rule does not change them. */
const SEVEN = "test/fixtures/cli/seven-rules.yaml";
const ESC = String.fromCharCode(27);
const HELP = "https://github.com/rdsguard/rdsguard/blob/main/docs/rules.md";

const RULES_BLOCK = `Rules that failed (why and how to fix: rdsguard explain RULE, or --verbose):
  backup-retention       2  ${HELP}#backup-retention
  deletion-protection    2  ${HELP}#deletion-protection
  iam-auth               2  ${HELP}#iam-auth
  storage-encrypted      2  ${HELP}#storage-encrypted
  ca-certificate         1  ${HELP}#ca-certificate
  multi-az               1  ${HELP}#multi-az
`;

describe("the text view of a real scan", () => {
  it("piped: one line per finding, path:line:col, sorted by line, short messages, no colour, no wrapping", () => {
    const { code, stdout } = piped(["scan", "--config", SEVEN, LEGACY]);
    expect(code).toBe(1);
    expect(
      duration(stdout),
    ).toBe(`${LEGACY}:16:3   high    storage-encrypted    DB instance LegacyDb: StorageEncrypted is not set: AWS default false
${LEGACY}:16:3   medium  backup-retention     DB instance LegacyDb: BackupRetentionPeriod is not set: AWS default 1: below the policy minimum of 7 days
${LEGACY}:16:3   medium  backup-retention     DB instance LegacyDb: UpdateReplacePolicy is not set: CloudFormation default Delete: a replacing update destroys the database without a final snapshot
${LEGACY}:16:3   medium  deletion-protection  DB instance LegacyDb: DeletionProtection is not set: AWS default false
${LEGACY}:16:3   medium  iam-auth             DB instance LegacyDb: EnableIAMDatabaseAuthentication is not set: AWS default false
${LEGACY}:16:3   medium  multi-az             DB instance LegacyDb: MultiAZ is not set: AWS default false: a single-AZ instance
${LEGACY}:26:32  high    ca-certificate       DB instance LegacyDb: CACertificateIdentifier is rds-ca-2019 (literal): CA rds-ca-2019 expired on 2024-08-22
${LEGACY}:31:3   medium  deletion-protection  DB instance LegacyDbReplica: DeletionProtection is not set: AWS default false
${LEGACY}:31:3   medium  iam-auth             DB instance LegacyDbReplica: EnableIAMDatabaseAuthentication is not set: AWS default false
${LEGACY}:34:35  high    storage-encrypted    DB instance LegacyDbReplica: read replica: encryption inherited from source LegacyDb: StorageEncrypted is not set: AWS default false

${RULES_BLOCK}
rdsguard: 10 failing findings (3 high, 7 medium), 4 passed; 2 resources in 1 template (1 file read); 0.0s
Next: 'rdsguard explain backup-retention' shows why it matters and the fix; add --verbose to see the fix under each finding.
`);
  });

  it.skipIf(!existsSync("/usr/bin/script"))(
    "on a 100-column terminal: colour, and long lines wrapped at words with a hanging indent",
    () => {
      const { code, shown: stdout } = onTerminal(["scan", "--config", SEVEN, LEGACY], 100);
      expect(code).toBe(1);
      const R = "\u001b[31m";
      const Y = "\u001b[33m";
      const E = "\u001b[39m";
      expect(duration(stdout)).toBe(`${LEGACY}:16:3   ${R}high  ${E}  storage-encrypted
    DB instance LegacyDb: StorageEncrypted is not set: AWS default false
${LEGACY}:16:3   ${Y}medium${E}  backup-retention
    DB instance LegacyDb: BackupRetentionPeriod is not set: AWS default 1: below the policy minimum
    of 7 days
${LEGACY}:16:3   ${Y}medium${E}  backup-retention
    DB instance LegacyDb: UpdateReplacePolicy is not set: CloudFormation default Delete: a replacing
    update destroys the database without a final snapshot
${LEGACY}:16:3   ${Y}medium${E}  deletion-protection
    DB instance LegacyDb: DeletionProtection is not set: AWS default false
${LEGACY}:16:3   ${Y}medium${E}  iam-auth
    DB instance LegacyDb: EnableIAMDatabaseAuthentication is not set: AWS default false
${LEGACY}:16:3   ${Y}medium${E}  multi-az
    DB instance LegacyDb: MultiAZ is not set: AWS default false: a single-AZ instance
${LEGACY}:26:32  ${R}high  ${E}  ca-certificate
    DB instance LegacyDb: CACertificateIdentifier is rds-ca-2019 (literal): CA rds-ca-2019 expired
    on 2024-08-22
${LEGACY}:31:3   ${Y}medium${E}  deletion-protection
    DB instance LegacyDbReplica: DeletionProtection is not set: AWS default false
${LEGACY}:31:3   ${Y}medium${E}  iam-auth
    DB instance LegacyDbReplica: EnableIAMDatabaseAuthentication is not set: AWS default false
${LEGACY}:34:35  ${R}high  ${E}  storage-encrypted
    DB instance LegacyDbReplica: read replica: encryption inherited from source LegacyDb:
    StorageEncrypted is not set: AWS default false

\u001b[1m${RULES_BLOCK.replace("--verbose):\n", "--verbose):\u001b[22m\n")}
rdsguard: ${R}10 failing findings (3 high, 7 medium)${E}, 4 passed; 2 resources in 1 template (1 file read);
    0.0s
\u001b[2mNext: 'rdsguard explain backup-retention' shows why it matters and the fix; add --verbose to see the\u001b[22m
\u001b[2m    fix under each finding.\u001b[22m
`);
    },
  );

  it.skipIf(!existsSync("/usr/bin/script"))("TERM=dumb on a terminal: no colour (wrapping off too)", () => {
    const { stdout } = onTerminal(["scan", "--config", SEVEN, LEGACY], 100, { TERM: "dumb" });
    expect(stdout).not.toContain("\u001b[");
    expect(duration(stdout)).toBe(duration(piped(["scan", "--config", SEVEN, LEGACY]).stdout));
  });

  it.skipIf(!existsSync("/usr/bin/script"))(
    "a long scan shows progress with files/s on a terminal, and never when piped or with CI set",
    () => {
      const dir = path.join(tmp, "many");
      mkdirSync(dir);
      const template = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n";
      for (let i = 0; i < 6000; i++) writeFileSync(path.join(dir, `t${i}.yaml`), template);
      const args = ["scan", "-f", "json=/dev/null", dir];
      const tty = onTerminal(args, 120).stdout;
      const progressLine = new RegExp(`\r${ESC}\\[Krdsguard scan: \\d+/6000 files, \\d+ files/s`);
      expect(tty).toMatch(progressLine);
      // Cleared before the report: the summary line starts at the beginning of a clean line.
      const after = tty.slice(tty.lastIndexOf("\r\u001b[K") + 4);
      expect(after).not.toContain("files/s");
      expect(after).toMatch(/^\S+t0\.yaml:2:3 /);
      expect(after).toContain("\nrdsguard: ");
      expect(piped(args).stderr).toBe("");
      expect(onTerminal(args, 120, { CI: "true" }).stdout).not.toContain("files/s");
    },
  );

  it("--verbose adds the quoted documentation, the fix and the help link under each finding", () => {
    const { stdout } = piped(["scan", "--config", SEVEN, "-v", LEGACY]);
    expect(stdout).toContain(
      `${LEGACY}:16:3   high    storage-encrypted    DB instance LegacyDb: StorageEncrypted is not set: AWS default false
    source: CloudFormation AWS::RDS::DBInstance reference: StorageEncrypted defaults to false
    fix: Set StorageEncrypted: true on the DB cluster`,
    );
    expect(stdout).toContain(`    help: ${HELP}#storage-encrypted\n`);
  });

  it("--quiet and --format compact: path:line:col: rule: message lines only", () => {
    const quiet = piped(["scan", "--config", SEVEN, "-q", LEGACY]);
    expect(quiet.code).toBe(1);
    const lines = quiet.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe(
      `${LEGACY}:16:3: storage-encrypted: DB instance LegacyDb: StorageEncrypted is not set: AWS default false`,
    );
    expect(piped(["scan", "--config", SEVEN, "--format", "compact", LEGACY]).stdout).toBe(quiet.stdout);
  });

  it("-f and -o write a format to a file; the text view still reaches the log", () => {
    const out = path.join(tmp, "r.sarif");
    const r = piped(["scan", "--config", SEVEN, "-f", "sarif", "-o", out, LEGACY]);
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(out, "utf8")).version).toBe("2.1.0");
    expect(r.stdout).toContain("rdsguard: 10 failing findings");
  });
});

describe("the command line", () => {
  it("an unknown option: one line with the closest option, and where the help is (exit 2)", () => {
    const r = piped(["scan", "--formt", "json", "examples/templates"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "rdsguard scan: unknown option --formt (did you mean --format?)\nRun 'rdsguard scan --help' for its options.\n",
    );
    expect(piped(["audit", "--regoins", "all"]).stderr).toContain("unknown option --regoins (did you mean --regions?)");
    expect(piped(["scan", "--format"]).stderr).toContain("option --format needs a value");
  });

  it("an unknown command: the closest command", () => {
    const r = piped(["scna", "."]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "rdsguard: unknown command 'scna' (did you mean 'scan'?)\nCommands: scan, audit, merge, rules, explain, test, init. Run 'rdsguard --help' for more.\n",
    );
  });

  it("help COMMAND is the command's own help, and every command's help lists its options", () => {
    for (const command of ["scan", "audit", "merge", "rules", "explain", "test", "init"]) {
      const viaHelp = piped(["help", command]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toBe(piped([command, "--help"]).stdout);
      expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: rdsguard ${command}`));
      expect(viaHelp.stdout).toContain("--help");
    }
    expect(piped(["explain", "--help"]).stdout).toContain("-f, --format FORMAT");
    expect(piped(["scan", "--help"]).stdout).toMatch(/-o, --output PATH[\s\S]*-v, --verbose[\s\S]*-q, --quiet/);
  }, 120_000);

  it("init refuses to create a missing directory unless --parents is given", () => {
    const target = path.join(tmp, "missing", "dir", "rdsguard.yaml");
    const refused = piped(["init", target]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`directory ${path.dirname(target)} does not exist`);
    expect(existsSync(path.dirname(target))).toBe(false);
    expect(piped(["init", "--parents", target]).code).toBe(0);
    expect(readFileSync(target, "utf8")).toContain("version: 1");
  });

  it("--profile: a credential error names the profile", () => {
    const r = piped(
      ["audit", "--profile", "nope", "--regions", "us-east-1", "-f", `json=${path.join(tmp, "a.json")}`],
      {
        AWS_CONFIG_FILE: path.join(tmp, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, "no-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
      },
    );
    expect(r.code).toBe(2);
    // Once on stderr (and in the text view on stdout).
    const lines = r.stderr.split("\n").filter((l) => l.includes("profile 'nope' gives no credentials"));
    expect(lines).toHaveLength(1);
  });

  it("audit errors are printed once on stderr when every format goes to a file", () => {
    const r = piped(
      [
        "audit",
        "--profile",
        "nope",
        "--regions",
        "us-east-1",
        "-f",
        `json=${path.join(tmp, "b.json")}`,
        "-f",
        "text=/dev/null",
      ],
      {
        AWS_CONFIG_FILE: path.join(tmp, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, "no-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
      },
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n").filter((l) => l.includes("gives no credentials"))).toHaveLength(1);
  });
});

describe("parameter values, checked as CloudFormation would", () => {
  const T = "test/fixtures/cli/params-checked.yaml";
  const errorLine = (args: string[]) => {
    const r = piped(["scan", "-q", T, ...args]);
    return { code: r.code, error: r.stdout.split("\n").find((l) => l.includes(": error: ")), stderr: r.stderr };
  };

  it("a value for an undeclared parameter is a warning naming the closest declared one", () => {
    const r = piped(["scan", "-q", T, "--parameter", "Enviroment=prod"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "rdsguard scan: warning: parameter Enviroment is given a value but no scanned template declares it (did you mean Environment?)\n",
    );
  });

  it.each([
    [
      "Environment=production",
      "3:3",
      "parameter Environment: 'production' is not one of the AllowedValues (dev, prod)",
    ],
    ["BackupDays=90", "7:3", "parameter BackupDays: '90' is above MaxValue 35"],
    ["BackupDays=0", "7:3", "parameter BackupDays: '0' is below MinValue 1"],
    ["BackupDays=seven", "7:3", "parameter BackupDays: 'seven' is not a number (Type Number)"],
    ["DbName=Orders_1", "12:3", "parameter DbName: 'Orders_1' does not match the AllowedPattern [a-z][a-z0-9]*"],
    ["DbName=abcdefghijklmnopq", "12:3", "parameter DbName: 'abcdefghijklmnopq' is longer than MaxLength 16"],
    [
      "MasterPassword=short1",
      "17:3",
      "parameter MasterPassword: the value given (NoEcho) is shorter than MinLength 12",
    ],
  ])("%s is an input error at the parameter's line (exit 2)", (given, at, message) => {
    const r = errorLine(["--parameter", given]);
    expect(r.code).toBe(2);
    expect(r.error).toBe(`${T}:${at}: error: parameters: ${message}; CloudFormation would reject it`);
    expect(r.stderr).toBe("");
  });

  it("never prints a NoEcho value", () => {
    const r = piped(["scan", T, "--parameter", "MasterPassword=short1", "-f", "json"]);
    expect(r.stdout + r.stderr).not.toContain("short1");
  });

  it("accepts values that meet every constraint", () => {
    const r = piped(["scan", "-q", T, "--parameter", "Environment=prod", "--parameter", "BackupDays=14"]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("error");
    expect(r.stdout).not.toContain("multi-az");
  });
});
