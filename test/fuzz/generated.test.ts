/**
 * Property-based fuzzing (fast-check) over generated templates, policies and parameter files: every input keeps
 * the invariants of harness.ts. A fixed seed in CI (FUZZ_SEED and FUZZ_RUNS_SCALE to vary: npm run fuzz).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadRuleSet, type RuleSet } from "../../src/engine/report.js";
import { loadParameterFile } from "../../src/scanners/template/parameters.js";
import {
  describeStats,
  fuzzSettings,
  judgeText,
  loadPolicyText,
  newStats,
  SENTINEL,
  SENTINEL_GIVEN,
} from "./harness.js";

const { seed } = fuzzSettings(0);
const scale = Number(process.env.FUZZ_RUNS_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * (Number.isFinite(scale) ? scale : 1)));

const PARAMS = ["P0", "P1", "P2"];
const CONDS = ["C0", "C1", "C2"];
const RESOURCES = ["R0", "R1", "R2", "R3"];

const scalar = fc.oneof(
  fc.boolean(),
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom(
    "true",
    "false",
    "postgres",
    "aurora-postgresql",
    "aurora-mysql",
    "mysql",
    "db.r7g.large",
    "db.t3.micro",
    "db.serverless",
    "Snapshot",
    "Delete",
    "Retain",
    "",
    "15.4",
    "8.0.mysql_aurora.3.05.2",
    "rds-ca-rsa2048-g1",
    "alias/aws/rds",
    "arn:aws:kms:us-east-1:111111111111:key/abc",
  ),
  fc.string({ maxLength: 12 }),
);

const { value } = fc.letrec<{ value: unknown; intrinsic: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    scalar,
    scalar,
    tie("intrinsic"),
    fc.array(tie("value"), { maxLength: 3 }),
  ),
  intrinsic: fc.oneof(
    fc.record({ Ref: fc.constantFrom(...PARAMS, ...RESOURCES, "AWS::Region", "AWS::NoValue", "Nope") }),
    fc.record({ "Fn::If": fc.tuple(fc.constantFrom(...CONDS), tie("value"), tie("value")) }),
    fc.record({ "Fn::Sub": fc.oneof(fc.string({ maxLength: 12 }), fc.constant("${P0}-${AWS::Region}")) }),
    fc.record({ "Fn::Join": fc.tuple(fc.constantFrom("", "-"), fc.array(tie("value"), { maxLength: 3 })) }),
    fc.record({ "Fn::GetAtt": fc.tuple(fc.constantFrom(...RESOURCES), fc.constantFrom("Arn", "Endpoint.Address")) }),
    fc.record({ "Fn::ImportValue": fc.string({ maxLength: 8 }) }),
    fc.record({ "Fn::Select": fc.tuple(fc.integer({ min: -1, max: 3 }), tie("value")) }),
    fc.record({ "Fn::FindInMap": fc.tuple(fc.constant("M"), fc.constantFrom("a", "b"), fc.constantFrom("x", "y")) }),
    fc.record({ "Fn::Equals": fc.tuple(tie("value"), tie("value")) }),
  ),
}));

const PROPERTIES = [
  "Engine",
  "EngineVersion",
  "DBInstanceClass",
  "StorageEncrypted",
  "KmsKeyId",
  "BackupRetentionPeriod",
  "DeletionProtection",
  "EnableIAMDatabaseAuthentication",
  "MultiAZ",
  "DBClusterIdentifier",
  "SourceDBInstanceIdentifier",
  "GlobalClusterIdentifier",
  "CACertificateIdentifier",
  "PubliclyAccessible",
  "Tags",
  "EnableKeyRotation",
  "TargetKeyId",
  "AliasName",
  "ServerlessV2ScalingConfiguration",
];

const resource = fc.record(
  {
    Type: fc.constantFrom(
      "AWS::RDS::DBInstance",
      "AWS::RDS::DBCluster",
      "AWS::RDS::GlobalCluster",
      "AWS::KMS::Key",
      "AWS::KMS::Alias",
      "AWS::S3::Bucket",
    ),
    Properties: fc.dictionary(fc.constantFrom(...PROPERTIES), value, { maxKeys: 6 }),
    Condition: fc.constantFrom(...CONDS),
    DeletionPolicy: fc.constantFrom("Snapshot", "Delete", "Retain", 7),
    UpdateReplacePolicy: fc.constantFrom("Snapshot", "Delete"),
  },
  { requiredKeys: ["Type"] },
);

const parameter = fc.record(
  {
    Type: fc.constantFrom("String", "Number", "CommaDelimitedList", "AWS::SSM::Parameter::Value<String>"),
    NoEcho: fc.constantFrom(true, "true", false),
    Default: scalar,
  },
  { requiredKeys: ["Type"] },
);

/** Conditions refer only to earlier ones: a cycle is parse's to reject (see the report), not this suite's. */
const conditions = fc.tuple(
  fc.record({ "Fn::Equals": fc.tuple(value, value) }),
  fc.oneof(
    fc.record({ "Fn::Not": fc.tuple(fc.record({ Condition: fc.constant("C0") })) }),
    fc.record({ "Fn::Equals": fc.tuple(value, value) }),
  ),
  fc.record({
    "Fn::Or": fc.tuple(fc.record({ Condition: fc.constant("C0") }), fc.record({ Condition: fc.constant("C1") })),
  }),
);

