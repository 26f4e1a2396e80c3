/**
 * Pure mapping from RDS/KMS API answers to the normalized model. Every known value carries
 * Origin {kind:"live", api}; a value the API left out is absent (with the AWS default and where it is
 * documented) or unknown, never invented.
 */
import type { Certificate, DBCluster, DBInstance, GlobalCluster as GlobalClusterShape, Tag } from "@aws-sdk/client-rds";
import { DEFAULTS as MODEL_DEFAULTS } from "../../model/defaults.js";
import { isAuroraEngine } from "../../model/engines.js";
import type {
  Absent,
  Attr,
  CaCertificate,
  CertificateDetails,
  DbCluster,
  DbInstance,
  GlobalCluster,
  Known,
  Origin,
  ResourceOrigin,
  Unknown,
} from "../../model/types.js";
import { parameterGroupKey } from "../../model/types.js";
import { parseArn, partitionOf } from "./aws.js";

export const STACK_NAME_TAG = "aws:cloudformation:stack-name";
export const LOGICAL_ID_TAG = "aws:cloudformation:logical-id";

/** Engines the RDS API also returns that are not RDS/Aurora (Neptune, DocumentDB share the API). */
const NOT_RDS_ENGINES = new Set(["neptune", "docdb"]);

export function isRdsEngine(engine: string | undefined): boolean {
  return engine === undefined || !NOT_RDS_ENGINES.has(engine);
}

/*
 * A live answer repeats the same few values on every resource: one origin per API, one "absent" per default and
 * citation, one "unknown" per reason, one known value per API and value. A 100,000-instance audit kept ~3 KB of model per
 * resource, most of it these small objects made afresh; they are shared and frozen instead (a rule reads the model,
 * it never writes it). Engines, versions, classes, zones and windows repeat; identifiers do not, hence the cap.
 */
const liveOrigins = new Map<string, Origin>();
const sharedAbsents = new Map<string, Map<unknown, Absent<unknown>>>();
const sharedUnknowns = new Map<string, Unknown>();

function liveOrigin(api: string): Origin {
  let origin = liveOrigins.get(api);
  if (!origin) {
    origin = Object.freeze({ kind: "live", api }) as Origin;
    liveOrigins.set(api, origin);
  }
  return origin;
}

/** Known values shared so far; past the cap (identifiers and ARNs are all different) new values are not kept. */
const sharedKnowns = new Map<string, Map<unknown, Known<unknown>>>();
const SHARED_KNOWNS_CAP = 20_000;
let sharedKnownCount = 0;

/** An instance's CA and its certificate's expiry, by CA and date (many instances share both). */
const sharedCertificateDetails = new Map<string, Map<string | undefined, CertificateDetails>>();

/** Known values that link to another resource (a KMS key, a parameter group), by API, target and value. */
const sharedReferring = new Map<string, Map<string, Map<unknown, Known<unknown>>>>();

/** The shared object under `key` in `map`, made (and kept while under the cap) on first use. */
function sharedIn<K, V extends object>(map: Map<K, V>, key: K, make: () => V): V {
  const shared = map.get(key);
  if (shared) return shared;
  const made = make();
  if (sharedKnownCount >= SHARED_KNOWNS_CAP) return made;
  sharedKnownCount++;
  map.set(key, Object.freeze(made));
  return made;
}

function mapIn<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let inner = map.get(key);
  if (!inner) {
    inner = make();
    map.set(key, inner);
  }
  return inner;
}

export function known<T>(value: T, api: string, refersTo?: string): Known<T> {
  const type = typeof value;
  if (type !== "boolean" && type !== "string" && type !== "number") {
    return refersTo === undefined
      ? { state: "known", value, origin: liveOrigin(api) }
      : { state: "known", value, origin: liveOrigin(api), refersTo };
  }
  if (refersTo !== undefined) {
    // Thousands of databases name the same key or group: one object (and one copy of the ARN) for all of them.
    const byValue = mapIn(
      mapIn(sharedReferring, api, () => new Map()),
      refersTo,
      () => new Map(),
    );
    return sharedIn(byValue, value, () => ({ state: "known", value, origin: liveOrigin(api), refersTo })) as Known<T>;
  }
  const byValue = mapIn(sharedKnowns, api, () => new Map());
  return sharedIn(byValue, value, () => ({ state: "known", value, origin: liveOrigin(api) })) as Known<T>;
}

