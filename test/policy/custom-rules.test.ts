/**
 * Rules written in the policy file (customRules), end to end: the policy loaded by loadRuleSet from real YAML files,
 * real CloudFormation templates through the template scanner, and the findings the Judge makes of them. Every
 * operator passing and failing with its wording and the line:column of the deciding value; unknown and absent
 * values; three-valued all/any/not; undecidable conditions; scope; settings, profiles and waivers; and every
 * mistake a policy author can make, reported at its place.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Judge, loadRuleSet, type RuleSet } from "../../src/engine/report.js";
import type { Finding, ScanError } from "../../src/engine/types.js";
import type { Model } from "../../src/model/types.js";
import { allRules } from "../../src/rules/index.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

const cwd = process.cwd();
const POLICIES = "test/fixtures/policy/custom";
const TEMPLATES = "test/fixtures/custom-rules";
const NOW = new Date("2026-03-01T12:00:00Z");

async function ruleSet(policy: string): Promise<RuleSet> {
  return loadRuleSet({ cwd, configPath: `${POLICIES}/${policy}` });
}

function scan(name: string, parameters: Record<string, string> = {}): Model {
  const file = `${TEMPLATES}/${name}`;
  const result = scanTemplateText(readFileSync(file, "utf8"), file, { parameters });
  if (!result.model) throw new Error(`no model for ${name}: ${JSON.stringify(result.error)}`);
  return result.model;
}

function judge(rules: RuleSet, model: Model, now = NOW): Judge {
  const j = new Judge({ policy: rules.policy, rules: rules.rules, strict: false, now });
  j.judge(model);
  return j;
}

/** The findings of one rule, by resource name. */
function byResource(j: Judge, ruleId: string): Record<string, Finding> {
  const out: Record<string, Finding> = {};
  for (const f of j.findings.filter((x) => x.ruleId === ruleId)) {
    if (out[f.resource.name]) throw new Error(`two findings of ${ruleId} on ${f.resource.name}`);
    out[f.resource.name] = f;
  }
  return out;
}

/** "fail DBInstanceClass 34:24" or "fail when IsProd=false DeletionProtection 17:46". */
function show(f: Finding | undefined): string {
  if (!f) return "(no finding)";
  const at = f.location ? `${f.location.line}:${f.location.column}` : "-";
  return `${f.verdict}${f.when ? ` when ${f.when}` : ""} ${f.property ?? "-"} ${at}`;
}

/** Each resource's verdict, property and place for one rule. */
function verdicts(j: Judge, ruleId: string): Record<string, string> {
  return Object.fromEntries(Object.entries(byResource(j, ruleId)).map(([name, f]) => [name, show(f)]));
}

function message(j: Judge, ruleId: string, resource: string): string | undefined {
  return byResource(j, ruleId)[resource]?.message;
}

/** How a user sees a policy error: file:line:col: message. */
function shown(errors: readonly ScanError[]): string[] {
  return errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
}

const F = `${POLICIES}/errors.yaml`;
const BACKUP_DEFAULT =
  "BackupRetentionPeriod is not set: AWS default 1 (RDS API reference, CreateDBInstance/CreateDBCluster: BackupRetentionPeriod defaults to 1)";
const DELETION_DEFAULT =
  "DeletionProtection is not set: AWS default false (RDS API reference: DeletionProtection defaults to false)";
const IMPORTED = "Fn::ImportValue: exported by another stack, known only at deployment";

