/**
 * Small builders for model objects, so rule tests state exactly the values a scanner would produce
 * (known with an origin, absent with the AWS default, unknown with a reason, conditional per assumption).
 */

import { DEFAULTS } from "../../src/model/defaults.js";
import type {
  Absent,
  Attr,
  CaCertificate,
  Conditional,
  DbCluster,
  DbInstance,
  GlobalCluster,
  KmsKey,
  Known,
  Model,
  ModelResource,
  Origin,
  Resolved,
  SourceLocation,
  Unknown,
} from "../../src/model/types.js";
import type { Rule, RuleContext, RuleResult } from "../../src/rules/types.js";

export const FILE = "stack.yaml";
export const NOW = new Date("2026-11-30T12:00:00Z");

export function at(line: number, column = 7, file = FILE): SourceLocation {
  return { file, line, column };
}

export function known<T>(value: T, loc?: SourceLocation, origin: Origin = { kind: "literal" }): Known<T> {
  return { state: "known", value, origin, ...(loc ? { loc } : {}) };
}

export function fromParamDefault<T>(value: T, parameter: string, loc?: SourceLocation): Known<T> {
  return known(value, loc, { kind: "parameter-default", parameter });
}

export function fromUserParam<T>(value: T, parameter: string, loc?: SourceLocation): Known<T> {
  return known(value, loc, { kind: "user-parameter", parameter });
}

export function live<T>(value: T, api = "DescribeDBClusters"): Known<T> {
  return known(value, undefined, { kind: "live", api });
}

export function absent<T>(def: T | undefined, source = "AWS default", loc?: SourceLocation): Absent<T> {
  return { state: "absent", default: def, defaultSource: source, ...(loc ? { loc } : {}) };
}

export function unknown(reason: string, loc?: SourceLocation, refersTo?: string): Unknown {
  return { state: "unknown", reason, ...(loc ? { loc } : {}), ...(refersTo ? { refersTo } : {}) };
}

export function importValue(name: string, loc?: SourceLocation): Unknown {
  return unknown(`Fn::ImportValue ${name} is only known at deploy time`, loc);
}

/** Fn::If on one condition. */
export function ifCond<T>(
  condition: string,
  whenTrue: Resolved<T>,
  whenFalse: Resolved<T>,
  loc?: SourceLocation,
): Conditional<T> {
  return {
    state: "conditional",
    alternatives: [
      { when: { [condition]: true }, attr: whenTrue },
      { when: { [condition]: false }, attr: whenFalse },
    ],
    ...(loc ? { loc } : {}),
  };
}

const none = <T>(): Absent<T> => absent<T>(undefined, "no AWS default");
/** The absent value the template scanner writes: the documented default and its source. */
const dflt = <T>(d: { value: T | undefined; source: string }): Absent<T> => absent<T>(d.value, d.source);

function base(id: string, loc?: SourceLocation) {
  return {
    id,
    name: id,
    origin: { source: "template" as const, file: FILE, logicalId: id },
    loc: loc ?? at(1, 3),
    tags: {},
    suppressions: [],
  };
}

export function cluster(id: string, overrides: Partial<DbCluster> = {}): DbCluster {
  return {
    ...base(id, overrides.loc),
    kind: "db-cluster",
    engine: known("aurora-postgresql"),
    engineVersion: none(),
    engineMode: dflt<string>(DEFAULTS.engineMode),
    dbClusterInstanceClass: none(),
    storageEncrypted: dflt<boolean>(DEFAULTS.auroraStorageEncrypted),
    kmsKeyId: dflt<string>(DEFAULTS.kmsKeyId),
    backupRetentionPeriod: dflt<number>(DEFAULTS.backupRetentionPeriod),
    deletionProtection: dflt<boolean>(DEFAULTS.deletionProtection),
    iamAuth: dflt<boolean>(DEFAULTS.iamAuth),
    serverlessV2MinCapacity: none(),
    serverlessV2MaxCapacity: none(),
    availabilityZones: none(),
    snapshotIdentifier: none(),
    sourceDbClusterIdentifier: none(),
    replicationSourceIdentifier: none(),
    globalClusterIdentifier: none(),
    dbClusterIdentifier: none(),
    preferredBackupWindow: dflt<string>(DEFAULTS.preferredBackupWindow),
    preferredMaintenanceWindow: dflt<string>(DEFAULTS.preferredMaintenanceWindow),
    autoMinorVersionUpgrade: dflt<boolean>(DEFAULTS.clusterAutoMinorVersionUpgrade),
    publiclyAccessible: dflt<boolean>(DEFAULTS.clusterPubliclyAccessible),
    engineLifecycleSupport: dflt<string>(DEFAULTS.engineLifecycleSupport),
    dbClusterParameterGroupName: dflt<string>(DEFAULTS.dbClusterParameterGroupName),
    dbSubnetGroupName: dflt<string>(DEFAULTS.dbSubnetGroupName),
    memberIds: [],
    deletionPolicy: dflt<string>(DEFAULTS.rdsSnapshotPolicy),
    updateReplacePolicy: dflt<string>(DEFAULTS.updateReplacePolicy),
    ...overrides,
  };
}

