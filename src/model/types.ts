/**
 * The normalized model: what scanners produce and rules read. A rule never sees YAML, JSON or an API
 * response; it sees these types. Every attribute says whether its value is known, absent (and then which
 * AWS default applies, with a source), unknown (and why), or depends on a condition that could not be decided.
 */

/** 1-based position in the file as the user wrote it. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Where a known value came from, so a message can say "false (default of parameter Encrypt)". */
export type Origin =
  | { kind: "literal" }
  | { kind: "parameter-default"; parameter: string }
  | { kind: "user-parameter"; parameter: string }
  | { kind: "pseudo-parameter"; parameter: string }
  | { kind: "mapping"; mapping: string }
  | { kind: "live"; api: string }
  | { kind: "inherited"; from: string; detail: string };

export interface Known<T> {
  state: "known";
  value: T;
  origin: Origin;
  /** The value as written (the property, or the intrinsic that produced it). */
  loc?: SourceLocation;
  /** When the value names another resource of the same model (a Ref/GetAtt), that resource's model id. */
  refersTo?: string;
}

export interface Absent<T> {
  state: "absent";
  /** The value AWS applies when the property is not set; undefined where AWS has none. */
  default: T | undefined;
  /** Where that default is documented (short citation). */
  defaultSource: string;
  /** The resource, since the property itself is missing. */
  loc?: SourceLocation;
}

export interface Unknown {
  state: "unknown";
  reason: string;
  loc?: SourceLocation;
  /** A Ref/GetAtt to another resource whose value cannot be known before deployment. */
  refersTo?: string;
}

/** Condition assignment that selects an alternative, e.g. { IsProd: true }. */
export type ConditionAssumption = Record<string, boolean>;

export interface Alternative<T> {
  when: ConditionAssumption;
  attr: Resolved<T>;
}

export interface Conditional<T> {
  state: "conditional";
  alternatives: Alternative<T>[];
  loc?: SourceLocation;
}

export type Resolved<T> = Known<T> | Absent<T> | Unknown;
export type Attr<T> = Resolved<T> | Conditional<T>;

export type ResourceKind = "db-cluster" | "db-instance" | "global-cluster" | "kms-key";

/** What each kind is called in messages and reports. */
export const RESOURCE_KIND_LABEL: Record<ResourceKind, string> = {
  "db-cluster": "DB cluster",
  "db-instance": "DB instance",
  "global-cluster": "global cluster",
  "kms-key": "KMS key",
};

/** Where a resource lives: a template (file + logical id) or an account (ARN). */
export interface ResourceOrigin {
  source: "template" | "live";
  /** Template: path relative to the scan root, forward slashes. */
  file?: string;
  logicalId?: string;
  /** CloudFormation resource type, e.g. AWS::RDS::DBCluster. */
  cfnType?: string;
  /** CDK construct path from Metadata aws:cdk:path. */
  cdkPath?: string;
  /** CDK: the line of the app's source that created the construct, from the cloud assembly's stack traces. */
  constructSource?: SourceLocation;
  arn?: string;
  account?: string;
  region?: string;
  /** From aws:cloudformation:stack-name / logical-id tags on live resources. */
  stackName?: string;
  stackLogicalId?: string;
  /** Live state read from AWS Config rather than the service's Describe calls. */
  recordedBy?: "aws-config";
  /** AWS Config: when the configuration item was captured (ISO 8601); the state may have changed since. */
  capturedAt?: string;
}

export interface InlineSuppression {
  rule: string;
  reason?: string;
  /** ISO date (YYYY-MM-DD) or undefined for no expiry. */
  expires?: string;
  loc?: SourceLocation;
}

export interface ResourceBase {
  /** Unique within a model: the logical id for templates, the ARN for live resources. */
  id: string;
  kind: ResourceKind;
  /** Human name: logical id, or DB identifier. */
  name: string;
  origin: ResourceOrigin;
  /** The resource declaration (its logical id key) in the file. */
  loc?: SourceLocation;
  /** Resource-level Condition: known false resources are not in the model at all. */
  condition?: { name: string; value: boolean | "unknown" };
  tags: Record<string, string>;
  /**
   * Template only: why the Tags property could not be read in full (an intrinsic that cannot be resolved, or a
   * Condition that cannot be decided). `tags` then holds none of them, so no tag may be taken as absent.
   */
  tagsUnknown?: string;
  /** Template only: tags whose value cannot be resolved, key -> why; each is unknown on its own, the rest stay known. */
  unknownTags?: Record<string, string>;
  /** Template only: DeletionPolicy / UpdateReplacePolicy. Live resources leave these undefined. */
  deletionPolicy?: Attr<string>;
  updateReplacePolicy?: Attr<string>;
  suppressions: InlineSuppression[];
}

export interface ServerlessV1Scaling {
  minCapacity?: number;
  maxCapacity?: number;
  autoPause?: boolean;
}