describe("operators (operators.yaml on standalone.yaml)", async () => {
  const rules = await ruleSet("operators.yaml");
  const j = judge(rules, scan("standalone.yaml"));

  it("loads every rule of the policy without errors, after the built-in rules", () => {
    expect(rules.errors).toEqual([]);
    expect(rules.policy.customRules.map((r) => r.id)).toEqual([
      "engine-postgres",
      "engine-not-mysql",
      "engine-approved",
      "class-not-legacy",
      "class-graviton",
      "backup-over-three",
      "backup-week",
      "backup-under-ten",
      "backup-at-most-three",
      "postgres-version",
      "deletion-protected",
      "key-named",
      "customer-key",
      "backup-window-early",
      "data-class-confidential",
      "data-class-not-public",
    ]);
    expect(rules.rules.map((r) => r.meta.id).indexOf("engine-postgres")).toBe(allRules.length);
    expect(j.errors).toEqual([]);
  });

  it("equals: passes and fails at the Engine value, with its severity", () => {
    expect(verdicts(j, "engine-postgres")).toMatchObject({
      PgNew: "pass Engine 17:15",
      MysqlDefaults: "fail Engine 47:15",
    });
    expect(message(j, "engine-postgres", "PgNew")).toBe('Engine is postgres (literal), which is "postgres"');
    expect(message(j, "engine-postgres", "MysqlDefaults")).toBe('Engine is mysql (literal), which is not "postgres"');
    expect(byResource(j, "engine-postgres").MysqlDefaults?.severity).toBe("medium");
  });

  it("notEquals", () => {
    expect(verdicts(j, "engine-not-mysql")).toMatchObject({
      PgOld: "pass Engine 32:15",
      MysqlDefaults: "fail Engine 47:15",
    });
    expect(message(j, "engine-not-mysql", "PgOld")).toBe('Engine is postgres (literal), which is not "mysql"');
    expect(message(j, "engine-not-mysql", "MysqlDefaults")).toBe('Engine is mysql (literal), which is "mysql"');
  });

  it("in", () => {
    expect(verdicts(j, "engine-approved")).toMatchObject({
      PgNew: "pass Engine 17:15",
      MysqlDefaults: "fail Engine 47:15",
    });
    expect(message(j, "engine-approved", "PgNew")).toBe(
      'Engine is postgres (literal), which is one of ["postgres", "aurora-postgresql"]',
    );
    expect(message(j, "engine-approved", "MysqlDefaults")).toBe(
      'Engine is mysql (literal), which is not one of ["postgres", "aurora-postgresql"]',
    );
  });

  it("notIn", () => {
    expect(verdicts(j, "class-not-legacy")).toMatchObject({
      PgNew: "pass DBInstanceClass 19:24",
      PgOld: "fail DBInstanceClass 34:24",
      MysqlDefaults: "fail DBInstanceClass 48:24",
    });
    expect(message(j, "class-not-legacy", "PgNew")).toBe(
      'DBInstanceClass is db.r7g.large (literal), which is not one of ["db.t3.medium", "db.m5.large"]',
    );
    expect(message(j, "class-not-legacy", "PgOld")).toBe(
      'DBInstanceClass is db.t3.medium (literal), which is one of ["db.t3.medium", "db.m5.large"]',
    );
  });

  it("matches on DBInstanceClass", () => {
    expect(verdicts(j, "class-graviton")).toMatchObject({
      PgNew: "pass DBInstanceClass 19:24",
      PgOld: "fail DBInstanceClass 34:24",
      MysqlDefaults: "fail DBInstanceClass 48:24",
    });
    expect(message(j, "class-graviton", "PgNew")).toBe(
      "DBInstanceClass is db.r7g.large (literal), which matches /^db\\.[a-z]+\\d+g[a-z]*\\./",
    );
    expect(message(j, "class-graviton", "PgOld")).toBe(
      "DBInstanceClass is db.t3.medium (literal), which does not match /^db\\.[a-z]+\\d+g[a-z]*\\./",
    );
  });

  it("greaterThan / greaterThanOrEqual / lessThan / lessThanOrEqual compare BackupRetentionPeriod as a number", () => {
    // PgNew keeps 7 days, PgOld 3.
    expect(verdicts(j, "backup-over-three")).toMatchObject({
      PgNew: "pass BackupRetentionPeriod 21:30",
      PgOld: "fail BackupRetentionPeriod 36:30",
    });
    expect(message(j, "backup-over-three", "PgNew")).toBe(
      "BackupRetentionPeriod is 7 (literal), which is greater than 3",
    );
    expect(message(j, "backup-over-three", "PgOld")).toBe(
      "BackupRetentionPeriod is 3 (literal), which is not greater than 3",
    );

    expect(verdicts(j, "backup-week")).toMatchObject({
      PgNew: "pass BackupRetentionPeriod 21:30",
      PgOld: "fail BackupRetentionPeriod 36:30",
    });
    expect(message(j, "backup-week", "PgNew")).toBe("BackupRetentionPeriod is 7 (literal), which is at least 7");
    expect(message(j, "backup-week", "PgOld")).toBe("BackupRetentionPeriod is 3 (literal), which is not at least 7");

    expect(verdicts(j, "backup-under-ten")).toMatchObject({
      PgNew: "pass BackupRetentionPeriod 21:30",
      PgOld: "pass BackupRetentionPeriod 36:30",
    });
    expect(message(j, "backup-under-ten", "PgNew")).toBe("BackupRetentionPeriod is 7 (literal), which is less than 10");

    expect(verdicts(j, "backup-at-most-three")).toMatchObject({
      PgNew: "fail BackupRetentionPeriod 21:30",
      PgOld: "pass BackupRetentionPeriod 36:30",
    });
    expect(message(j, "backup-at-most-three", "PgNew")).toBe(
      "BackupRetentionPeriod is 7 (literal), which is not at most 3",
    );
    expect(message(j, "backup-at-most-three", "PgOld")).toBe(
      "BackupRetentionPeriod is 3 (literal), which is at most 3",
    );
  });

  it('greaterThanOrEqual "15.4" compares versions part by part: 15.10 passes, 15.2 fails', () => {
    expect(verdicts(j, "postgres-version")).toMatchObject({
      PgNew: "pass EngineVersion 18:22",
      PgOld: "fail EngineVersion 33:22",
    });
    expect(message(j, "postgres-version", "PgNew")).toBe('EngineVersion is 15.10 (literal), which is at least "15.4"');
    expect(message(j, "postgres-version", "PgOld")).toBe(
      'EngineVersion is 15.2 (literal), which is not at least "15.4"',
    );
  });

  it("equals on a boolean, exists, and KmsKeyManager read from the key KmsKeyId names", () => {
    expect(verdicts(j, "deletion-protected")).toMatchObject({
      PgNew: "pass DeletionProtection 24:27",
      PgOld: "fail DeletionProtection 39:27",
    });
    expect(message(j, "deletion-protected", "PgOld")).toBe("DeletionProtection is false (literal), which is not true");

    expect(verdicts(j, "key-named")).toMatchObject({ PgNew: "pass KmsKeyId 23:17", PgOld: "pass KmsKeyId 38:17" });
    expect(verdicts(j, "customer-key")).toMatchObject({
      PgNew: "pass KmsKeyManager 23:17",
      PgOld: "fail KmsKeyManager 38:17",
    });
    expect(message(j, "customer-key", "PgNew")).toBe(
      'KmsKeyManager is CUSTOMER (inherited from AppKey: KeyManager of the KMS key), which is "CUSTOMER"',
    );
    expect(message(j, "customer-key", "PgOld")).toBe('KmsKeyManager is AWS (literal), which is not "CUSTOMER"');
  });

  it("matches on a window and equals on a tag", () => {
    expect(verdicts(j, "backup-window-early")).toMatchObject({
      PgNew: "pass PreferredBackupWindow 25:30",
      PgOld: "fail PreferredBackupWindow 40:30",
    });
    // A tag's value has no place of its own in the model: findings point at the resource.
    expect(verdicts(j, "data-class-confidential")).toMatchObject({
      PgNew: "pass Tags.data-class 14:3",
      PgOld: "fail Tags.data-class 29:3",
    });
    expect(message(j, "data-class-not-public", "PgOld")).toBe('Tags.data-class is public (literal), which is "public"');
  });
});

