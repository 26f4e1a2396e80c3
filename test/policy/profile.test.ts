import { describe, expect, it } from "vitest";
import type { Model, ModelResource } from "../../src/model/types.js";
import { effectiveRuleSettings, profileSelector, selectProfile } from "../../src/policy/profile.js";
import type { PolicyProfile } from "../../src/policy/types.js";
import { cluster, fakeMeta, instance, liveInstance, liveModel, policyWith, templateModel } from "../engine/helpers.js";

const profiles: PolicyProfile[] = [
  { name: "production", match: { tags: { environment: ["prod", "production"] }, stackNames: ["*-prod"] }, rules: {} },
  { name: "shared", match: { accounts: ["012345678901"] }, rules: {} },
  { name: "development", match: { paths: ["dev/**", "**/*.dev.yaml"] }, rules: {} },
];
const policy = policyWith({ profiles });

describe("selectProfile", () => {
  it("selects by tag value, comparing tag keys and values without case", () => {
    const db = instance("Db", { tags: { Environment: "PROD" } });
    expect(selectProfile(policy, db, templateModel("a.yaml", [db]))).toBe("production");
    const db2 = instance("Db", { tags: { environment: "production" } });
    expect(selectProfile(policy, db2, templateModel("a.yaml", [db2]))).toBe("production");
    const db3 = instance("Db", { tags: { environment: "preprod" } });
    expect(selectProfile(policy, db3, templateModel("a.yaml", [db3]))).toBe("default");
  });

  it("lets an Aurora member take its cluster's tags", () => {
    const c = cluster("Cluster", { tags: { environment: "prod" }, memberIds: ["Writer"] });
    const writer = instance("Writer", { role: "aurora-member", clusterId: "Cluster" });
    expect(selectProfile(policy, writer, templateModel("a.yaml", [c, writer]))).toBe("production");
  });

  it("selects by stack name glob (model, live tags, or the stackTemplates mapping of the file)", () => {
    const db = instance("Db");
    expect(selectProfile(policy, db, templateModel("a.yaml", [db], { stackName: "orders-prod" }))).toBe("production");
    expect(selectProfile(policy, db, templateModel("a.yaml", [db], { stackName: "orders-dev" }))).toBe("default");

    const live = liveInstance("orders", "111111111111", {
      origin: { source: "live", arn: "arn:x", account: "111111111111", stackName: "billing-prod" },
    });
    expect(selectProfile(policy, live, liveModel("111111111111", "eu-west-1", [live]))).toBe("production");

    const mapped = policyWith({ profiles, stackTemplates: { "payments-prod": "stacks/payments.yaml" } });
    const t = instance("Db", { origin: { source: "template", file: "stacks/payments.yaml", logicalId: "Db" } });
    expect(selectProfile(mapped, t, templateModel("stacks/payments.yaml", [t]))).toBe("production");
  });

  it("selects by account id", () => {
    const db = liveInstance("orders", "012345678901");
    expect(selectProfile(policy, db, liveModel("012345678901", "eu-west-1", [db]))).toBe("shared");
    const other = liveInstance("orders", "999999999999");
    expect(selectProfile(policy, other, liveModel("999999999999", "eu-west-1", [other]))).toBe("default");
  });

  it("selects by file path glob, for templates and for live stacks mapped to a file", () => {
    const at = (file: string) => {
      const db = instance("Db", { origin: { source: "template", file, logicalId: "Db" } });
      return selectProfile(policy, db, templateModel(file, [db]));
    };
    expect(at("dev/db.yaml")).toBe("development");
    expect(at("dev/nested/db.yaml")).toBe("development");
    expect(at("./dev/db.yaml")).toBe("development");
    expect(at("stacks/orders.dev.yaml")).toBe("development");
    expect(at("stacks/orders.yaml")).toBe("default");

    const mapped = policyWith({ profiles, stackTemplates: { sandbox: "dev/sandbox.yaml" } });
    const live = liveInstance("sbx", "111111111111", {
      origin: { source: "live", arn: "arn:y", account: "111111111111", stackName: "sandbox" },
    });
    expect(selectProfile(mapped, live, liveModel("111111111111", "eu-west-1", [live]))).toBe("development");
  });

  it("takes the first matching profile in order, and defaultProfile when none matches", () => {
    const db = instance("Db", {
      tags: { environment: "prod" },
      origin: { source: "template", file: "dev/db.yaml", logicalId: "Db" },
    });
    expect(selectProfile(policy, db, templateModel("dev/db.yaml", [db]))).toBe("production");
    const reordered = policyWith({ profiles: [...profiles].reverse() });
    expect(selectProfile(reordered, db, templateModel("dev/db.yaml", [db]))).toBe("development");

    const plain = instance("Plain");
    const strictDefault = policyWith({ profiles, defaultProfile: "production" });
    expect(selectProfile(strictDefault, plain, templateModel("x.yaml", [plain]))).toBe("production");
  });
});

describe("effectiveRuleSettings", () => {
  const meta = fakeMeta("instance-class", {
    severity: "medium",
    parameters: [
      { name: "allowBurstable", type: "boolean", default: true, description: "" },
      { name: "deprecatedFamilies", type: "string[]", default: ["db.m1"], description: "" },
    ],
  });

  it("starts from the rule's defaults", () => {
    expect(effectiveRuleSettings(policyWith({}), meta, "default")).toEqual({
      enabled: true,
      severity: "medium",
      params: { allowBurstable: true, deprecatedFamilies: ["db.m1"] },
    });
  });

  it("layers the policy's rules, then the profile's overrides", () => {
    const p = policyWith({
      rules: { "instance-class": { severity: "high", parameters: { deprecatedFamilies: ["db.m1", "db.m3"] } } },
      profiles: [
        {
          name: "production",
          rules: { "instance-class": { parameters: { allowBurstable: false }, severity: "critical" } },
        },
        { name: "development", rules: { "instance-class": { enabled: false } } },
      ],
    });
    expect(effectiveRuleSettings(p, meta, "default")).toEqual({
      enabled: true,
      severity: "high",
      params: { allowBurstable: true, deprecatedFamilies: ["db.m1", "db.m3"] },
    });
    expect(effectiveRuleSettings(p, meta, "production")).toEqual({
      enabled: true,
      severity: "critical",
      params: { allowBurstable: false, deprecatedFamilies: ["db.m1", "db.m3"] },
    });
    expect(effectiveRuleSettings(p, meta, "development").enabled).toBe(false);
  });
});

