import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Attr, DbInstance, Model } from "../../src/model/types.js";
import { scanTemplateText } from "../../src/scanners/template/index.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/templates/${name}`, import.meta.url), "utf8");

function model(name: string, options: Parameters<typeof scanTemplateText>[2] = {}): Model {
  const result = scanTemplateText(fixture(name), `test/${name}`, options);
  if (!result.model) throw new Error(`no model: ${JSON.stringify(result.error)}`);
  return result.model;
}

function instance(m: Model, id: string): DbInstance {
  const r = m.resources.get(id);
  if (r?.kind !== "db-instance") throw new Error(`${id} is not an instance`);
  return r;
}

/** Strips locations so assertions read as the semantics. */
function shape(attr: Attr<unknown>): unknown {
  switch (attr.state) {
    case "known":
      return { known: attr.value, origin: attr.origin };
    case "absent":
      return { absent: attr.default };
    case "unknown":
      return { unknown: attr.reason };
    case "conditional":
      return { conditional: attr.alternatives.map((a) => ({ when: a.when, value: shape(a.attr) })) };
  }
}

// The YAML template and its JSON twin must give the same model (positions aside).
describe.each(["intrinsics.yaml", "intrinsics.json"])("intrinsics in %s", (name) => {
  const m = model(name);
  const app = instance(m, "AppDb");

  it("resolves Ref to a parameter default and says so", () => {
    expect(shape(app.storageEncrypted)).toEqual({
      known: true,
      origin: { kind: "parameter-default", parameter: "EncryptStorage" },
    });
  });

  it("prefers a user-supplied parameter value", () => {
    const user = instance(model(name, { parameters: { EncryptStorage: "false" } }), "AppDb");
    expect(shape(user.storageEncrypted)).toEqual({
      known: false,
      origin: { kind: "user-parameter", parameter: "EncryptStorage" },
    });
  });

  it("resolves Fn::FindInMap through a parameter", () => {
    expect(shape(app.backupRetentionPeriod)).toEqual({
      known: 3,
      origin: { kind: "parameter-default", parameter: "Environment" },
    });
    const prod = instance(model(name, { parameters: { Environment: "prod" } }), "AppDb");
    expect(shape(prod.backupRetentionPeriod)).toEqual({
      known: 35,
      origin: { kind: "user-parameter", parameter: "Environment" },
    });
  });

  it("selects from a CommaDelimitedList and joins strings", () => {
    expect(shape(app.dbInstanceClass)).toMatchObject({ known: "db.r6g.xlarge" });
    expect(shape(app.dbInstanceIdentifier)).toMatchObject({ known: "app-staging-db" });
  });

  it("evaluates nested Fn::If, forking only on the undecidable condition", () => {
    // IsProd is false (Environment defaults to staging); IsGold depends on Tier, which has no default.
    expect(shape(app.multiAZ)).toEqual({
      conditional: [
        { when: { IsGold: true }, value: { known: true, origin: { kind: "literal" } } },
        { when: { IsGold: false }, value: { known: false, origin: { kind: "literal" } } },
      ],
    });
    const prod = instance(model(name, { parameters: { Environment: "prod" } }), "AppDb");
    expect(shape(prod.multiAZ)).toEqual({ known: true, origin: { kind: "literal" } });
  });

  it("decides Fn::Or / Fn::And when one operand settles them, forks otherwise", () => {
    expect(shape(app.deletionProtection)).toMatchObject({
      conditional: [{ when: { IsProdOrGold: true } }, { when: { IsProdOrGold: false } }],
    });
    // IsProdAndGold is false because IsProd is false: the AWS::NoValue branch removes the property.
    expect(shape(app.iamAuth)).toEqual({ absent: false });
    const gold = instance(model(name, { parameters: { Tier: "gold" } }), "AppDb");
    expect(shape(gold.deletionProtection)).toEqual({ known: true, origin: { kind: "literal" } });
  });

  it("treats SSM parameters, Fn::ImportValue and Fn::GetAZs as unknown with a reason", () => {
    expect(shape(app.engineVersion)).toEqual({
      unknown: "parameter LatestEngine is read from SSM Parameter Store at deployment",
    });
    expect(shape(app.kmsKeyId)).toEqual({
      unknown: "Fn::ImportValue: exported by another stack, known only at deployment",
    });
    expect(app.availabilityZone.state).toBe("unknown");
  });

  it("substitutes pseudo parameters only when given", () => {
    expect(shape(app.caCertificateIdentifier)).toEqual({ unknown: "AWS::Region is not known (give --region)" });
    const withRegion = instance(model(name, { region: "eu-west-1" }), "AppDb");
    expect(shape(withRegion.caCertificateIdentifier)).toEqual({
      known: "rds-ca-eu-west-1",
      origin: { kind: "pseudo-parameter", parameter: "AWS::Region" },
    });
  });

  it("leaves out a resource whose Condition is false and keeps one whose Condition is undecidable", () => {
    expect(m.resources.has("ProdOnlyDb")).toBe(false);
    expect(model(name, { parameters: { Environment: "prod" } }).resources.get("ProdOnlyDb")?.condition).toEqual({
      name: "IsProd",
      value: true,
    });
    const gold = instance(m, "MaybeGoldDb");
    expect(gold.condition).toEqual({ name: "IsGold", value: "unknown" });
    // Inside a resource that exists only when IsGold holds, Fn::If on IsGold takes the true branch.
    expect(shape(gold.multiAZ)).toEqual({ known: true, origin: { kind: "literal" } });
    expect(shape(gold.storageEncrypted)).toEqual({ known: false, origin: { kind: "literal" } });
  });

  it("never carries the master password into the model", () => {
    expect(JSON.stringify([...m.resources.values()])).not.toContain("prod/app-db");
  });
});