describe("unknown values are never a pass (standalone.yaml, PgUnknown)", async () => {
  const rules = await ruleSet("operators.yaml");
  const j = judge(rules, scan("standalone.yaml"));

  it("a Ref to a parameter without a default is unknown, at the Ref, for every operator", () => {
    expect(show(byResource(j, "postgres-version").PgUnknown)).toBe("unknown EngineVersion 54:22");
    expect(message(j, "postgres-version", "PgUnknown")).toBe(
      "EngineVersion is unknown: parameter SharedVersion has no Default and no value was given (--parameters)",
    );
    expect(show(byResource(j, "class-graviton").PgUnknown)).toBe("unknown DBInstanceClass 55:24");
    expect(show(byResource(j, "class-not-legacy").PgUnknown)).toBe("unknown DBInstanceClass 55:24");
  });

  it("Fn::ImportValue is unknown, for comparisons in both directions", () => {
    for (const id of ["backup-over-three", "backup-week", "backup-under-ten", "backup-at-most-three"]) {
      expect(show(byResource(j, id).PgUnknown), id).toBe("unknown BackupRetentionPeriod 57:30");
      expect(message(j, id, "PgUnknown"), id).toBe(`BackupRetentionPeriod is unknown: ${IMPORTED}`);
    }
    expect(show(byResource(j, "customer-key").PgUnknown)).toBe("unknown KmsKeyManager 58:17");
    expect(message(j, "customer-key", "PgUnknown")).toBe(`KmsKeyManager is unknown: KmsKeyId is unknown: ${IMPORTED}`);
  });

  it("exists on an unknown value passes: something is written there", () => {
    expect(show(byResource(j, "key-named").PgUnknown)).toBe("pass KmsKeyId 58:17");
    expect(message(j, "key-named", "PgUnknown")).toBe(`KmsKeyId is unknown: ${IMPORTED}`);
  });

  it("a tag whose value is imported is unknown, not absent: notEquals must not pass", () => {
    expect(show(byResource(j, "data-class-not-public").PgUnknown)).toBe("unknown Tags.data-class 50:3");
    expect(show(byResource(j, "data-class-confidential").PgUnknown)).toBe("unknown Tags.data-class 50:3");
    expect(message(j, "data-class-not-public", "PgUnknown")).toBe(
      `Tags.data-class is unknown: tag data-class is unknown: ${IMPORTED}`,
    );
  });

  it("with --parameter values the same resource is judged", async () => {
    const known = judge(rules, scan("standalone.yaml", { SharedVersion: "16.2", InstanceClass: "db.r6g.xlarge" }));
    expect(show(byResource(known, "postgres-version").PgUnknown)).toBe("pass EngineVersion 54:22");
    expect(message(known, "postgres-version", "PgUnknown")).toBe(
      'EngineVersion is 16.2 (parameter SharedVersion as given by you (--parameters or --parameter)), which is at least "15.4"',
    );
    expect(show(byResource(known, "class-graviton").PgUnknown)).toBe("pass DBInstanceClass 55:24");
  });
});

