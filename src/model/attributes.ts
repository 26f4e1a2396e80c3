/**
 * The attributes a policy-defined rule can test, by their CloudFormation property names (what users write in
 * templates and see in findings), and how each is read from the model. Reading follows AWS's ownership: on an
 * Aurora or Multi-AZ DB cluster member, properties the cluster owns come from the cluster; on a read replica,
 * encryption comes from its source. So a custom rule sees the value that is in effect, not an irrelevant default.
 */
import { DEFAULTS } from "./defaults.js";
import { clusterOf, isAwsManagedKeyName, isClusterMember, kmsKeyFor, resourceTags, sourceOf } from "./relations.js";
import type { Attr, DbCluster, DbInstance, Model, ModelResource, Resolved, ResourceKind } from "./types.js";
import { mapAttr } from "./values.js";

type Reader = (resource: ModelResource, model: Model) => Attr<unknown>;

export interface AttributeSpec {
  name: string;
  description: string;
  kinds: readonly ResourceKind[];
  read: Reader;
  /**
   * What "not set" means when no AWS default is recorded: AWS picks a value we cannot know (a comparison is
   * unknown), or there is simply no value (no tag, no key named, not a restore: a comparison is decided).
   */
  unset: "aws-chooses" | "no-value";
}

const literal = <T>(value: T): Resolved<T> => ({ state: "known", value, origin: { kind: "literal" } });

/** The key that protects a database: CUSTOMER or AWS, from its KmsKeyId. */
function keyManagerOf(resource: DbCluster | DbInstance, model: Model): Attr<string> {
  return mapAttr(resource.kmsKeyId, (kmsKeyId): Resolved<string> => {
    if (kmsKeyId.state === "absent") {
      return { state: "absent", default: "AWS", defaultSource: DEFAULTS.kmsKeyId.source, ...loc(kmsKeyId) };
    }
    if (kmsKeyId.state === "known" && isAwsManagedKeyName(kmsKeyId.value)) {
      return { state: "known", value: "AWS", origin: kmsKeyId.origin, ...loc(kmsKeyId) };
    }
    const key = kmsKeyFor(kmsKeyId, model);
    if (key) {
      const manager = key.keyManager;
      if (manager.state === "known") {
        return {
          state: "known",
          value: manager.value,
          origin: { kind: "inherited", from: key.name, detail: "KeyManager of the KMS key" },
          ...loc(kmsKeyId),
        };
      }
      if (manager.state === "unknown") return { ...manager, ...loc(kmsKeyId) };
    }
    return {
      state: "unknown",
      reason:
        kmsKeyId.state === "known"
          ? `KmsKeyId ${kmsKeyId.value} names a key that is not in this scan`
          : `KmsKeyId is unknown: ${kmsKeyId.reason}`,
      ...loc(kmsKeyId),
    };
  });
}

function loc(attr: { loc?: Resolved<unknown>["loc"] }): { loc?: NonNullable<Resolved<unknown>["loc"]> } {
  return attr.loc ? { loc: attr.loc } : {};
}

const CLUSTER = ["db-cluster"] as const;
const INSTANCE = ["db-instance"] as const;
const DATABASES = ["db-cluster", "db-instance"] as const;

function field<K extends string>(kinds: readonly ResourceKind[], key: K): Reader {
  return (resource) => {
    if (!kinds.includes(resource.kind)) throw new Error(`attribute read on ${resource.kind}`);
    const attr = (resource as unknown as Record<K, Attr<unknown> | undefined>)[key];
    return attr ?? { state: "absent", default: undefined, defaultSource: "not reported for this resource" };
  };
}

/** Attributes (by CloudFormation name) that a cluster member takes from its cluster. */
const CLUSTER_OWNED: ReadonlySet<string> = new Set([
  "EngineVersion",
  "StorageEncrypted",
  "KmsKeyId",
  "KmsKeyManager",
  "BackupRetentionPeriod",
  "DeletionProtection",
  "EnableIAMDatabaseAuthentication",
  "PreferredBackupWindow",
]);

/** Attributes a read replica takes from its source DB instance. */
const SOURCE_OWNED: ReadonlySet<string> = new Set(["StorageEncrypted"]);

function inherited(attr: Attr<unknown>, from: string, detail: string): Attr<unknown> {
  return mapAttr(attr, (value) =>
    value.state === "known" ? { ...value, origin: { kind: "inherited", from, detail } } : value,
  );
}

/**
 * Reads an instance attribute where AWS keeps it: `own` applied to the cluster (for a member), to the source (for a
 * replica), or to the instance itself. A member whose cluster is not in the model gives unknown, never the
 * instance's own default.
 */