const template = fc
  .record({
    params: fc.tuple(parameter, parameter, parameter),
    conds: conditions,
    resources: fc.array(resource, { minLength: 1, maxLength: 4 }),
    passwordFromParam: fc.boolean(),
    format: fc.constantFrom("json", "json-compact", "yaml"),
  })
  .map(({ params, conds, resources, passwordFromParam, format }) => {
    const doc = {
      AWSTemplateFormatVersion: "2010-09-09",
      Parameters: Object.fromEntries(
        params.map((p, i) => [PARAMS[i], p.NoEcho === true || p.NoEcho === "true" ? { ...p, Default: SENTINEL } : p]),
      ),
      Mappings: { M: { a: { x: "1", y: "db.r7g.large" }, b: { x: "35" } } },
      Conditions: Object.fromEntries(conds.map((c, i) => [CONDS[i], c])),
      Resources: Object.fromEntries(
        resources.map((r, i) => [
          RESOURCES[i],
          r.Type.startsWith("AWS::RDS::D")
            ? {
                ...r,
                Properties: { ...r.Properties, MasterUserPassword: passwordFromParam ? { Ref: "P0" } : SENTINEL },
              }
            : r,
        ]),
      ),
    };
    const text =
      format === "yaml" ? stringify(doc) : format === "json" ? JSON.stringify(doc, null, 2) : JSON.stringify(doc);
    const noEcho = params.flatMap((p, i) => (p.NoEcho === true || p.NoEcho === "true" ? [PARAMS[i] as string] : []));
    return { text, file: `generated.${format === "yaml" ? "yaml" : "json"}`, noEcho };
  });

let builtin: RuleSet;
const stats = newStats();
const tmp = mkdtempSync(path.join(tmpdir(), "rdsguard-fuzz-"));
beforeAll(async () => {
  builtin = await loadRuleSet({ cwd: process.cwd() });
});
afterAll(() => {
  console.log(describeStats("generated", stats));
  rmSync(tmp, { recursive: true, force: true });
});

describe("generated templates", () => {
  it("keep every invariant, with and without --parameter values", () => {
    fc.assert(
      fc.property(template, fc.boolean(), ({ text, file, noEcho }, give) => {
        // Values given on the command line for the NoEcho parameters are secrets too.
        const parameters = give ? Object.fromEntries(noEcho.map((name) => [name, SENTINEL_GIVEN])) : {};
        const { problems } = judgeText(text, file, builtin, stats, parameters);
        expect(problems, text.slice(0, 3000)).toEqual([]);
      }),
      { seed, numRuns: runs(250) },
    );
  });
});