describe("absent values (standalone.yaml, MysqlDefaults sets only Engine, class and storage)", async () => {
  const rules = await ruleSet("operators.yaml");
  const j = judge(rules, scan("standalone.yaml"));

  it("BackupRetentionPeriod absent: the AWS default 1 is compared, and cited", () => {
    expect(show(byResource(j, "backup-week").MysqlDefaults)).toBe("fail BackupRetentionPeriod 44:3");
    expect(message(j, "backup-week", "MysqlDefaults")).toBe(`${BACKUP_DEFAULT}, which is not at least 7`);
    expect(show(byResource(j, "backup-under-ten").MysqlDefaults)).toBe("pass BackupRetentionPeriod 44:3");
    expect(message(j, "backup-under-ten", "MysqlDefaults")).toBe(`${BACKUP_DEFAULT}, which is less than 10`);
  });

  it("DeletionProtection absent: false", () => {
    expect(show(byResource(j, "deletion-protected").MysqlDefaults)).toBe("fail DeletionProtection 44:3");
    expect(message(j, "deletion-protected", "MysqlDefaults")).toBe(`${DELETION_DEFAULT}, which is not true`);
  });

  it("EngineVersion and PreferredBackupWindow absent: AWS chooses, so the condition is unknown", () => {
    const noVersion = postgresWithoutVersion();
    expect(show(byResource(noVersion, "postgres-version").NoVersion)).toBe("unknown EngineVersion 5:3");
    expect(message(noVersion, "postgres-version", "NoVersion")).toBe(
      "EngineVersion is not set (no AWS default): the value AWS picks cannot be known from here, so the condition is undecided",
    );
    expect(show(byResource(j, "backup-window-early").MysqlDefaults)).toBe("unknown PreferredBackupWindow 44:3");
    expect(message(j, "backup-window-early", "MysqlDefaults")).toMatch(
      /^PreferredBackupWindow is not set \(RDS User Guide, Backup window .*AWS assigns a 30-minute window.*\): the value AWS picks cannot be known from here, so the condition is undecided$/,
    );
  });

  function postgresWithoutVersion(): Judge {
    const text = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      "Description: PostgreSQL without a version",
      "Resources:",
      "  # The version is left to AWS",
      "  NoVersion:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      Engine: postgres",
      "      DBInstanceClass: db.r7g.large",
      "      AllocatedStorage: '20'",
      "",
    ].join("\n");
    const result = scanTemplateText(text, "inline.yaml", {});
    if (!result.model) throw new Error("no model");
    return judge(rules, result.model);
  }

  it("KmsKeyId absent has no value: exists fails; KmsKeyManager is AWS, so equals CUSTOMER fails", () => {
    expect(show(byResource(j, "key-named").MysqlDefaults)).toBe("fail KmsKeyId 44:3");
    expect(message(j, "key-named", "MysqlDefaults")).toBe(
      "KmsKeyId is not set (RDS API reference: with encryption on and no KmsKeyId, the AWS managed key alias/aws/rds (or, for new Aurora clusters, an AWS owned key) is used)",
    );
    expect(show(byResource(j, "customer-key").MysqlDefaults)).toBe("fail KmsKeyManager 44:3");
    expect(message(j, "customer-key", "MysqlDefaults")).toBe(
      'KmsKeyManager is not set: AWS default AWS (RDS API reference: with encryption on and no KmsKeyId, the AWS managed key alias/aws/rds (or, for new Aurora clusters, an AWS owned key) is used), which is not "CUSTOMER"',
    );
  });

  it("Tags.data-class absent: equals fails, notEquals passes", () => {
    expect(show(byResource(j, "data-class-confidential").MysqlDefaults)).toBe("fail Tags.data-class 44:3");
    expect(show(byResource(j, "data-class-not-public").MysqlDefaults)).toBe("pass Tags.data-class 44:3");
    expect(message(j, "data-class-confidential", "MysqlDefaults")).toBe(
      "Tags.data-class is not set (tag data-class is not set)",
    );
  });
});