export function absent<T>(def: T | undefined, defaultSource: string): Absent<T> {
  // Only defaults that are plain values are shared (an object default could be changed by whoever holds it).
  if (def !== null && typeof def === "object") return { state: "absent", default: def, defaultSource };
  let byDefault = sharedAbsents.get(defaultSource);
  if (!byDefault) {
    byDefault = new Map();
    sharedAbsents.set(defaultSource, byDefault);
  }
  let shared = byDefault.get(def);
  if (!shared) {
    shared = Object.freeze({ state: "absent", default: def, defaultSource }) as Absent<unknown>;
    byDefault.set(def, shared);
  }
  return shared as Absent<T>;
}

export function unknown(reason: string): Unknown {
  let shared = sharedUnknowns.get(reason);
  if (!shared) {
    shared = Object.freeze({ state: "unknown", reason }) as Unknown;
    sharedUnknowns.set(reason, shared);
  }
  return shared;
}

function orAbsent<T>(value: T | undefined | null, api: string, def: T | undefined, source: string): Attr<T> {
  return value === undefined || value === null ? absent(def, source) : known(value, api);
}

function orUnknown<T>(value: T | undefined | null, api: string, field: string): Attr<T> {
  return value === undefined || value === null ? unknown(`${api} returned no ${field}`) : known(value, api);
}

/** Live answers report the resulting state, not how the resource was created. */
function notReported(api: string, field: string): Absent<string> {
  return absent<string>(undefined, `${api} reports the current state; ${field} is not part of its answer`);
}

/** Most databases have no tags, suppressions or replicas: one frozen empty value each, not one per resource. */
const NO_TAGS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NONE: never[] = Object.freeze([]) as unknown as never[];

export function tagsOf(list: Tag[] | undefined): Record<string, string> {
  if (!list?.length) return NO_TAGS;
  const tags: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
  return tags;
}

function originOf(arn: string, account: string, region: string, cfnType: string, tags: Record<string, string>) {
  const origin: ResourceOrigin = { source: "live", arn, account, region, cfnType };
  const stackName = tags[STACK_NAME_TAG];
  const stackLogicalId = tags[LOGICAL_ID_TAG];
  if (stackName) origin.stackName = stackName;
  if (stackLogicalId) origin.stackLogicalId = stackLogicalId;
  return origin;
}

/**
 * Encryption at rest from StorageEncrypted and StorageEncryptionType. The RDS API reports
 * StorageEncrypted=false for storage encrypted with an AWS owned key and says so through
 * StorageEncryptionType=sse-rds ("the data at rest is still encrypted"); the model's storageEncrypted means
 * "encrypted at rest", so sse-rds and sse-kms are true and none is false.
 */
export function encryptionOf(
  api: string,
  storageEncrypted: boolean | undefined,
  storageEncryptionType: string | undefined,
): { storageEncrypted: Attr<boolean>; storageEncryptionType?: Attr<string> } {
  const type = storageEncryptionType === undefined ? undefined : known(storageEncryptionType, api);
  let enc: Attr<boolean>;
  if (storageEncryptionType === "sse-rds" || storageEncryptionType === "sse-kms") enc = known(true, api);
  else if (storageEncryptionType === "none") enc = known(false, api);
  else if (storageEncrypted !== undefined) enc = known(storageEncrypted, api);
  else enc = unknown(`${api} returned neither StorageEncrypted nor StorageEncryptionType`);
  return type ? { storageEncrypted: enc, storageEncryptionType: type } : { storageEncrypted: enc };
}

export interface MapScope {
  account: string;
  region: string;
}

