/**
 * AWS Config configuration items -> the Describe shapes the live mapper (map.ts) already turns into the model, so a
 * database read through an aggregator is judged by exactly the same code as one read with DescribeDBInstances.
 *
 * A configuration item's `configuration` mirrors the Describe answer of its API with Config's own casing, which is
 * not even consistent between types (DBInstance: `dBInstanceIdentifier`; DBCluster: `dbclusterIdentifier`,
 * `iamdatabaseAuthenticationEnabled`; GlobalCluster: `GlobalClusterIdentifier`). Fields are therefore read by name
 * without regard to case, through one table per type. Some Describe fields are not recorded by Config at all
 * (RECORDED below, from the property lists AWS publishes for advanced queries: github.com/awslabs/
 * aws-config-resource-schema, config/properties/resource-types, read 2026-12-02). When an item lacks one of those,
 * the model says unknown "not recorded by AWS Config", never the API's default: Config's silence is not AWS's.
 */
import type { DBCluster, DBInstance, GlobalCluster as GlobalClusterShape } from "@aws-sdk/client-rds";
import type { Attr, DbCluster, DbInstance, GlobalCluster, KmsKey, ModelResource } from "../../model/types.js";
import { parseArn } from "./aws.js";
import { known, unknown } from "./map.js";

export const CONFIG_RESOURCE_TYPES = [
  "AWS::RDS::DBCluster",
  "AWS::RDS::DBInstance",
  "AWS::RDS::GlobalCluster",
] as const;
export const KMS_KEY_TYPE = "AWS::KMS::Key";

/** One row of an advanced-query answer (the fields rdsguard selects). */
export interface ConfigItem {
  accountId: string;
  awsRegion: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  configuration: Record<string, unknown>;
  supplementaryConfiguration?: Record<string, unknown>;
  tags?: { key?: string; value?: string }[];
  configurationItemCaptureTime?: string;
}

/** Describe fields the mapper reads, per type. Nested lists name the fields of their elements. */
const INSTANCE_FIELDS = [
  "DBInstanceIdentifier",
  "DBInstanceArn",
  "Engine",
  "EngineVersion",
  "DBInstanceClass",
  "StorageEncrypted",
  "StorageEncryptionType",
  "KmsKeyId",
  "BackupRetentionPeriod",
  "DeletionProtection",
  "IAMDatabaseAuthenticationEnabled",
  "MultiAZ",
  "AvailabilityZone",
  "CACertificateIdentifier",
  "DBClusterIdentifier",
  "ReadReplicaSourceDBInstanceIdentifier",
  "ReadReplicaSourceDBClusterIdentifier",
  "ReadReplicaDBInstanceIdentifiers",
  "EngineLifecycleSupport",
  "PreferredBackupWindow",
  "PreferredMaintenanceWindow",
  "PubliclyAccessible",
  "AutoMinorVersionUpgrade",
] as const;

const CLUSTER_FIELDS = [
  "DBClusterIdentifier",
  "DBClusterArn",
  "Engine",
  "EngineVersion",
  "EngineMode",
  "DBClusterInstanceClass",
  "StorageEncrypted",
  "StorageEncryptionType",
  "KmsKeyId",
  "BackupRetentionPeriod",
  "DeletionProtection",
  "IAMDatabaseAuthenticationEnabled",
  "AvailabilityZones",
  "ReplicationSourceIdentifier",
  "GlobalClusterIdentifier",
  "DBClusterParameterGroup",
  "DBSubnetGroup",
  "EngineLifecycleSupport",
  "MultiAZ",
  "PreferredBackupWindow",
  "PreferredMaintenanceWindow",
  "AutoMinorVersionUpgrade",
  "PubliclyAccessible",
] as const;

const GLOBAL_FIELDS = [
  "GlobalClusterIdentifier",
  "GlobalClusterArn",
  "Engine",
  "StorageEncrypted",
  "DeletionProtection",
];

/**
 * Describe fields AWS Config records for each type (the rest of the fields above it does not). From the published
 * advanced-query property lists named in the header.
 */