describe("all / any / not in three-valued logic (logic.yaml on standalone.yaml)", async () => {
  const rules = await ruleSet("logic.yaml");
  const j = judge(rules, scan("standalone.yaml"));

  it("loads", () => {
    expect(rules.errors).toEqual([]);
  });

  it("all: a failure decides even when another test is unknown, at the failing value", () => {
    // PgUnknown: DeletionProtection absent (false) fails, BackupRetentionPeriod is imported (unknown).
    expect(show(byResource(j, "protected-and-kept").PgUnknown)).toBe("fail DeletionProtection 50:3");
    expect(message(j, "protected-and-kept", "PgUnknown")).toBe(`${DELETION_DEFAULT}, which is not true`);
    // Both fail: both facts are given.
    expect(message(j, "protected-and-kept", "PgOld")).toBe(
      "DeletionProtection is false (literal), which is not true; BackupRetentionPeriod is 3 (literal), which is not at least 7",
    );
    expect(show(byResource(j, "protected-and-kept").PgNew)).toBe("pass DeletionProtection 24:27");
  });

  it("all: unknown and pass is unknown, at the unknown value", () => {
    expect(show(byResource(j, "kept-and-postgres").PgUnknown)).toBe("unknown BackupRetentionPeriod 57:30");
    expect(message(j, "kept-and-postgres", "PgUnknown")).toBe(`BackupRetentionPeriod is unknown: ${IMPORTED}`);
  });

  it("any: a pass decides even when another test is unknown, at the passing value", () => {
    expect(show(byResource(j, "postgres-or-kept").PgUnknown)).toBe("pass BackupRetentionPeriod 53:15");
    expect(message(j, "postgres-or-kept", "PgUnknown")).toBe('Engine is postgres (literal), which is "postgres"');
    expect(show(byResource(j, "postgres-or-kept").MysqlDefaults)).toBe("fail BackupRetentionPeriod 44:3");
  });

  it("any: fail and unknown is unknown", () => {
    expect(show(byResource(j, "protected-or-kept").PgUnknown)).toBe("unknown DeletionProtection 57:30");
    expect(message(j, "protected-or-kept", "PgUnknown")).toBe(`BackupRetentionPeriod is unknown: ${IMPORTED}`);
  });

  it("not: swaps pass and fail, and leaves unknown unknown", () => {
    expect(show(byResource(j, "not-short-backups").PgNew)).toBe("pass BackupRetentionPeriod 21:30");
    expect(show(byResource(j, "not-short-backups").PgOld)).toBe("fail BackupRetentionPeriod 36:30");
    expect(message(j, "not-short-backups", "PgOld")).toBe("BackupRetentionPeriod is 3 (literal), which is less than 7");
    expect(show(byResource(j, "not-short-backups").PgUnknown)).toBe("unknown BackupRetentionPeriod 57:30");
  });
});