function ownedRead(name: string, own: Reader): Reader {
  return (resource, model) => {
    if (resource.kind !== "db-instance") return own(resource, model);
    if (CLUSTER_OWNED.has(name) && isClusterMember(resource)) {
      const cluster = clusterOf(resource, model);
      if (!cluster) {
        return {
          state: "unknown",
          reason: `${name} of a cluster member is the DB cluster's, and the cluster is not in this scan`,
          ...loc(resource),
        };
      }
      return inherited(own(cluster, model), cluster.name, `${name} of the DB cluster`);
    }
    if (SOURCE_OWNED.has(name) && resource.role === "read-replica") {
      const source = sourceOf(resource, model);
      if (!source) {
        return {
          state: "unknown",
          reason: `${name} of a read replica is its source's, and the source is not in this scan`,
          ...loc(resource),
        };
      }
      return inherited(own(source, model), source.name, `${name} of the source DB instance`);
    }
    return own(resource, model);
  };
}

function databaseField(
  name: string,
  clusterKey: keyof DbCluster | undefined,
  instanceKey: keyof DbInstance | undefined,
) {
  const kinds: ResourceKind[] = [];
  if (clusterKey) kinds.push("db-cluster");
  if (instanceKey) kinds.push("db-instance");
  const own: Reader = (resource, model) => {
    if (resource.kind === "db-cluster" && clusterKey) return field(CLUSTER, clusterKey)(resource, model);
    if (resource.kind === "db-instance" && instanceKey) return field(INSTANCE, instanceKey)(resource, model);
    throw new Error(`${name} read on ${resource.kind}`);
  };
  return { kinds, read: ownedRead(name, own) };
}

function db(
  name: string,
  description: string,
  clusterKey: keyof DbCluster | undefined,
  instanceKey: keyof DbInstance | undefined,
  unset: AttributeSpec["unset"] = "aws-chooses",
): AttributeSpec {
  return { name, description, unset, ...databaseField(name, clusterKey, instanceKey) };
}

export const ATTRIBUTES: readonly AttributeSpec[] = [
  db("Engine", "Engine name (aurora-postgresql, mysql, ...)", "engine", "engine"),
  db(
    "EngineVersion",
    "Engine version as written or reported (compare with greaterThanOrEqual: 15.4)",
    "engineVersion",
    "engineVersion",
  ),
  db("EngineMode", "provisioned, serverless (v1), parallelquery, global, multimaster", "engineMode", undefined),
  db("DBInstanceClass", "Instance class, e.g. db.r7g.large", undefined, "dbInstanceClass"),
  db(
    "DBClusterInstanceClass",
    "Instance class of a Multi-AZ DB cluster",
    "dbClusterInstanceClass",
    undefined,
    "no-value",
  ),
  db(
    "StorageEncrypted",
    "Storage encrypted at rest (members: the cluster's; replicas: the source's)",
    "storageEncrypted",
    "storageEncrypted",
  ),
  db("KmsKeyId", "KMS key id, ARN or alias (members: the cluster's)", "kmsKeyId", "kmsKeyId", "no-value"),
  {
    name: "KmsKeyManager",
    description: "CUSTOMER or AWS: who manages the key KmsKeyId names (absent KmsKeyId: AWS)",
    kinds: DATABASES,
    read: ownedRead("KmsKeyManager", (resource, model) => {
      if (resource.kind !== "db-cluster" && resource.kind !== "db-instance") throw new Error("KmsKeyManager");
      return keyManagerOf(resource, model);
    }),
    unset: "no-value",
  },
  db(
    "BackupRetentionPeriod",
    "Automated backup retention in days (members: the cluster's)",
    "backupRetentionPeriod",
    "backupRetentionPeriod",
  ),
  db("DeletionProtection", "Deletion protection (members: the cluster's)", "deletionProtection", "deletionProtection"),
  db("EnableIAMDatabaseAuthentication", "IAM database authentication (members: the cluster's)", "iamAuth", "iamAuth"),
  db("MultiAZ", "Multi-AZ deployment of a DB instance", undefined, "multiAZ"),
  db(
    "PreferredBackupWindow",
    "Daily backup window hh24:mi-hh24:mi UTC (members: the cluster's)",
    "preferredBackupWindow",
    "preferredBackupWindow",
  ),
  db(
    "PreferredMaintenanceWindow",
    "Weekly maintenance window ddd:hh24:mi-ddd:hh24:mi UTC",
    "preferredMaintenanceWindow",
    "preferredMaintenanceWindow",
  ),
  db(
    "PubliclyAccessible",
    "Reachable from the internet (instances; Multi-AZ DB clusters)",
    "publiclyAccessible",
    "publiclyAccessible",
  ),
  db(
    "AutoMinorVersionUpgrade",
    "Minor engine upgrades applied automatically",
    "autoMinorVersionUpgrade",
    "autoMinorVersionUpgrade",
  ),
  db("AvailabilityZone", "Availability Zone of a DB instance", undefined, "availabilityZone"),
  db("CACertificateIdentifier", "Server certificate CA of a DB instance", undefined, "caCertificateIdentifier"),
  db("DBClusterIdentifier", "DB cluster identifier", "dbClusterIdentifier", "dbClusterIdentifier", "no-value"),
  db("DBInstanceIdentifier", "DB instance identifier", undefined, "dbInstanceIdentifier"),
  db("SnapshotIdentifier", "Cluster snapshot restored from", "snapshotIdentifier", undefined, "no-value"),
  db("DBSnapshotIdentifier", "Instance snapshot restored from", undefined, "snapshotIdentifier", "no-value"),
  db("SourceDBInstanceIdentifier", "Source of a read replica", undefined, "sourceDbInstanceIdentifier", "no-value"),
  db(
    "GlobalClusterIdentifier",
    "Global cluster a DB cluster belongs to",
    "globalClusterIdentifier",
    undefined,
    "no-value",
  ),
  db(
    "ReplicationSourceIdentifier",
    "Source of a cross-Region cluster replica",
    "replicationSourceIdentifier",
    undefined,
    "no-value",
  ),
  {
    name: "ServerlessV2MinCapacity",
    description: "ServerlessV2ScalingConfiguration.MinCapacity in ACU",
    kinds: CLUSTER,
    read: field(CLUSTER, "serverlessV2MinCapacity"),
    unset: "no-value",
  },
  {
    name: "ServerlessV2MaxCapacity",
    description: "ServerlessV2ScalingConfiguration.MaxCapacity in ACU",
    kinds: CLUSTER,
    read: field(CLUSTER, "serverlessV2MaxCapacity"),
    unset: "no-value",
  },
  {
    name: "Role",
    description: "standalone, aurora-member, cluster-member or read-replica (DB instances)",
    kinds: INSTANCE,
    read: (resource) => literal(resource.kind === "db-instance" ? resource.role : ""),
    unset: "aws-chooses",
  },
  {
    name: "DeletionPolicy",
    description: "CloudFormation DeletionPolicy (templates; CloudFormation's default when absent)",
    kinds: ["db-cluster", "db-instance", "global-cluster", "kms-key"],
    read: (resource) => resource.deletionPolicy ?? notInLiveState("DeletionPolicy"),
    unset: "aws-chooses",
  },
  {
    name: "UpdateReplacePolicy",
    description: "CloudFormation UpdateReplacePolicy (templates; CloudFormation's default when absent)",
    kinds: ["db-cluster", "db-instance", "global-cluster", "kms-key"],
    read: (resource) => resource.updateReplacePolicy ?? notInLiveState("UpdateReplacePolicy"),
    unset: "aws-chooses",
  },
  {
    name: "Enabled",
    description: "Whether a KMS key is enabled",
    kinds: ["kms-key"],
    read: field(["kms-key"], "enabled"),
    unset: "aws-chooses",
  },
  {
    name: "EnableKeyRotation",
    description: "Automatic rotation of a KMS key",
    kinds: ["kms-key"],
    read: field(["kms-key"], "rotationEnabled"),
    unset: "aws-chooses",
  },
  {
    name: "KeyManager",
    description: "CUSTOMER or AWS, for a KMS key",
    kinds: ["kms-key"],
    read: field(["kms-key"], "keyManager"),
    unset: "aws-chooses",
  },
];