describe("exact positions", () => {
  const yaml = model("intrinsics.yaml");
  const json = model("intrinsics.json");

  it("points at the value as written, in YAML and in JSON", () => {
    expect(instance(yaml, "AppDb").storageEncrypted.loc).toEqual({
      file: "test/intrinsics.yaml",
      line: 42,
      column: 25,
    });
    expect(instance(json, "AppDb").storageEncrypted.loc).toEqual({
      file: "test/intrinsics.json",
      line: 100,
      column: 29,
    });
    expect(instance(yaml, "AppDb").multiAZ.loc).toEqual({ file: "test/intrinsics.yaml", line: 44, column: 35 }); // the inner !If [IsGold, ...]: IsProd is decided
    expect(instance(json, "AppDb").multiAZ.loc).toMatchObject({ line: 116, column: 13 });
    // Each alternative points at its own branch: the `false` that fails when IsGold is false.
    const multiAZ = instance(yaml, "AppDb").multiAZ;
    expect(multiAZ.state === "conditional" && multiAZ.alternatives[1]?.attr.loc).toEqual({
      file: "test/intrinsics.yaml",
      line: 44,
      column: 54,
    });
  });

  it("points at the resource when the property is missing", () => {
    const y = instance(yaml, "MaybeGoldDb");
    const j = instance(json, "MaybeGoldDb");
    expect(y.loc).toEqual({ file: "test/intrinsics.yaml", line: 62, column: 3 });
    expect(y.backupRetentionPeriod).toMatchObject({ state: "absent", default: 1, loc: { line: 62, column: 3 } });
    expect(j.loc).toEqual({ file: "test/intrinsics.json", line: 192, column: 5 });
    expect(j.backupRetentionPeriod).toMatchObject({ state: "absent", default: 1, loc: { line: 192, column: 5 } });
  });

  it("points at the property's key when AWS::NoValue removes it", () => {
    expect(instance(yaml, "AppDb").iamAuth.loc).toEqual({ file: "test/intrinsics.yaml", line: 46, column: 7 });
    expect(instance(json, "AppDb").iamAuth.loc).toMatchObject({ line: 132, column: 9 });
  });
});

describe("Fn::Sub", () => {
  const template = (sub: string) =>
    `Parameters:\n  Env:\n    Type: String\n    Default: prod\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBInstanceIdentifier: ${sub}\n`;
  const identifier = (sub: string, options = {}) => {
    const m = scanTemplateText(template(sub), "sub.yaml", options).model as Model;
    return shape(instance(m, "Db").dbInstanceIdentifier);
  };

  it("substitutes parameters, a variable map and ${!Literal}", () => {
    expect(identifier('!Sub "orders-${Env}"')).toEqual({
      known: "orders-prod",
      origin: { kind: "parameter-default", parameter: "Env" },
    });
    expect(identifier('!Sub ["${Name}-${!Keep}", {Name: Orders}]')).toMatchObject({ known: "orders-${keep}" }); // identifiers are lower-cased, as RDS stores them
  });

  it("is unknown when it names a resource attribute or an unknown pseudo parameter", () => {
    expect(identifier('!Sub "${Other.Endpoint.Address}"')).toEqual({
      unknown: "Fn::Sub ${Other.Endpoint.Address} is known only after deployment",
    });
    expect(identifier('!Sub "${AWS::AccountId}-db"')).toEqual({
      unknown: "AWS::AccountId is not known (give --account-id)",
    });
    expect(identifier('!Sub "${AWS::AccountId}-db"', { accountId: "123456789012" })).toMatchObject({
      known: "123456789012-db",
    });
  });
});

describe("AllowedValues of a parameter without a value", () => {
  const template = (allowed: string) => `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Environment:
    Type: String
    AllowedValues: [${allowed}]
  Tier:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
  IsProdOrTier: !Or [!Condition IsProd, !Equals [!Ref Tier, gold]]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MultiAZ: !If [IsProd, true, false]
      StorageEncrypted: !If [IsProdOrTier, true, false]
`;
  const db = (allowed: string) => {
    const m = scanTemplateText(template(allowed), "t.yaml").model;
    if (!m) throw new Error("no model");
    return instance(m, "Db");
  };

  it("decides a condition that every allowed value answers the same way", () => {
    expect(shape(db("dev, staging").multiAZ)).toEqual({ known: false, origin: { kind: "literal" } });
  });

  it("keeps both alternatives when the allowed values disagree", () => {
    expect(db("dev, prod").multiAZ.state).toBe("conditional");
  });

  it("stays undecided when another parameter without AllowedValues matters", () => {
    expect(db("dev, staging").storageEncrypted.state).toBe("conditional");
  });
});