describe("scope and ownership (scope.yaml on aurora.yaml)", async () => {
  const rules = await ruleSet("scope.yaml");
  const j = judge(rules, scan("aurora.yaml"));

  it("loads", () => {
    expect(rules.errors).toEqual([]);
    expect(j.errors).toEqual([]);
  });

  it("kinds: a cluster-only rule judges no instance", () => {
    expect(Object.keys(byResource(j, "aurora-mysql-version")).sort()).toEqual(["LegacyCluster", "OrdersCluster"]);
  });

  it("engines: a glob, case-insensitive; Aurora MySQL versions compare part by part", () => {
    expect(verdicts(j, "aurora-mysql-version")).toEqual({
      OrdersCluster: "pass EngineVersion 14:22",
      LegacyCluster: "fail EngineVersion 31:22",
    });
    expect(message(j, "aurora-mysql-version", "LegacyCluster")).toBe(
      'EngineVersion is 8.0.mysql_aurora.3.04.0 (literal), which is not at least "8.0.mysql_aurora.3.05.0"',
    );
    expect(message(j, "aurora-mysql-version", "OrdersCluster")).toBe(
      'EngineVersion is 8.0.mysql_aurora.3.05.2 (literal), which is at least "8.0.mysql_aurora.3.05.0"',
    );
  });

  it("engines: a resource with another engine is not applicable", async () => {
    const ops = judge(await ruleSet("operators.yaml"), scan("standalone.yaml"));
    expect(show(byResource(ops, "postgres-version").MysqlDefaults)).toBe("not-applicable EngineVersion 44:3");
    expect(message(ops, "postgres-version", "MysqlDefaults")).toBe(
      "the rule judges engines postgres; this one is mysql",
    );
  });

  it("an Aurora member reads cluster-owned attributes from its cluster, at the cluster's value", () => {
    expect(verdicts(j, "backup-two-weeks")).toMatchObject({
      OrdersWriter: "pass BackupRetentionPeriod 16:30",
      LegacyWriter: "fail BackupRetentionPeriod 32:30",
    });
    expect(message(j, "backup-two-weeks", "OrdersWriter")).toBe(
      "BackupRetentionPeriod is 14 (inherited from OrdersCluster: BackupRetentionPeriod of the DB cluster), which is at least 14",
    );
    expect(message(j, "backup-two-weeks", "LegacyWriter")).toBe(
      "BackupRetentionPeriod is 1 (inherited from LegacyCluster: BackupRetentionPeriod of the DB cluster), which is not at least 14",
    );
    expect(show(byResource(j, "encrypted-everywhere").OrdersWriter)).toBe("pass StorageEncrypted 15:25");
    expect(message(j, "encrypted-everywhere", "OrdersWriter")).toBe(
      "StorageEncrypted is true (inherited from OrdersCluster: StorageEncrypted of the DB cluster), which is true",
    );
    // A standalone instance keeps its own value (and its own default).
    expect(show(byResource(j, "encrypted-everywhere").ReportsDb)).toBe("fail StorageEncrypted 46:3");
  });

  it("a member whose cluster is not in the template is unknown, never its own default", () => {
    expect(show(byResource(j, "backup-two-weeks").SharedMember)).toBe("unknown BackupRetentionPeriod 40:3");
    expect(message(j, "backup-two-weeks", "SharedMember")).toBe(
      "BackupRetentionPeriod is unknown: BackupRetentionPeriod of a cluster member is the DB cluster's, and the cluster is not in this scan",
    );
    expect(show(byResource(j, "encrypted-everywhere").SharedMember)).toBe("unknown StorageEncrypted 40:3");
  });

  it("roles: Aurora members are not applicable to a standalone-only rule", () => {
    expect(verdicts(j, "standalone-protected")).toEqual({
      OrdersWriter: "not-applicable DeletionProtection 21:3",
      LegacyWriter: "not-applicable DeletionProtection 34:3",
      SharedMember: "not-applicable DeletionProtection 40:3",
      ReportsDb: "fail DeletionProtection 54:27",
    });
    expect(message(j, "standalone-protected", "OrdersWriter")).toBe(
      "the rule judges standalone DB instances; this one is aurora-member",
    );
  });

  it("profiles: a profile of the same policy, matched by tag, selects the resources judged", () => {
    expect(j.findings.find((f) => f.resource.name === "OrdersCluster")?.profile).toBe("payments-prod");
    expect(show(byResource(j, "payments-protected").LegacyCluster)).toBe("not-applicable DeletionProtection 27:3");
    expect(message(j, "payments-protected", "LegacyCluster")).toBe(
      "the rule judges resources under profile payments-prod; this one is under default",
    );
  });

  it("an undecidable Fn::If gives a failure with when, at the failing branch, like the built-in rules", () => {
    expect(show(byResource(j, "payments-protected").OrdersCluster)).toBe(
      "fail when IsProd=false DeletionProtection 17:46",
    );
    expect(message(j, "payments-protected", "OrdersCluster")).toBe(
      "when IsProd=false: DeletionProtection is false (literal), which is not true; when IsProd=true: DeletionProtection is true (literal), which is true",
    );
    const builtin = j.findings.find((f) => f.ruleId === "deletion-protection" && f.resource.name === "OrdersCluster");
    expect(show(builtin)).toBe("fail when IsProd=false DeletionProtection 17:46");
    // Given the parameter, the condition is decided.
    const prod = judge(rules, scan("aurora.yaml", { Environment: "prod" }));
    expect(show(byResource(prod, "payments-protected").OrdersCluster)).toBe("pass DeletionProtection 17:40");
  });

  it("tags: globs, case-insensitive; an Aurora member has its cluster's tags", () => {
    expect(verdicts(j, "payments-graviton")).toEqual({
      OrdersWriter: "pass DBInstanceClass 26:24",
      LegacyWriter: "not-applicable DBInstanceClass 34:3",
      SharedMember: "not-applicable DBInstanceClass 40:3",
      ReportsDb: "not-applicable DBInstanceClass 46:3",
    });
    expect(message(j, "payments-graviton", "LegacyWriter")).toBe(
      "the rule judges resources tagged team=PAY*; this one has no team tag",
    );
    expect(message(j, "payments-graviton", "ReportsDb")).toBe(
      "the rule judges resources tagged team=PAY*; this one has team=analytics",
    );
  });
});