export interface DbCluster extends ResourceBase {
  kind: "db-cluster";
  engine: Attr<string>;
  engineVersion: Attr<string>;
  /** provisioned | serverless (v1) | parallelquery | global | multimaster */
  engineMode: Attr<string>;
  /** Set only for Multi-AZ DB clusters (non-Aurora, db.m/r... class on the cluster). */
  dbClusterInstanceClass: Attr<string>;
  storageEncrypted: Attr<boolean>;
  /** Live: sse-rds | sse-kms | none (StorageEncryptionType) where the API returns it. */
  storageEncryptionType?: Attr<string>;
  kmsKeyId: Attr<string>;
  backupRetentionPeriod: Attr<number>;
  deletionProtection: Attr<boolean>;
  iamAuth: Attr<boolean>;
  serverlessV2MinCapacity: Attr<number>;
  serverlessV2MaxCapacity: Attr<number>;
  availabilityZones: Attr<string[]>;
  /** Restore from a cluster snapshot. */
  snapshotIdentifier: Attr<string>;
  /** Point-in-time restore / clone source. */
  sourceDbClusterIdentifier: Attr<string>;
  /** Cross-region read replica source. */
  replicationSourceIdentifier: Attr<string>;
  globalClusterIdentifier: Attr<string>;
  /** Literal DBClusterIdentifier, used to link members that name it literally. */
  dbClusterIdentifier: Attr<string>;
  /** Live: MultiAZ as reported by DescribeDBClusters. */
  multiAZ?: Attr<boolean>;
  /** Daily automated backup window, `hh24:mi-hh24:mi` UTC (PreferredBackupWindow). Absent: AWS picks one. */
  preferredBackupWindow: Attr<string>;
  /** Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` UTC (PreferredMaintenanceWindow). Absent: AWS picks one. */
  preferredMaintenanceWindow: Attr<string>;
  /** AutoMinorVersionUpgrade (CloudFormation: Multi-AZ DB clusters; Aurora members carry their own). */
  autoMinorVersionUpgrade: Attr<boolean>;
  /** PubliclyAccessible (Multi-AZ DB clusters only; Aurora members carry their own). */
  publiclyAccessible: Attr<boolean>;
  /** EngineLifecycleSupport: open-source-rds-extended-support (the default) or ...-disabled. */
  engineLifecycleSupport: Attr<string>;
  /**
   * DBClusterParameterGroupName. Template: `refersTo` names the AWS::RDS::DBClusterParameterGroup of the same
   * template (by Ref or by its literal name). Absent: the engine's default DB cluster parameter group.
   */
  dbClusterParameterGroupName: Attr<string>;
  /** DBSubnetGroupName; absent: the default VPC. */
  dbSubnetGroupName: Attr<string>;
  /** Model ids of the DB instances that belong to this cluster (linked by the scanner). */
  memberIds: string[];
  /**
   * Template only: logical ids of DB instances of the template that name this cluster but whose Condition is known
   * false. They are not in the model; the cluster is known to have them switched off (a headless cluster).
   */
  switchedOffMemberIds?: string[];
}

export interface CertificateDetails {
  caIdentifier: string;
  validTill?: string;
}

export interface DbInstance extends ResourceBase {
  kind: "db-instance";
  /** standalone | aurora-member | cluster-member (Multi-AZ DB cluster) | read-replica */
  role: "standalone" | "aurora-member" | "cluster-member" | "read-replica";
  engine: Attr<string>;
  engineVersion: Attr<string>;
  dbInstanceClass: Attr<string>;
  storageEncrypted: Attr<boolean>;
  kmsKeyId: Attr<string>;
  backupRetentionPeriod: Attr<number>;
  deletionProtection: Attr<boolean>;
  iamAuth: Attr<boolean>;
  multiAZ: Attr<boolean>;
  availabilityZone: Attr<string>;
  caCertificateIdentifier: Attr<string>;
  dbClusterIdentifier: Attr<string>;
  sourceDbInstanceIdentifier: Attr<string>;
  snapshotIdentifier: Attr<string>;
  dbInstanceIdentifier: Attr<string>;
  /**
   * Daily automated backup window, `hh24:mi-hh24:mi` UTC (PreferredBackupWindow). For a cluster member the
   * cluster's window applies: a member's own value is informational only.
   */
  preferredBackupWindow: Attr<string>;
  /** Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` UTC (PreferredMaintenanceWindow). */
  preferredMaintenanceWindow: Attr<string>;
  /** PubliclyAccessible; absent: the default depends on the VPC and DB subnet group (unknowable here). */
  publiclyAccessible: Attr<boolean>;
  /** AutoMinorVersionUpgrade; absent: true. */
  autoMinorVersionUpgrade: Attr<boolean>;
  /** EngineLifecycleSupport: open-source-rds-extended-support (the default) or ...-disabled. */
  engineLifecycleSupport: Attr<string>;
  /**
   * DBParameterGroupName. Template: `refersTo` names the AWS::RDS::DBParameterGroup of the same template (by Ref or
   * by its literal name). Absent: the engine's default DB parameter group.
   */
  dbParameterGroupName: Attr<string>;
  /** DBSubnetGroupName; absent: the default VPC (or, for a cluster member, the cluster's). */
  dbSubnetGroupName: Attr<string>;
  /** Model id of the owning cluster, when linked. */
  clusterId?: string;
  /** Model id of the replica's source instance, when it is in the same model. */
  sourceId?: string;
  /**
   * Live: ReadReplicaDBInstanceIdentifiers, the read replicas (identifiers, or ARNs across Regions) that use this
   * instance as their source, wherever they are. Templates: not set (replicas in the model link back by sourceId).
   */
  readReplicaIdentifiers?: string[];
  /** Live: CertificateDetails from DescribeDBInstances. */
  certificateDetails?: CertificateDetails;
}