export function instance(id: string, overrides: Partial<DbInstance> = {}): DbInstance {
  return {
    ...base(id, overrides.loc),
    kind: "db-instance",
    role: "standalone",
    engine: known("postgres"),
    engineVersion: none(),
    dbInstanceClass: known("db.r6g.large"),
    storageEncrypted: dflt<boolean>(DEFAULTS.instanceStorageEncrypted),
    kmsKeyId: dflt<string>(DEFAULTS.kmsKeyId),
    backupRetentionPeriod: dflt<number>(DEFAULTS.backupRetentionPeriod),
    deletionProtection: dflt<boolean>(DEFAULTS.deletionProtection),
    iamAuth: dflt<boolean>(DEFAULTS.iamAuth),
    multiAZ: dflt<boolean>(DEFAULTS.multiAZ),
    availabilityZone: none(),
    caCertificateIdentifier: dflt<string>(DEFAULTS.caCertificateIdentifier),
    dbClusterIdentifier: none(),
    sourceDbInstanceIdentifier: none(),
    snapshotIdentifier: none(),
    dbInstanceIdentifier: none(),
    preferredBackupWindow: dflt<string>(DEFAULTS.preferredBackupWindow),
    preferredMaintenanceWindow: dflt<string>(DEFAULTS.preferredMaintenanceWindow),
    publiclyAccessible: dflt<boolean>(DEFAULTS.instancePubliclyAccessible),
    autoMinorVersionUpgrade: dflt<boolean>(DEFAULTS.instanceAutoMinorVersionUpgrade),
    engineLifecycleSupport: dflt<string>(DEFAULTS.engineLifecycleSupport),
    dbParameterGroupName: dflt<string>(DEFAULTS.dbParameterGroupName),
    dbSubnetGroupName: dflt<string>(DEFAULTS.dbSubnetGroupName),
    deletionPolicy: dflt<string>(DEFAULTS.rdsSnapshotPolicy),
    updateReplacePolicy: dflt<string>(DEFAULTS.updateReplacePolicy),
    ...overrides,
  };
}

/** An Aurora member instance of `clusterId` (engine from the cluster, no cluster-owned properties set). */
export function member(id: string, clusterId: string, overrides: Partial<DbInstance> = {}): DbInstance {
  return instance(id, {
    role: "aurora-member",
    engine: known("aurora-postgresql"),
    clusterId,
    dbClusterIdentifier: known(clusterId, undefined),
    preferredBackupWindow: dflt<string>(DEFAULTS.memberPreferredBackupWindow),
    deletionPolicy: dflt<string>(DEFAULTS.deletePolicy),
    ...overrides,
  });
}

export function globalCluster(id: string, overrides: Partial<GlobalCluster> = {}): GlobalCluster {
  return {
    ...base(id, overrides.loc),
    kind: "global-cluster",
    engine: known("aurora-postgresql"),
    storageEncrypted: none(),
    deletionProtection: dflt<boolean>(DEFAULTS.deletionProtection),
    sourceDbClusterIdentifier: none(),
    globalClusterIdentifier: none(),
    memberClusterIds: [],
    ...overrides,
  };
}

export function kmsKey(id: string, overrides: Partial<KmsKey> = {}): KmsKey {
  return {
    ...base(id, overrides.loc),
    kind: "kms-key",
    keyId: id,
    enabled: dflt<boolean>(DEFAULTS.kmsKeyEnabled),
    rotationEnabled: dflt<boolean>(DEFAULTS.kmsKeyRotation),
    keyManager: known<"CUSTOMER" | "AWS">("CUSTOMER"),
    aliases: [],
    ...overrides,
  };
}

/** A model holding the resources; clusters get the memberIds of instances that name them in clusterId. */
export function model(resources: ModelResource[], extra: Partial<Model> = {}): Model {
  const map = new Map(resources.map((r) => [r.id, r]));
  for (const r of resources) {
    if (r.kind === "db-instance" && r.clusterId) {
      const c = map.get(r.clusterId);
      if (c?.kind === "db-cluster" && !c.memberIds.includes(r.id)) c.memberIds.push(r.id);
    }
  }
  return { source: "template", file: FILE, resources: map, ...extra };
}

export function liveCertificates(list: CaCertificate[]): Map<string, CaCertificate> {
  return new Map(list.map((c) => [c.id, c]));
}

export function context(m: Model, params: Record<string, unknown> = {}, now = NOW): RuleContext {
  return { model: m, params, profile: "default", now };
}

/** Runs a rule on one resource of the model with its default parameters overridden by `params`. */
export function run(rule: Rule, m: Model, id: string, params: Record<string, unknown> = {}, now = NOW): RuleResult[] {
  const defaults = Object.fromEntries(rule.meta.parameters.map((p) => [p.name, p.default]));
  const resource = m.resources.get(id);
  if (!resource) throw new Error(`no resource ${id}`);
  return rule.evaluate(resource, context(m, { ...defaults, ...params }, now));
}

/** The verdicts (and `when`) of a result list, for compact exact assertions. */
export function verdicts(results: RuleResult[]): string[] {
  return results.map((r) => `${r.property ?? "-"}:${r.verdict}${r.when ? ` when ${r.when}` : ""}`);
}

export type { Attr };