describe("settings, profiles and waivers of a custom rule (settings.yaml on suppressions.yaml)", async () => {
  const rules = await ruleSet("settings.yaml");
  const j = judge(rules, scan("suppressions.yaml"));
  const found = byResource(j, "graviton-only");

  it("loads, and the policy's rules section overrides the custom rule's severity", () => {
    expect(rules.errors).toEqual([]);
    expect(j.errors).toEqual([]);
    expect(rules.rules.find((r) => r.meta.id === "graviton-only")?.meta.severity).toBe("high");
    expect(found.PlainBox).toMatchObject({ verdict: "fail", severity: "low", property: "DBInstanceClass" });
    expect(found.PlainBox?.suppression).toBeUndefined();
  });

  it("enabled: false in a profile leaves the resources it selects unjudged", () => {
    expect(found.SandboxBox).toBeUndefined();
    expect(j.findings.some((f) => f.resource.name === "SandboxBox" && f.ruleId === "multi-az")).toBe(true);
  });

  it("an inline suppression in the template's Metadata suppresses it", () => {
    expect(found.InlineBox).toMatchObject({
      verdict: "fail",
      suppression: {
        kind: "inline",
        reason: "Vendor software certified on x86 only",
        loc: { file: `${TEMPLATES}/suppressions.yaml`, line: 9, column: 13 },
      },
    });
  });

  it("a policy waiver with a future expiry suppresses it", () => {
    expect(found.WaivedBox).toMatchObject({
      verdict: "fail",
      suppression: {
        kind: "policy",
        reason: "Reserved instances run until 2027",
        expires: "2027-06-30",
        loc: { file: `${POLICIES}/settings.yaml`, line: 18, column: 5 },
      },
    });
  });

  it("an expired waiver brings the finding back and says so", () => {
    const lapsed = found.LapsedBox;
    expect(lapsed?.suppression).toBeUndefined();
    expect(lapsed?.expiredSuppression).toEqual({
      kind: "policy",
      reason: "Migration promised for 2025",
      expires: "2026-01-01",
      loc: { file: `${POLICIES}/settings.yaml`, line: 22, column: 5 },
    });
    expect(lapsed?.message).toBe(
      `DBInstanceClass is db.m5.large (literal), which does not match /^db\\.[a-z]+\\d+g[a-z]*\\./ [waiver expired on 2026-01-01 at ${POLICIES}/settings.yaml:22:5; it said: "Migration promised for 2025"]`,
    );
    // Before the expiry day the same waiver holds.
    const earlier = byResource(
      judge(rules, scan("suppressions.yaml"), new Date("2025-12-31T12:00:00Z")),
      "graviton-only",
    );
    expect(earlier.LapsedBox?.suppression?.reason).toBe("Migration promised for 2025");
  });
});