export interface GlobalCluster extends ResourceBase {
  kind: "global-cluster";
  engine: Attr<string>;
  storageEncrypted: Attr<boolean>;
  deletionProtection: Attr<boolean>;
  sourceDbClusterIdentifier: Attr<string>;
  globalClusterIdentifier: Attr<string>;
  memberClusterIds: string[];
}

export interface KmsKey extends ResourceBase {
  kind: "kms-key";
  /** Key id or ARN as known; for a template key, its logical id. */
  keyId: string;
  enabled: Attr<boolean>;
  rotationEnabled: Attr<boolean>;
  /** CUSTOMER or AWS (KeyManager). Template keys are always CUSTOMER. */
  keyManager: Attr<"CUSTOMER" | "AWS">;
  /** Aliases known for this key (alias/aws/rds marks the AWS-managed RDS key). */
  aliases: string[];
}

/** A CA known to the account/region (live: DescribeCertificates). */
export interface CaCertificate {
  id: string;
  validFrom?: string;
  validTill?: string;
  defaultForNewLaunches?: boolean;
}

/**
 * A DB parameter group (instances) or DB cluster parameter group (Aurora, Multi-AZ DB clusters) and the parameters it
 * sets. Not a resource that is judged: rules read it through the database that uses it.
 */
export interface ParameterGroup {
  /** Template: the logical id. Live: `db:<name>` or `cluster:<name>` (see parameterGroupKey). */
  id: string;
  scope: "db" | "cluster";
  /** Logical id (template) or group name (live). */
  name: string;
  /** The literal group name, when the template gives one (DBParameterGroupName / DBClusterParameterGroupName). */
  groupName?: string;
  family: Attr<string>;
  /**
   * Parameters the group sets, by name as AWS spells them. Template: the Parameters map. Live: the parameters whose
   * Source is `user` (DescribeDBParameters / DescribeDBClusterParameters with Source=user); any other keeps the
   * engine default.
   */
  parameters: Record<string, Attr<string>>;
  /** Why the parameters could not be read in full; then a parameter missing from `parameters` is not known unset. */
  parametersUnknown?: string;
  loc?: SourceLocation;
  /** Resource-level Condition of a template group (known false: not in the model). */
  condition?: { name: string; value: boolean | "unknown" };
}

/** Key of a live parameter group in Model.parameterGroups. */
export function parameterGroupKey(scope: "db" | "cluster", name: string): string {
  return `${scope}:${name}`;
}

/** Support dates of one major engine version (live: DescribeDBMajorEngineVersions). */
export interface EngineLifecycle {
  engine: string;
  majorVersion: string;
  /** ISO date (YYYY-MM-DD): last day of RDS (Aurora) standard support. */
  standardSupportEnd?: string;
  /** ISO date: last day of RDS Extended Support; undefined where there is none (MariaDB). */
  extendedSupportEnd?: string;
}

export type ModelResource = DbCluster | DbInstance | GlobalCluster | KmsKey;

export interface Model {
  source: "template" | "live";
  /** Template file (relative) or account/region the model describes. */
  file?: string;
  account?: string;
  region?: string;
  stackName?: string;
  resources: Map<string, ModelResource>;
  /** Live only: the region's CAs by identifier. */
  certificates?: Map<string, CaCertificate>;
  /** Template: Metadata aws:cdk:path present anywhere (CDK synth output). */
  cdk?: boolean;
  /** Parameter groups the databases use (template: defined in it; live: read for the groups in use). */
  parameterGroups?: Map<string, ParameterGroup>;
  /** Live only: lifecycle dates by `engine:major` from DescribeDBMajorEngineVersions. */
  engineLifecycles?: Map<string, EngineLifecycle>;
  /** Live only: engine -> why its lifecycle dates could not be read (rules then use rdsguard's table, and say so). */
  engineLifecycleErrors?: Map<string, string>;
  /** Template: values of NoEcho parameters, which no report may quote (engine/redact.ts). */
  secrets?: ModelSecret[];
}

/** A value from a NoEcho parameter (its default, or as given by the user). */
export interface ModelSecret {
  parameter: string;
  value: string;
}