/** Citations shared with the template scanner, so a message reads the same whichever source it judges. */
const DEFAULTS = {
  backup: MODEL_DEFAULTS.backupRetentionPeriod.source,
  deletion: MODEL_DEFAULTS.deletionProtection.source,
  iam: MODEL_DEFAULTS.iamAuth.source,
  multiAz: MODEL_DEFAULTS.multiAZ.source,
  engineMode: MODEL_DEFAULTS.engineMode.source,
  backupWindow: MODEL_DEFAULTS.preferredBackupWindow.source,
  memberBackupWindow: MODEL_DEFAULTS.memberPreferredBackupWindow.source,
  maintenanceWindow: MODEL_DEFAULTS.preferredMaintenanceWindow.source,
  instancePublic: MODEL_DEFAULTS.instancePubliclyAccessible.source,
  clusterPublic: MODEL_DEFAULTS.clusterPubliclyAccessible.source,
  instanceMinorUpgrade: MODEL_DEFAULTS.instanceAutoMinorVersionUpgrade.source,
  clusterMinorUpgrade: MODEL_DEFAULTS.clusterAutoMinorVersionUpgrade.source,
  lifecycle: MODEL_DEFAULTS.engineLifecycleSupport,
  subnetGroup: MODEL_DEFAULTS.dbSubnetGroupName.source,
};

/** A parameter group name as the API reports it, linked to the group's entry in Model.parameterGroups. */
function groupAttr(name: string | undefined, scope: "db" | "cluster", api: string): Attr<string> {
  const field = scope === "db" ? "DBParameterGroups" : "DBClusterParameterGroup";
  // AWS Config items (api "the AWS Config ... item") may leave it out: say so in the words the Config source uses.
  if (!name)
    return unknown(
      api.includes("AWS Config") ? `${field} is not recorded by AWS Config` : `${api} returned no ${field}`,
    );
  return known(name, api, parameterGroupKey(scope, name));
}

/** ARN of a resource the API described without one (should not happen; moto and old answers aside). */
function fallbackArn(scope: MapScope, kind: "cluster" | "db", id: string): string {
  return `arn:${partitionOf(scope.region)}:rds:${scope.region}:${scope.account}:${kind}:${id}`;
}

export function clusterArnOf(c: DBCluster, scope: MapScope): string {
  return c.DBClusterArn ?? fallbackArn(scope, "cluster", c.DBClusterIdentifier ?? "unnamed");
}

export function instanceArnOf(i: DBInstance, scope: MapScope): string {
  return i.DBInstanceArn ?? fallbackArn(scope, "db", i.DBInstanceIdentifier ?? "unnamed");
}

/** Cluster from DescribeDBClusters; memberIds are filled by linkMembers once instances are known. */
export function mapCluster(c: DBCluster, scope: MapScope, keyIds: ReadonlyMap<string, string>): DbCluster {
  const api = "DescribeDBClusters";
  const arn = clusterArnOf(c, scope);
  const tags = tagsOf(c.TagList);
  const sv2 = c.ServerlessV2ScalingConfiguration;
  const sv2Source = "DescribeDBClusters returned no ServerlessV2ScalingConfiguration: not a Serverless v2 cluster";
  const cluster: DbCluster = {
    id: arn,
    kind: "db-cluster",
    name: c.DBClusterIdentifier ?? arn,
    origin: originOf(arn, scope.account, scope.region, "AWS::RDS::DBCluster", tags),
    tags,
    suppressions: NONE,
    engine: orUnknown(c.Engine, api, "Engine"),
    engineVersion: orUnknown(c.EngineVersion, api, "EngineVersion"),
    engineMode: orAbsent(c.EngineMode, api, "provisioned", DEFAULTS.engineMode),
    dbClusterInstanceClass: orAbsent(
      c.DBClusterInstanceClass,
      api,
      undefined,
      "RDS API: DBClusterInstanceClass is set only on Multi-AZ DB clusters",
    ),
    ...encryptionOf(api, c.StorageEncrypted, c.StorageEncryptionType),
    kmsKeyId: kmsAttr(c.KmsKeyId, api, keyIds),
    backupRetentionPeriod: orAbsent(c.BackupRetentionPeriod, api, 1, DEFAULTS.backup),
    deletionProtection: orAbsent(c.DeletionProtection, api, false, DEFAULTS.deletion),
    iamAuth: orAbsent(c.IAMDatabaseAuthenticationEnabled, api, false, DEFAULTS.iam),
    serverlessV2MinCapacity:
      sv2?.MinCapacity === undefined ? absent(undefined, sv2Source) : known(sv2.MinCapacity, api),
    serverlessV2MaxCapacity:
      sv2?.MaxCapacity === undefined ? absent(undefined, sv2Source) : known(sv2.MaxCapacity, api),
    availabilityZones: orUnknown(c.AvailabilityZones, api, "AvailabilityZones"),
    snapshotIdentifier: notReported(api, "SnapshotIdentifier"),
    sourceDbClusterIdentifier: notReported(api, "SourceDBClusterIdentifier"),
    replicationSourceIdentifier: orAbsent(
      c.ReplicationSourceIdentifier,
      api,
      undefined,
      "DescribeDBClusters returned no ReplicationSourceIdentifier: not a read replica cluster",
    ),
    globalClusterIdentifier: orAbsent(
      c.GlobalClusterIdentifier,
      api,
      undefined,
      "DescribeDBClusters returned no GlobalClusterIdentifier: not in a global database",
    ),
    dbClusterIdentifier: orUnknown(c.DBClusterIdentifier, api, "DBClusterIdentifier"),
    preferredBackupWindow: orAbsent(c.PreferredBackupWindow, api, undefined, DEFAULTS.backupWindow),
    preferredMaintenanceWindow: orAbsent(c.PreferredMaintenanceWindow, api, undefined, DEFAULTS.maintenanceWindow),
    autoMinorVersionUpgrade: orAbsent(c.AutoMinorVersionUpgrade, api, true, DEFAULTS.clusterMinorUpgrade),
    publiclyAccessible: orAbsent(c.PubliclyAccessible, api, undefined, DEFAULTS.clusterPublic),
    engineLifecycleSupport: orAbsent(
      c.EngineLifecycleSupport,
      api,
      DEFAULTS.lifecycle.value,
      DEFAULTS.lifecycle.source,
    ),
    dbClusterParameterGroupName: groupAttr(c.DBClusterParameterGroup, "cluster", api),
    dbSubnetGroupName: orAbsent(c.DBSubnetGroup, api, undefined, DEFAULTS.subnetGroup),
    memberIds: [],
  };
  if (c.MultiAZ !== undefined) cluster.multiAZ = known(c.MultiAZ, api);
  return cluster;
}