const RECORDED: Record<string, ReadonlySet<string>> = {
  "AWS::RDS::DBInstance": new Set(
    INSTANCE_FIELDS.filter(
      (f) => !["DeletionProtection", "StorageEncryptionType", "ReadReplicaSourceDBClusterIdentifier"].includes(f),
    ),
  ),
  "AWS::RDS::DBCluster": new Set(
    CLUSTER_FIELDS.filter(
      (f) =>
        ![
          "DBClusterInstanceClass",
          "StorageEncryptionType",
          "GlobalClusterIdentifier",
          "AutoMinorVersionUpgrade",
          "PubliclyAccessible",
          "ServerlessV2ScalingConfiguration",
          "EngineLifecycleSupport",
        ].includes(f),
    ),
  ),
  "AWS::RDS::GlobalCluster": new Set(["GlobalClusterIdentifier", "Engine", "StorageEncrypted", "DeletionProtection"]),
};

export const NOT_RECORDED = "not recorded by AWS Config";

function notRecorded(resourceType: string, field: string) {
  return unknown(`${field} is ${NOT_RECORDED} (${resourceType} configuration items do not carry it)`);
}

/** The value of `name` in `obj`, matching the key without regard to case. */
export function field(obj: Record<string, unknown> | undefined, name: string): unknown {
  if (!obj) return undefined;
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

function pick(obj: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const value = field(obj, name);
    if (value !== undefined && value !== null) out[name] = value;
  }
  return out;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function tagList(item: ConfigItem): { Key: string; Value: string }[] {
  const list = Array.isArray(item.tags) ? item.tags : [];
  return list.flatMap((t) => {
    const key = field(asRecord(t), "key");
    const value = field(asRecord(t), "value");
    return typeof key === "string" ? [{ Key: key, Value: typeof value === "string" ? value : "" }] : [];
  });
}

export function instanceShape(item: ConfigItem): DBInstance {
  const shape = pick(item.configuration, INSTANCE_FIELDS) as DBInstance;
  const groups = field(item.configuration, "DBParameterGroups");
  if (Array.isArray(groups)) {
    shape.DBParameterGroups = groups.flatMap((g) => {
      const r = asRecord(g);
      return r ? [pick(r, ["DBParameterGroupName", "ParameterApplyStatus"])] : [];
    });
  }
  const subnetGroup = asRecord(field(item.configuration, "DBSubnetGroup"));
  if (subnetGroup) shape.DBSubnetGroup = pick(subnetGroup, ["DBSubnetGroupName", "VpcId"]);
  shape.DBInstanceArn ??= item.arn;
  shape.TagList = tagList(item);
  return shape;
}

export function clusterShape(item: ConfigItem): DBCluster {
  const shape = pick(item.configuration, CLUSTER_FIELDS) as DBCluster;
  shape.DBClusterArn ??= item.arn;
  const members = field(item.configuration, "DBClusterMembers");
  if (Array.isArray(members)) {
    shape.DBClusterMembers = members.flatMap((m) => {
      const r = asRecord(m);
      return r ? [pick(r, ["DBInstanceIdentifier", "IsClusterWriter"])] : [];
    });
  }
  const scaling = asRecord(field(item.configuration, "ScalingConfigurationInfo"));
  if (scaling) shape.ScalingConfigurationInfo = pick(scaling, ["MinCapacity", "MaxCapacity", "AutoPause"]);
  shape.TagList = tagList(item);
  return shape;
}

export function globalClusterShape(item: ConfigItem): GlobalClusterShape {
  const shape = pick(item.configuration, GLOBAL_FIELDS) as GlobalClusterShape;
  shape.GlobalClusterArn ??= item.arn;
  shape.TagList = tagList(item);
  return shape;
}

/** Model attributes that each unrecorded Describe field feeds. */
const ATTRIBUTES_OF: Record<string, Record<string, string[]>> = {
  "AWS::RDS::DBInstance": {
    DeletionProtection: ["deletionProtection"],
    EngineLifecycleSupport: ["engineLifecycleSupport"],
  },
  "AWS::RDS::DBCluster": {
    GlobalClusterIdentifier: ["globalClusterIdentifier"],
    AutoMinorVersionUpgrade: ["autoMinorVersionUpgrade"],
    PubliclyAccessible: ["publiclyAccessible"],
    EngineLifecycleSupport: ["engineLifecycleSupport"],
  },
  "AWS::RDS::GlobalCluster": {},
};

function setAttr(resource: ModelResource, name: string, value: Attr<unknown>): void {
  (resource as unknown as Record<string, Attr<unknown>>)[name] = value;
}

/**
 * After mapping: what the item did not carry because Config does not record it becomes unknown, and known values
 * say they come from AWS Config (with the item's capture time on the resource's origin).
 */
export function markConfigOrigin(resource: DbInstance | DbCluster | GlobalCluster, item: ConfigItem): void {
  const type = item.resourceType;
  const recorded = RECORDED[type] ?? new Set<string>();
  for (const [fieldName, attrs] of Object.entries(ATTRIBUTES_OF[type] ?? {})) {
    if (recorded.has(fieldName) || field(item.configuration, fieldName) !== undefined) continue;
    for (const attr of attrs) setAttr(resource, attr, notRecorded(type, fieldName));
  }
  // StorageEncrypted=false also describes storage encrypted with an AWS owned key (StorageEncryptionType sse-rds),
  // and Config does not record StorageEncryptionType: false is not proof of unencrypted storage.
  const enc = resource.storageEncrypted;
  if (
    resource.kind !== "global-cluster" &&
    enc.state === "known" &&
    enc.value === false &&
    field(item.configuration, "StorageEncryptionType") === undefined
  ) {
    resource.storageEncrypted = unknown(
      `StorageEncrypted is false in the AWS Config item, but StorageEncryptionType (which tells storage encrypted with an AWS owned key, sse-rds, from unencrypted storage) is ${NOT_RECORDED}`,
    );
  }
  if (resource.kind === "global-cluster") {
    // Config's GlobalCluster item has no member list: who writes and who reads is not known from it.
    resource.sourceDbClusterIdentifier = notRecorded(type, "GlobalClusterMembers");
  }
  reOrigin(resource as unknown as Record<string, unknown>, type);
  if (item.configurationItemCaptureTime) resource.origin.capturedAt = item.configurationItemCaptureTime;
  resource.origin.recordedBy = "aws-config";
}

const DESCRIBE_API = /\b(DescribeDBInstances|DescribeDBClusters|DescribeGlobalClusters)\b/g;

/** Known values: origin api "AWS Config"; absent/unknown reasons name the Config item, not a Describe call. */
function reOrigin(resource: Record<string, unknown>, type: string): void {
  const source = `the AWS Config ${type} item`;
  for (const [key, value] of Object.entries(resource)) {
    const attr = asRecord(value);
    if (!attr || typeof attr.state !== "string") continue;
    const origin = asRecord(attr.origin);
    if (attr.state === "known" && origin?.kind === "live")
      resource[key] = { ...attr, origin: { kind: "live", api: "AWS Config" } };
    else if (attr.state === "absent" && typeof attr.defaultSource === "string")
      resource[key] = { ...attr, defaultSource: attr.defaultSource.replace(DESCRIBE_API, source) };
    else if (attr.state === "unknown" && typeof attr.reason === "string")
      resource[key] = { ...attr, reason: attr.reason.replace(DESCRIBE_API, source) };
  }
}

/**
 * What the members tell about cluster fields Config does not record. A Multi-AZ DB cluster's members run the
 * cluster's DB instance class, so DBClusterInstanceClass is taken from a member (unknown without one). The
 * Serverless v2 capacity range matters only once a member is db.serverless: with none, the cluster is not a
 * Serverless v2 cluster (absent, as from Describe); with one, the range is unknown.
 */
export function inferFromMembers(cluster: DbCluster, members: DbInstance[], item: ConfigItem): void {
  if (field(item.configuration, "ServerlessV2ScalingConfiguration") === undefined) {
    const serverless = members.some(
      (m) => m.dbInstanceClass.state !== "known" || m.dbInstanceClass.value === "db.serverless",
    );
    if (serverless) {
      cluster.serverlessV2MinCapacity = notRecorded(item.resourceType, "ServerlessV2ScalingConfiguration");
      cluster.serverlessV2MaxCapacity = notRecorded(item.resourceType, "ServerlessV2ScalingConfiguration");
    }
  }
  if (
    cluster.dbClusterInstanceClass.state === "known" ||
    field(item.configuration, "DBClusterInstanceClass") !== undefined
  )
    return;
  const member = members.find((m) => m.dbInstanceClass.state === "known");
  const engine = cluster.engine.state === "known" ? cluster.engine.value : undefined;
  if (engine !== undefined && !engine.startsWith("aurora") && member && member.dbInstanceClass.state === "known") {
    cluster.dbClusterInstanceClass = {
      state: "known",
      value: member.dbInstanceClass.value,
      origin: {
        kind: "inherited",
        from: member.id,
        detail: `DBClusterInstanceClass is ${NOT_RECORDED}; the members of a Multi-AZ DB cluster run the cluster's DB instance class`,
      },
    };
  } else if (engine === undefined || !engine.startsWith("aurora")) {
    cluster.dbClusterInstanceClass = notRecorded(item.resourceType, "DBClusterInstanceClass");
  }
}

const AWS_MANAGED_ROTATION =
  "KMS API Reference, GetKeyRotationStatus: KMS rotates AWS managed keys every year; their rotation status is always true";

/** KMS key from its Config item (rotation from supplementaryConfiguration.KeyRotationStatus). */
export function keyFromItem(item: ConfigItem): KmsKey {
  const c = item.configuration;
  const arn = String(field(c, "Arn") ?? item.arn ?? item.resourceId);
  const parsed = parseArn(arn);
  const api = "AWS Config";
  const enabledValue = field(c, "Enabled");
  const state = field(c, "KeyState");
  const enabled: Attr<boolean> =
    typeof enabledValue === "boolean"
      ? known(enabledValue, api)
      : typeof state === "string"
        ? known(state === "Enabled", api)
        : unknown(`Enabled is ${NOT_RECORDED} for this key`);
  const manager = field(c, "KeyManager");
  const keyManager: KmsKey["keyManager"] =
    manager === "AWS" || manager === "CUSTOMER"
      ? known(manager, api)
      : unknown(`KeyManager is ${NOT_RECORDED} for this key`);
  const rotationRaw = field(item.supplementaryConfiguration, "KeyRotationStatus");
  const rotation =
    rotationRaw === true || rotationRaw === "true"
      ? true
      : rotationRaw === false || rotationRaw === "false"
        ? false
        : undefined;
  let rotationEnabled: Attr<boolean>;
  if (manager === "AWS") {
    rotationEnabled = {
      state: "known",
      value: true,
      origin: { kind: "inherited", from: arn, detail: AWS_MANAGED_ROTATION },
    };
  } else if (rotation !== undefined) rotationEnabled = known(rotation, api);
  else rotationEnabled = unknown(`KeyRotationStatus is ${NOT_RECORDED} for this key (supplementaryConfiguration)`);
  const key: KmsKey = {
    id: arn,
    kind: "kms-key",
    name: String(field(c, "KeyId") ?? parsed?.resource.replace(/^key\//, "") ?? arn),
    origin: {
      source: "live",
      arn,
      account: parsed?.account || item.accountId,
      region: parsed?.region || item.awsRegion,
      recordedBy: "aws-config",
    },
    tags: {},
    suppressions: [],
    keyId: arn,
    aliases: [],
    enabled,
    rotationEnabled,
    keyManager,
  };
  if (item.configurationItemCaptureTime) key.origin.capturedAt = item.configurationItemCaptureTime;
  return key;
}

/** A key an RDS item names but the aggregator holds no item for (Config not recording KMS keys there). */
export function unrecordedKey(arn: string, account: string, region: string): KmsKey {
  const parsed = parseArn(arn);
  const why = unknown(`the KMS key ${arn} is ${NOT_RECORDED} (no AWS::KMS::Key item in the aggregator)`);
  return {
    id: arn,
    kind: "kms-key",
    name: parsed?.resource.replace(/^key\//, "") ?? arn,
    origin: {
      source: "live",
      arn,
      account: parsed?.account || account,
      region: parsed?.region || region,
      recordedBy: "aws-config",
    },
    tags: {},
    suppressions: [],
    keyId: arn,
    aliases: [],
    enabled: why,
    rotationEnabled: why,
    keyManager: why,
  };
}