describe("mistakes in customRules (errors.yaml)", async () => {
  const rules = await ruleSet("errors.yaml");

  it("reports each at its file:line:col with a sentence saying what is wrong", () => {
    expect(shown(rules.errors)).toEqual([
      `${F}:12:7: customRules[0].condition: unknown key "startsWith"; expected one of: all, any, not, attribute, equals, notEquals, in, notIn, matches, greaterThan, greaterThanOrEqual, lessThan, lessThanOrEqual, exists`,
      `${F}:20:7: customRules[1].condition: the test of BackupRetentionPeriod has 2 operators (greaterThan, lessThan); give exactly one, and combine tests with all/any`,
      `${F}:33:11: customRules[2].condition.any[1]: the test of MultiAZ has no operator; give one of equals, notEquals, in, notIn, matches, greaterThan, greaterThanOrEqual, lessThan, lessThanOrEqual, exists`,
      `${F}:41:18: customRules[3].condition.attribute: unknown attribute "AllocatedStorage"; known attributes: Engine, EngineVersion, EngineMode, DBInstanceClass, DBClusterInstanceClass, StorageEncrypted, KmsKeyId, KmsKeyManager, BackupRetentionPeriod, DeletionProtection, EnableIAMDatabaseAuthentication, MultiAZ, PreferredBackupWindow, PreferredMaintenanceWindow, PubliclyAccessible, AutoMinorVersionUpgrade, AvailabilityZone, CACertificateIdentifier, DBClusterIdentifier, DBInstanceIdentifier, SnapshotIdentifier, DBSnapshotIdentifier, SourceDBInstanceIdentifier, GlobalClusterIdentifier, ReplicationSourceIdentifier, ServerlessV2MinCapacity, ServerlessV2MaxCapacity, Role, DeletionPolicy, UpdateReplacePolicy, Enabled, EnableKeyRotation, KeyManager, and Tags.<key>`,
      `${F}:50:18: customRules[4].condition.attribute: DBInstanceClass does not exist on db-cluster; it exists on db-instance (narrow appliesTo.kinds, or write one rule per kind)`,
      `${F}:60:16: customRules[5].condition.matches: not a valid regular expression: missing closing ): \`^db\\.(r|m\` (patterns run on a linear-time engine, RE2: no look-around or back-references)`,
      `${F}:62:9: customRules[6].id: rule id "multi-az" is already taken by a built-in rule or a plugin; choose another id`,
      `${F}:71:5: customRules[7] is missing required key "title"`,
      `${F}:81:15: customRules[8].severity must be one of critical, high, medium, low, info; got "urgent"`,
      `${F}:93:14: customRules[9].appliesTo.roles: roles filter DB instances, but kinds does not list db-instance`,
      `${F}:107:9: customRules[11].id: rule "sound-rule" is defined twice (first at ${F}:98)`,
      `${F}:123:27: customRules[12].condition.greaterThanOrEqual: greaterThanOrEqual compares numbers or versions; "seven" is neither (write 7, or a version such as "15.4")`,
    ]);
    expect(rules.errors.every((e) => e.kind === "policy")).toBe(true);
  });

  it("drops each faulty rule and keeps the sound one (its first definition), with the built-in rules", () => {
    expect(rules.policy.customRules.map((r) => r.id)).toEqual(["sound-rule"]);
    const sound = rules.rules.filter((r) => r.meta.id === "sound-rule");
    expect(sound).toHaveLength(1);
    expect(sound[0]?.meta.title).toBe("The one sound rule");
    expect(sound[0]?.meta.definedIn).toEqual({ kind: "policy", file: F, line: 98, column: 5 });
    // "multi-az" is still the built-in rule.
    expect(rules.rules.find((r) => r.meta.id === "multi-az")?.meta.definedIn).toBeUndefined();
    const j = judge(rules, scan("standalone.yaml"));
    expect(show(byResource(j, "sound-rule").MysqlDefaults)).toBe("fail MultiAZ 44:3");
  });

  it("a policy without a problem in customRules loads none of these errors", async () => {
    expect((await ruleSet("operators.yaml")).errors).toEqual([]);
  });
});