function kmsAttr(keyId: string | undefined, api: string, keyIds: ReadonlyMap<string, string>): Attr<string> {
  if (keyId === undefined) return absent(undefined, `${api} returned no KmsKeyId: not encrypted with a KMS key`);
  return known(keyId, api, keyIds.get(keyId));
}

export interface InstanceLinks {
  /** DBClusterIdentifier -> cluster as mapped (same region). */
  clustersByIdentifier: ReadonlyMap<string, DbCluster>;
  /** DBInstanceIdentifier -> instance ARN (same region). */
  instanceArnsByIdentifier: ReadonlyMap<string, string>;
  keyIds: ReadonlyMap<string, string>;
}

/** Role: member of an Aurora or Multi-AZ DB cluster, read replica, or standalone. */
export function roleOf(i: DBInstance, cluster: DbCluster | undefined): DbInstance["role"] {
  if (i.DBClusterIdentifier) {
    const isMultiAzDbCluster = cluster?.dbClusterInstanceClass.state === "known";
    const engine = i.Engine ?? (cluster?.engine.state === "known" ? cluster.engine.value : "");
    return isMultiAzDbCluster || !isAuroraEngine(engine) ? "cluster-member" : "aurora-member";
  }
  if (i.ReadReplicaSourceDBInstanceIdentifier || i.ReadReplicaSourceDBClusterIdentifier) return "read-replica";
  return "standalone";
}

