/** Small hand-built models and fake rules, so engine and policy tests do not depend on the scanners or real rules. */
import type { DbCluster, DbInstance, Model, ModelResource, SourceLocation } from "../../src/model/types.js";
import { emptyPolicy } from "../../src/policy/load.js";
import type { Policy } from "../../src/policy/types.js";
import type { Rule, RuleMeta, RuleResult } from "../../src/rules/types.js";

const absent = <T>(value: T | undefined) => ({ state: "absent" as const, default: value, defaultSource: "test" });

export function loc(file: string, line: number, column = 3): SourceLocation {
  return { file, line, column };
}

export function instance(id: string, overrides: Partial<DbInstance> = {}): DbInstance {
  return {
    id,
    kind: "db-instance",
    name: id,
    origin: { source: "template", file: "templates/db.yaml", logicalId: id, cfnType: "AWS::RDS::DBInstance" },
    loc: loc("templates/db.yaml", 10),
    tags: {},
    suppressions: [],
    role: "standalone",
    engine: { state: "known", value: "postgres", origin: { kind: "literal" } },
    engineVersion: absent<string>(undefined),
    dbInstanceClass: { state: "known", value: "db.r6g.large", origin: { kind: "literal" } },
    storageEncrypted: absent(false),
    kmsKeyId: absent<string>(undefined),
    backupRetentionPeriod: absent(1),
    deletionProtection: absent(false),
    iamAuth: absent(false),
    multiAZ: absent(false),
    availabilityZone: absent<string>(undefined),
    caCertificateIdentifier: absent("rds-ca-rsa2048-g1"),
    dbClusterIdentifier: absent<string>(undefined),
    sourceDbInstanceIdentifier: absent<string>(undefined),
    snapshotIdentifier: absent<string>(undefined),
    dbInstanceIdentifier: absent<string>(undefined),
    preferredBackupWindow: absent<string>(undefined),
    preferredMaintenanceWindow: absent<string>(undefined),
    publiclyAccessible: absent<boolean>(undefined),
    autoMinorVersionUpgrade: absent(true),
    engineLifecycleSupport: absent("open-source-rds-extended-support"),
    dbParameterGroupName: absent<string>(undefined),
    dbSubnetGroupName: absent<string>(undefined),
    ...overrides,
  };
}

export function cluster(id: string, overrides: Partial<DbCluster> = {}): DbCluster {
  return {
    id,
    kind: "db-cluster",
    name: id,
    origin: { source: "template", file: "templates/db.yaml", logicalId: id, cfnType: "AWS::RDS::DBCluster" },
    loc: loc("templates/db.yaml", 3),
    tags: {},
    suppressions: [],
    engine: { state: "known", value: "aurora-postgresql", origin: { kind: "literal" } },
    engineVersion: absent<string>(undefined),
    engineMode: absent("provisioned"),
    dbClusterInstanceClass: absent<string>(undefined),
    storageEncrypted: absent(true),
    kmsKeyId: absent<string>(undefined),
    backupRetentionPeriod: absent(1),
    deletionProtection: absent(false),
    iamAuth: absent(false),
    serverlessV2MinCapacity: absent<number>(undefined),
    serverlessV2MaxCapacity: absent<number>(undefined),
    availabilityZones: absent<string[]>(undefined),
    snapshotIdentifier: absent<string>(undefined),
    sourceDbClusterIdentifier: absent<string>(undefined),
    replicationSourceIdentifier: absent<string>(undefined),
    globalClusterIdentifier: absent<string>(undefined),
    dbClusterIdentifier: absent<string>(undefined),
    preferredBackupWindow: absent<string>(undefined),
    preferredMaintenanceWindow: absent<string>(undefined),
    autoMinorVersionUpgrade: absent(true),
    publiclyAccessible: absent<boolean>(undefined),
    engineLifecycleSupport: absent("open-source-rds-extended-support"),
    dbClusterParameterGroupName: absent<string>(undefined),
    dbSubnetGroupName: absent<string>(undefined),
    memberIds: [],
    ...overrides,
  };
}

export function templateModel(file: string, resources: ModelResource[], extra: Partial<Model> = {}): Model {
  return { source: "template", file, resources: new Map(resources.map((r) => [r.id, r])), ...extra };
}

export function liveModel(account: string, region: string, resources: ModelResource[]): Model {
  return { source: "live", account, region, resources: new Map(resources.map((r) => [r.id, r])) };
}

export function liveInstance(name: string, account: string, overrides: Partial<DbInstance> = {}): DbInstance {
  const arn = `arn:aws:rds:eu-west-1:${account}:db:${name}`;
  return instance(arn, {
    name,
    origin: { source: "live", arn, account, region: "eu-west-1" },
    ...overrides,
  });
}

export function fakeMeta(id: string, overrides: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    title: `Fake rule ${id}`,
    severity: "high",
    description: `Judges ${id}.`,
    rationale: "Because tests need it.",
    remediation: { text: "Fix it.", snippet: "Properties:\n  Fixed: true\n" },
    parameters: [],
    references: { securityHub: [], awsConfig: [], checkov: [], cfnNag: [], cfnGuard: [], cdkNag: [] },
    appliesTo: ["db-instance"],
    tags: [],
    sources: [],
    ...overrides,
  };
}

/** A rule whose verdicts come from a function of the resource and context. */
export function fakeRule(meta: RuleMeta, evaluate: Rule["evaluate"]): Rule {
  return { meta, evaluate };
}

/** A rule that always returns the given results. */
export function constantRule(id: string, results: RuleResult[], overrides: Partial<RuleMeta> = {}): Rule {
  return fakeRule(fakeMeta(id, overrides), () => results);
}

export function policyWith(overrides: Partial<Policy>): Policy {
  return { ...emptyPolicy(), ...overrides };
}