function notInLiveState(name: string): Resolved<unknown> {
  return { state: "unknown", reason: `${name} is a template attribute; live state does not carry it` };
}

/** "Tags.<key>": the tag's value; an Aurora member also has its cluster's tags. Absent when the tag is not set. */
export const TAG_ATTRIBUTE_PREFIX = "Tags.";

function readTag(key: string): Reader {
  return (resource, model) => {
    const tags = resourceTags(resource, model);
    const entry = Object.entries(tags).find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (entry) return { state: "known", value: entry[1], origin: { kind: "literal" }, ...loc(resource) };
    // A Tags list that cannot be read may hold the tag: unknown, never "not set" (that would pass a notEquals).
    const cluster = resource.kind === "db-instance" ? clusterOf(resource, model) : undefined;
    const ownUnknown = (r: typeof resource | undefined) =>
      r?.unknownTags && Object.entries(r.unknownTags).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
    const unreadable = ownUnknown(resource) ?? resource.tagsUnknown ?? ownUnknown(cluster) ?? cluster?.tagsUnknown;
    if (unreadable !== undefined) return { state: "unknown", reason: unreadable, ...loc(resource) };
    return { state: "absent", default: undefined, defaultSource: `tag ${key} is not set`, ...loc(resource) };
  };
}

const byName = new Map(ATTRIBUTES.map((a) => [a.name, a]));

export const ATTRIBUTE_NAMES: readonly string[] = ATTRIBUTES.map((a) => a.name);

/** The attribute called `name` (or a Tags.<key> attribute), or undefined. */
export function attributeSpec(name: string): AttributeSpec | undefined {
  if (name.startsWith(TAG_ATTRIBUTE_PREFIX) && name.length > TAG_ATTRIBUTE_PREFIX.length) {
    return {
      name,
      description: "tag value",
      kinds: ["db-cluster", "db-instance", "global-cluster", "kms-key"],
      read: readTag(name.slice(TAG_ATTRIBUTE_PREFIX.length)),
      unset: "no-value",
    };
  }
  return byName.get(name);
}