/** Instance from DescribeDBInstances, linked to its cluster and replica source where they are in the same region. */
export function mapInstance(i: DBInstance, scope: MapScope, links: InstanceLinks): DbInstance {
  const api = "DescribeDBInstances";
  const arn = instanceArnOf(i, scope);
  const tags = tagsOf(i.TagList);
  const cluster = i.DBClusterIdentifier ? links.clustersByIdentifier.get(i.DBClusterIdentifier) : undefined;
  const role = roleOf(i, cluster);
  const replicaSource = i.ReadReplicaSourceDBInstanceIdentifier ?? i.ReadReplicaSourceDBClusterIdentifier;
  const instance: DbInstance = {
    id: arn,
    kind: "db-instance",
    name: i.DBInstanceIdentifier ?? arn,
    origin: originOf(arn, scope.account, scope.region, "AWS::RDS::DBInstance", tags),
    tags,
    suppressions: NONE,
    role,
    engine: orUnknown(i.Engine, api, "Engine"),
    engineVersion: orUnknown(i.EngineVersion, api, "EngineVersion"),
    dbInstanceClass: orUnknown(i.DBInstanceClass, api, "DBInstanceClass"),
    ...pickEncryption(encryptionOf(api, i.StorageEncrypted, i.StorageEncryptionType)),
    kmsKeyId: kmsAttr(i.KmsKeyId, api, links.keyIds),
    backupRetentionPeriod: orAbsent(i.BackupRetentionPeriod, api, 1, DEFAULTS.backup),
    deletionProtection: orAbsent(i.DeletionProtection, api, false, DEFAULTS.deletion),
    iamAuth: orAbsent(i.IAMDatabaseAuthenticationEnabled, api, false, DEFAULTS.iam),
    multiAZ: orAbsent(i.MultiAZ, api, false, DEFAULTS.multiAz),
    availabilityZone: orAbsent(i.AvailabilityZone, api, undefined, "DescribeDBInstances returned no AvailabilityZone"),
    caCertificateIdentifier: orAbsent(
      i.CACertificateIdentifier,
      api,
      undefined,
      "DescribeDBInstances returned no CACertificateIdentifier",
    ),
    dbClusterIdentifier: orAbsent(
      i.DBClusterIdentifier,
      api,
      undefined,
      "DescribeDBInstances returned no DBClusterIdentifier: not a cluster member",
    ),
    sourceDbInstanceIdentifier: orAbsent(
      replicaSource,
      api,
      undefined,
      "DescribeDBInstances returned no ReadReplicaSourceDBInstanceIdentifier: not a read replica",
    ),
    snapshotIdentifier: notReported(api, "DBSnapshotIdentifier"),
    dbInstanceIdentifier: orUnknown(i.DBInstanceIdentifier, api, "DBInstanceIdentifier"),
    // A member reports its cluster's backup window; kept as answered, informational for members.
    preferredBackupWindow: orAbsent(
      i.PreferredBackupWindow,
      api,
      undefined,
      i.DBClusterIdentifier ? DEFAULTS.memberBackupWindow : DEFAULTS.backupWindow,
    ),
    preferredMaintenanceWindow: orAbsent(i.PreferredMaintenanceWindow, api, undefined, DEFAULTS.maintenanceWindow),
    publiclyAccessible: orAbsent(i.PubliclyAccessible, api, undefined, DEFAULTS.instancePublic),
    autoMinorVersionUpgrade: orAbsent(i.AutoMinorVersionUpgrade, api, true, DEFAULTS.instanceMinorUpgrade),
    engineLifecycleSupport: orAbsent(
      i.EngineLifecycleSupport,
      api,
      DEFAULTS.lifecycle.value,
      DEFAULTS.lifecycle.source,
    ),
    dbParameterGroupName: groupAttr(i.DBParameterGroups?.[0]?.DBParameterGroupName, "db", api),
    dbSubnetGroupName: orAbsent(i.DBSubnetGroup?.DBSubnetGroupName, api, undefined, DEFAULTS.subnetGroup),
  };
  if (cluster) instance.clusterId = cluster.id;
  const replicas = i.ReadReplicaDBInstanceIdentifiers;
  instance.readReplicaIdentifiers = replicas?.length ? replicas : NONE;
  linkReplicaSource(instance, i, links);
  const ca = i.CertificateDetails?.CAIdentifier;
  if (ca) {
    const validTill = i.CertificateDetails?.ValidTill ? iso(i.CertificateDetails.ValidTill) : undefined;
    instance.certificateDetails = sharedIn(
      mapIn(sharedCertificateDetails, ca, () => new Map()),
      validTill,
      () => (validTill === undefined ? { caIdentifier: ca } : { caIdentifier: ca, validTill }),
    );
  }
  return instance;
}

/** The replica's source: same-region sources are named by identifier, cross-region ones by ARN. */
export function linkReplicaSource(
  instance: DbInstance,
  i: Pick<DBInstance, "ReadReplicaSourceDBInstanceIdentifier" | "ReadReplicaSourceDBClusterIdentifier">,
  links: InstanceLinks,
): void {
  const replicaSource = i.ReadReplicaSourceDBInstanceIdentifier ?? i.ReadReplicaSourceDBClusterIdentifier;
  if (!replicaSource) return;
  const sourceId = replicaSource.startsWith("arn:")
    ? replicaSource
    : (links.instanceArnsByIdentifier.get(replicaSource) ??
      (i.ReadReplicaSourceDBClusterIdentifier ? links.clustersByIdentifier.get(replicaSource)?.id : undefined));
  if (sourceId) instance.sourceId = sourceId;
}

