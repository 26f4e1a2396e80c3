/**
 * A git repository for the gate tests (test/cli/gate.test.ts): a base commit with a reviewed policy, a plugin and a
 * template, and a pull-request commit that weakens the policy in every way the gate reports, adds a plugin that
 * would write a marker file, and adds an inline waiver. Built under test/.tmp so a plugin's `import "rdsguard"`
 * resolves to this package from the working tree.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";

export const BASE_POLICY = `version: 1
rules:
  backup-retention:
    parameters:
      minimumDays: 7
profiles:
  - name: critical
    match:
      tags:
        tier: [critical]
    rules:
      instance-class:
        parameters:
          allowBurstable: false
  - name: sandbox
    match:
      tags:
        tier: [sandbox]
    rules:
      backup-retention:
        parameters:
          minimumDays: 1
waivers:
  - rule: multi-az
    resource: ReportsDb
    reason: Batch reporting database, reviewed in ADR-12
plugins:
  - ./plugins/trusted.mjs
`;

/** The pull request's policy: every weakening the gate knows, one per line below the comment naming it. */
export const PR_POLICY = `version: 1
rules:
  backup-retention:
    parameters:
      minimumDays: 3
  deletion-protection:
    enabled: false
  storage-encrypted:
    severity: low
profiles:
  - name: critical
    match:
      tags:
        tier: [critical]
    rules:
      instance-class:
        parameters:
          allowBurstable: true
  - name: sandbox
    match:
      tags:
        tier: [sandbox, critical-legacy]
    rules:
      backup-retention:
        parameters:
          minimumDays: 1
waivers:
  - rule: "*"
    resource: ReportsDb
    reason: Batch reporting database, reviewed in ADR-12
  - rule: iam-auth
    resource: AppDb
    reason: temporary, trust me
plugins:
  - ./plugins/trusted.mjs
  - ./plugins/evil.mjs
`;

export const TRUSTED_PLUGIN = `import { defineRule } from "rdsguard";

export const rules = [
  defineRule({
    meta: {
      id: "org-has-identifier",
      title: "DB instances set DBInstanceIdentifier",
      severity: "low",
      appliesTo: ["db-instance"],
    },
    evaluate: (resource) => [{ verdict: "pass", message: "judged by the trusted plugin", loc: resource.loc }],
  }),
];
`;

export function evilPlugin(marker: string): string {
  return `import { writeFileSync } from "node:fs";

writeFileSync(${JSON.stringify(marker)}, "the pull request's code ran in the gate");

export const rules = [
  {
    meta: { id: "evil-rule", title: "Looks harmless", severity: "info", appliesTo: ["db-instance"] },
    evaluate: () => [],
  },
];
`;
}

function instance(name: string, tier: string, extra: Record<string, string>, metadata = ""): string {
  const props: Record<string, string> = {
    Engine: "postgres",
    // A current engine (PostgreSQL 15 and later force TLS by default), not reachable from the internet.
    EngineVersion: '"16.4"',
    PubliclyAccessible: "false",
    DBInstanceClass: "db.t3.medium",
    AllocatedStorage: '"20"',
    StorageEncrypted: "true",
    EnableIAMDatabaseAuthentication: "true",
    BackupRetentionPeriod: "7",
    DeletionProtection: "true",
    MultiAZ: "true",
    CACertificateIdentifier: "rds-ca-rsa2048-g1",
    ...extra,
  };
  return [
    `  ${name}:`,
    "    Type: AWS::RDS::DBInstance",
    "    DeletionPolicy: Snapshot",
    "    UpdateReplacePolicy: Snapshot",
    ...(metadata ? [metadata] : []),
    "    Properties:",
    ...Object.entries(props).map(([k, v]) => `      ${k}: ${v}`),
    "      Tags:",
    "        - Key: tier",
    `          Value: ${tier}`,
  ].join("\n");
}

const REVIEWED_INLINE = `    Metadata:
      rdsguard:
        suppress:
          - rule: backup-retention
            reason: Reports are rebuilt from the warehouse (ADR-14)`;

const NEW_INLINE = `    Metadata:
      rdsguard:
        suppress:
          - rule: multi-az
            reason: saving money this quarter`;

export function template(pr: boolean): string {
  return [
    'AWSTemplateFormatVersion: "2010-09-09"',
    "Resources:",
    instance(
      "AppDb",
      "critical",
      pr
        ? { DBInstanceClass: "db.r6g.large", EnableIAMDatabaseAuthentication: "false", MultiAZ: "false" }
        : { DBInstanceClass: "db.r6g.large" },
      pr ? NEW_INLINE : "",
    ),
    instance("ReportsDb", "sandbox", { MultiAZ: "false", BackupRetentionPeriod: "0" }, REVIEWED_INLINE),
    "",
  ].join("\n");
}

export interface GateRepo {
  dir: string;
  marker: string;
  base: string;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: dir,
    },
  }).trim();
}

/** The repository with `main` (base) and `pr` checked out (the pull request's commit). */
export function buildGateRepo(parent: string): GateRepo {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, "gate-"));
  const marker = path.join(dir, "..", `${path.basename(dir)}.MARKER`);
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  git(dir, "init", "-q", "-b", "main");
  write("rdsguard.yaml", BASE_POLICY);
  write("plugins/trusted.mjs", TRUSTED_PLUGIN);
  write("infra/db.yaml", template(false));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "base");
  const base = git(dir, "rev-parse", "HEAD");
  git(dir, "checkout", "-q", "-b", "pr");
  write("rdsguard.yaml", PR_POLICY);
  write("plugins/evil.mjs", evilPlugin(marker));
  write("infra/db.yaml", template(true));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "pull request");
  return { dir, marker, base };
}

/** 1-based line and column where `snippet` starts in `text` (the `nth` occurrence). */
export function positionOf(text: string, snippet: string, nth = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(snippet, at + 1);
    if (at < 0) throw new Error(`${snippet} not found`);
  }
  const before = text.slice(0, at).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
