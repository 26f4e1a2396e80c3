/**
 * AWS defaults that apply when a property is absent, each with where it is documented. Scanners use these to
 * write the default down in the model (an absent value is never silently a pass or a fail).
 */
export interface DocumentedDefault<T> {
  value: T | undefined;
  source: string;
}

const CFN_DBINSTANCE = "CloudFormation AWS::RDS::DBInstance reference";
const CFN_DBCLUSTER = "CloudFormation AWS::RDS::DBCluster reference";

export const DEFAULTS = {
  instanceStorageEncrypted: { value: false, source: `${CFN_DBINSTANCE}: StorageEncrypted defaults to false` },
  auroraStorageEncrypted: {
    value: true,
    source:
      "Aurora User Guide, Encrypting Amazon Aurora resources: new clusters created on or after 2026-02-18 are encrypted at rest by default with an AWS owned key",
  },
  multiAzClusterStorageEncrypted: { value: false, source: `${CFN_DBCLUSTER}: StorageEncrypted defaults to false` },
  kmsKeyId: {
    value: undefined,
    source:
      "RDS API reference: with encryption on and no KmsKeyId, the AWS managed key alias/aws/rds (or, for new Aurora clusters, an AWS owned key) is used",
  },
  backupRetentionPeriod: {
    value: 1,
    source: "RDS API reference, CreateDBInstance/CreateDBCluster: BackupRetentionPeriod defaults to 1",
  },
  deletionProtection: { value: false, source: "RDS API reference: DeletionProtection defaults to false" },
  iamAuth: { value: false, source: "RDS API reference: EnableIAMDatabaseAuthentication defaults to false" },
  multiAZ: { value: false, source: `${CFN_DBINSTANCE}: MultiAZ defaults to false` },
  caCertificateIdentifier: {
    value: "rds-ca-rsa2048-g1",
    source: "RDS User Guide, Using SSL/TLS: new DB instances use rds-ca-rsa2048-g1 by default since January 2024",
  },
  engineMode: { value: "provisioned", source: `${CFN_DBCLUSTER}: EngineMode defaults to provisioned` },
  none: { value: undefined, source: "no AWS default" },
  /** CloudFormation: DBCluster and standalone DBInstance default to Snapshot; everything else to Delete. */
  rdsSnapshotPolicy: {
    value: "Snapshot",
    source:
      "CloudFormation User Guide, DeletionPolicy attribute: AWS::RDS::DBCluster and AWS::RDS::DBInstance without DBClusterIdentifier default to Snapshot",
  },
  deletePolicy: {
    value: "Delete",
    source: "CloudFormation User Guide, DeletionPolicy attribute: resources default to Delete",
  },
  updateReplacePolicy: {
    value: "Delete",
    source: "CloudFormation User Guide, UpdateReplacePolicy attribute: the default is Delete",
  },
  /** AWS assigns a window we cannot know: recorded as absent with no default value. */
  preferredBackupWindow: {
    value: undefined,
    source:
      "RDS User Guide, Backup window (Aurora User Guide, Backup window, for clusters): without PreferredBackupWindow, AWS assigns a 30-minute window selected at random from an 8-hour block of time per Region",
  },
  /** An instance with DBClusterIdentifier: the cluster's backup window applies, the member has none of its own. */
  memberPreferredBackupWindow: {
    value: undefined,
    source:
      "RDS API reference, CreateDBInstance: PreferredBackupWindow doesn't apply to DB cluster members; the daily backup window is managed by the DB cluster",
  },
  preferredMaintenanceWindow: {
    value: undefined,
    source:
      "RDS User Guide, Amazon RDS maintenance window (Aurora User Guide, Adjusting the preferred DB cluster maintenance window, for clusters): without PreferredMaintenanceWindow, AWS assigns a 30-minute window selected at random from an 8-hour block of time per Region, on a random day of the week",
  },
  instancePubliclyAccessible: {
    value: undefined,
    source: `RDS API reference, CreateDBInstance: without PubliclyAccessible, the instance is public when the VPC of its DB subnet group (without DBSubnetGroupName: the Region's default VPC) has an internet gateway attached, private otherwise (${CFN_DBINSTANCE}: the default depends on the VPC setup and the DB subnet group)`,
  },
  clusterPubliclyAccessible: {
    value: undefined,
    source: `${CFN_DBCLUSTER}: PubliclyAccessible is valid for Multi-AZ DB clusters only (Aurora: each DB instance's own setting applies); the default depends on the VPC setup and the DB subnet group (RDS API reference, CreateDBCluster)`,
  },
  engineLifecycleSupport: {
    value: "open-source-rds-extended-support",
    source: `${CFN_DBINSTANCE} and ${CFN_DBCLUSTER}, EngineLifecycleSupport: defaults to open-source-rds-extended-support (RDS enrolls the database in RDS Extended Support, billed, at the end of standard support)`,
  },
  dbParameterGroupName: {
    value: undefined,
    source: `${CFN_DBINSTANCE}: without DBParameterGroupName, the default DB parameter group for the engine and version (default.<family>) is used`,
  },
  dbClusterParameterGroupName: {
    value: undefined,
    source: `${CFN_DBCLUSTER}: without DBClusterParameterGroupName, the default DB cluster parameter group for the engine and version (default.<family>) is used`,
  },
  dbSubnetGroupName: {
    value: undefined,
    source:
      "RDS API reference, CreateDBInstance/CreateDBCluster: without DBSubnetGroupName, the database is created in the Region's default VPC",
  },
  instanceAutoMinorVersionUpgrade: {
    value: true,
    source: `${CFN_DBINSTANCE} and RDS API reference, CreateDBInstance: AutoMinorVersionUpgrade defaults to true (minor engine upgrades are applied automatically during the maintenance window)`,
  },
  clusterAutoMinorVersionUpgrade: {
    value: true,
    source: `${CFN_DBCLUSTER} and RDS API reference, CreateDBCluster: AutoMinorVersionUpgrade (Multi-AZ DB clusters) defaults to true (minor engine upgrades are applied automatically during the maintenance window)`,
  },
  kmsKeyEnabled: { value: true, source: "CloudFormation AWS::KMS::Key reference: Enabled defaults to true" },
  kmsKeyRotation: {
    value: false,
    source: "CloudFormation AWS::KMS::Key reference: EnableKeyRotation defaults to false",
  },
} satisfies Record<string, DocumentedDefault<unknown>>;