/** DbInstance has no storageEncryptionType field; keep only what it models. */
function pickEncryption(e: ReturnType<typeof encryptionOf>): { storageEncrypted: Attr<boolean> } {
  return { storageEncrypted: e.storageEncrypted };
}

/** Fill cluster.memberIds from DBClusterMembers, keeping only instances the region listing returned. */
export function linkMembers(
  clusters: readonly { shape: DBCluster; model: DbCluster }[],
  instanceArnsByIdentifier: ReadonlyMap<string, string>,
): void {
  for (const { shape, model } of clusters) {
    for (const m of shape.DBClusterMembers ?? []) {
      const arn = m.DBInstanceIdentifier ? instanceArnsByIdentifier.get(m.DBInstanceIdentifier) : undefined;
      if (arn && !model.memberIds.includes(arn)) model.memberIds.push(arn);
    }
  }
}

export function globalClusterArnOf(g: GlobalClusterShape, account: string, partition = "aws"): string {
  return (
    g.GlobalClusterArn ?? `arn:${partition}:rds::${account}:global-cluster:${g.GlobalClusterIdentifier ?? "unnamed"}`
  );
}

/** Global cluster from DescribeGlobalClusters; `region` is where the model that holds it lives. */
export function mapGlobalCluster(g: GlobalClusterShape, account: string, region: string): GlobalCluster {
  const api = "DescribeGlobalClusters";
  const arn = globalClusterArnOf(g, account, partitionOf(region));
  const tags = tagsOf(g.TagList);
  const members = g.GlobalClusterMembers ?? [];
  const writer = members.find((m) => m.IsWriter)?.DBClusterArn;
  const enc = encryptionOf(api, g.StorageEncrypted, g.StorageEncryptionType);
  return {
    id: arn,
    kind: "global-cluster",
    name: g.GlobalClusterIdentifier ?? arn,
    origin: originOf(arn, account, region, "AWS::RDS::GlobalCluster", tags),
    tags,
    suppressions: NONE,
    engine: orUnknown(g.Engine, api, "Engine"),
    storageEncrypted: enc.storageEncrypted,
    deletionProtection: orAbsent(g.DeletionProtection, api, false, DEFAULTS.deletion),
    sourceDbClusterIdentifier: writer
      ? known(writer, api, writer)
      : absent(undefined, "DescribeGlobalClusters returned no writer member"),
    globalClusterIdentifier: orUnknown(g.GlobalClusterIdentifier, api, "GlobalClusterIdentifier"),
    memberClusterIds: members.flatMap((m) => (m.DBClusterArn ? [m.DBClusterArn] : [])),
  };
}

/** The regions a global cluster has members in, writer first. */
export function globalClusterRegions(g: GlobalClusterShape): string[] {
  const members = [...(g.GlobalClusterMembers ?? [])].sort(
    (a, b) => Number(b.IsWriter ?? false) - Number(a.IsWriter ?? false),
  );
  const regions: string[] = [];
  for (const m of members) {
    const region = m.DBClusterArn ? parseArn(m.DBClusterArn)?.region : undefined;
    if (region && !regions.includes(region)) regions.push(region);
  }
  return regions;
}

export function mapCertificates(certs: readonly Certificate[], defaultForNewLaunches: string | undefined) {
  const map = new Map<string, CaCertificate>();
  for (const c of certs) {
    if (!c.CertificateIdentifier) continue;
    const ca: CaCertificate = { id: c.CertificateIdentifier };
    if (c.ValidFrom) ca.validFrom = iso(c.ValidFrom);
    if (c.ValidTill) ca.validTill = iso(c.ValidTill);
    if (defaultForNewLaunches !== undefined)
      ca.defaultForNewLaunches = c.CertificateIdentifier === defaultForNewLaunches;
    map.set(ca.id, ca);
  }
  return map;
}

function iso(d: Date | string): string {
  return d instanceof Date ? d.toISOString() : new Date(d).toISOString();
}