describe("selectProfile for KMS keys", () => {
  const key = {
    id: "DbKey",
    kind: "kms-key" as const,
    name: "DbKey",
    origin: { source: "template" as const, file: "t.yaml", logicalId: "DbKey" },
    tags: {},
    suppressions: [],
    keyId: "DbKey",
    enabled: { state: "absent" as const, default: true, defaultSource: "test" },
    rotationEnabled: { state: "absent" as const, default: false, defaultSource: "test" },
    keyManager: { state: "known" as const, value: "CUSTOMER" as const, origin: { kind: "literal" as const } },
    aliases: [],
  };
  const ref = { state: "known" as const, value: "DbKey", origin: { kind: "literal" as const }, refersTo: "DbKey" };

  it("takes the profile of a database that uses the key", () => {
    const c = cluster("Cluster", { tags: { environment: "prod" }, kmsKeyId: ref });
    expect(selectProfile(policy, key, templateModel("t.yaml", [key, c]))).toBe("production");
  });

  it("prefers the earlier profile when databases of several profiles share the key, and default when unused", () => {
    const dev = instance("DevDb", {
      kmsKeyId: ref,
      origin: { source: "template", file: "dev/x.yaml", logicalId: "DevDb" },
    });
    const prod = instance("ProdDb", { tags: { environment: "prod" }, kmsKeyId: ref });
    expect(selectProfile(policy, key, templateModel("t.yaml", [key, dev, prod]))).toBe("production");
    expect(selectProfile(policy, key, templateModel("t.yaml", [key]))).toBe("default");
  });
});

describe("profileSelector (selectProfile remembered per place and per tag set)", () => {
  it("gives what selectProfile gives for every resource, however many share a file, tags or a key", () => {
    const select = profileSelector(policy);
    const ref = { state: "known" as const, value: "K", origin: { kind: "literal" as const }, refersTo: "K" };
    const key = (id: string) => ({
      id,
      kind: "kms-key" as const,
      name: id,
      origin: { source: "template" as const, file: "t.yaml", logicalId: id },
      tags: {},
      suppressions: [],
      keyId: id,
      enabled: { state: "absent" as const, default: true, defaultSource: "test" },
      rotationEnabled: { state: "absent" as const, default: false, defaultSource: "test" },
      keyManager: { state: "known" as const, value: "CUSTOMER" as const, origin: { kind: "literal" as const } },
      aliases: [],
    });
    const prodCluster = cluster("Prod", { tags: { environment: "prod" }, memberIds: ["Writer"], kmsKeyId: ref });
    const writer = instance("Writer", { role: "aurora-member", clusterId: "Prod" });
    const plain = instance("Plain");
    const preprod = instance("Preprod", { tags: { environment: "preprod" } });
    // Tags no profile matches on (Name) do not decide; a key that differs only in case does.
    const namedProd = instance("NamedProd", { tags: { Name: "a", Environment: "PROD" } });
    const named = instance("Named", { tags: { Name: "b" } });
    const used = key("K");
    const unused = key("Unused");
    const inT = templateModel("t.yaml", [prodCluster, writer, plain, preprod, namedProd, named, used, unused]);
    const dev = instance("Plain", { origin: { source: "template", file: "dev/t.yaml", logicalId: "Plain" } });
    const inDev = templateModel("dev/t.yaml", [dev]);
    const inStack = templateModel("t.yaml", [plain], { stackName: "orders-prod" });
    // Tags already seen in t.yaml (where they matched nothing) meet a place that matches, and the other way round.
    const devPreprod = instance("Preprod", {
      tags: { environment: "preprod" },
      origin: { source: "template", file: "dev/t.yaml", logicalId: "Preprod" },
    });
    const devProd = instance("Prod", {
      tags: { environment: "prod" },
      origin: { source: "template", file: "dev/t.yaml", logicalId: "Prod" },
    });
    const inDevToo = templateModel("dev/t.yaml", [devPreprod, devProd]);
    const shared = liveInstance("orders", "012345678901", { tags: { environment: "preprod" } });
    const other = liveInstance("orders", "111111111111", { tags: { environment: "preprod" } });
    const cases: Array<[ModelResource, Model, string]> = [
      [prodCluster, inT, "production"],
      [writer, inT, "production"],
      [plain, inT, "default"],
      [preprod, inT, "default"],
      [namedProd, inT, "production"],
      [named, inT, "default"],
      [used, inT, "production"],
      [unused, inT, "default"],
      [dev, inDev, "development"],
      [plain, inStack, "production"],
      [devPreprod, inDevToo, "development"],
      [devProd, inDevToo, "production"],
      [shared, liveModel("012345678901", "eu-west-1", [shared]), "shared"],
      [other, liveModel("111111111111", "eu-west-1", [other]), "default"],
    ];
    // Twice over: the second pass is answered from what the first remembered.
    for (const [resource, model, expected] of [...cases, ...cases]) {
      expect(select(resource, model), resource.id).toBe(expected);
      expect(selectProfile(policy, resource, model), resource.id).toBe(expected);
    }
  });
});