const policyText = fc
  .record(
    {
      version: fc.constantFrom(1, 2, "1", null),
      defaultProfile: fc.constantFrom("default", "production", "nope", 3),
      rules: fc.dictionary(
        fc.constantFrom("storage-encrypted", "backup-retention", "multi-az", "nope", "deletion-protection"),
        fc.record(
          {
            enabled: fc.oneof(fc.boolean(), fc.constant("yes")),
            severity: fc.constantFrom("critical", "high", "low", "bogus"),
            parameters: fc.dictionary(fc.constantFrom("minimumDays", "x"), scalar, { maxKeys: 2 }),
          },
          { requiredKeys: [] },
        ),
        { maxKeys: 3 },
      ),
      customRules: fc.array(
        fc.record({
          id: fc.constantFrom("my-rule", "Bad Id", "storage-encrypted", "other-rule"),
          title: fc.constantFrom("A rule", ""),
          severity: fc.constantFrom("low", "high", "nope"),
          appliesTo: fc.record({ kinds: fc.constantFrom(["db-instance"], ["db-cluster", "kms-key"], ["nope"]) }),
          condition: fc.oneof(
            fc.record({
              attribute: fc.constantFrom("DBInstanceClass", "Engine", "Tags.env", "Nope"),
              matches: fc.string({
                unit: fc.constantFrom(
                  "(",
                  ")",
                  "[",
                  "]",
                  "*",
                  "+",
                  "?",
                  "^",
                  "$",
                  ".",
                  "|",
                  "\\",
                  "a",
                  "{",
                  "}",
                  "1",
                  "(?=",
                ),
                maxLength: 12,
              }),
            }),
            fc.record({
              attribute: fc.constantFrom("BackupRetentionPeriod"),
              greaterThan: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
            }),
            fc.record({
              any: fc.array(fc.record({ attribute: fc.constant("MultiAZ"), equals: fc.boolean() }), { maxLength: 2 }),
            }),
          ),
        }),
        { maxLength: 2 },
      ),
      waivers: fc.array(
        fc.record({
          rule: fc.constantFrom("storage-encrypted", "nope"),
          resource: fc.constantFrom("R0", "*"),
          reason: fc.constantFrom("because", ""),
          expires: fc.constantFrom("2027-01-01", "tomorrow", "2020-02-30"),
        }),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: ["version"] },
  )
  .chain((doc) =>
    fc.constantFrom(
      stringify(doc),
      `${stringify(doc)}\nextra: [unclosed`,
      `anchors: &a {k: v}\n${Array.from({ length: 120 }, (_, i) => `x${i}: *a`).join("\n")}\n${stringify(doc)}`,
    ),
  );

describe("generated policies", () => {
  it("load without throwing, every error located, and judge a template", async () => {
    const target =
      '{"Resources":{"R0":{"Type":"AWS::RDS::DBInstance","Properties":{"Engine":"postgres","DBInstanceClass":"db.r7g.large","MasterUserPassword":"' +
      SENTINEL +
      '"}}}}';
    await fc.assert(
      fc.asyncProperty(policyText, async (text) => {
        const { ruleSet, problems } = await loadPolicyText(text);
        expect(problems, text).toEqual([]);
        if (ruleSet) expect(judgeText(target, "t.json", ruleSet, stats).problems, text).toEqual([]);
      }),
      { seed, numRuns: runs(40) },
    );
  });
});

const parameterFile = fc.oneof(
  fc
    .array(
      fc.record({
        ParameterKey: fc.oneof(fc.constantFrom("P0", "P1"), fc.string()),
        ParameterValue: fc.oneof(scalar, fc.constant(null)),
      }),
      { maxLength: 3 },
    )
    .map((a) => JSON.stringify(a, null, 1)),
  fc.dictionary(fc.string({ maxLength: 5 }), scalar).map((o) => JSON.stringify({ Parameters: o })),
  fc.json(),
  fc.string({ maxLength: 60 }),
);

describe("generated parameter files", () => {
  it("load without throwing; every error names the file, with line:col", () => {
    let n = 0;
    fc.assert(
      fc.property(parameterFile, (text) => {
        const file = path.join(tmp, `p${n++}.json`);
        writeFileSync(file, text);
        const loaded = loadParameterFile(file);
        if (loaded.error) {
          expect(loaded.error.file, text).toBeDefined();
          expect(loaded.error.line, text).toBeGreaterThanOrEqual(1);
          expect(loaded.error.column, text).toBeGreaterThanOrEqual(1);
        }
        stats.inputs++;
      }),
      { seed, numRuns: runs(150) },
    );
  });
});
