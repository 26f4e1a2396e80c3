/**
 * Fixture account states for the fake endpoint. `standardState()` covers what the audit must understand:
 * several regions, Aurora with members, a Multi-AZ DB cluster, standalone instances, same- and cross-region
 * read replicas, Serverless v2, a global cluster across two regions, customer-managed and AWS-managed keys,
 * an expired CA and an expiring server certificate, CloudFormation stack tags, and a Neptune cluster (same
 * API, not RDS: must be left out). `largeState()` is the benchmark's organisation.
 */
import type {
  Certificate,
  DBCluster,
  DBInstance,
  DBMajorEngineVersion,
  GlobalCluster,
  Parameter,
  Tag,
} from "@aws-sdk/client-rds";
import type { FakeAccount, FakeAwsState, FakeKey } from "./server.js";

export const ACCOUNT_A = "111111111111";
export const ACCOUNT_B = "222222222222";
export const ACCOUNT_C = "333333333333";
export const ROLE_NAME = "RdsGuardAudit";
export const EXTERNAL_ID_B = "ext-id-b";

export const clusterArn = (account: string, region: string, id: string) =>
  `arn:aws:rds:${region}:${account}:cluster:${id}`;
export const dbArn = (account: string, region: string, id: string) => `arn:aws:rds:${region}:${account}:db:${id}`;
export const keyArn = (account: string, region: string, id: string) => `arn:aws:kms:${region}:${account}:key/${id}`;

function tags(t: Record<string, string>): Tag[] {
  return Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
}

function stackTags(stack: string, logicalId: string, extra: Record<string, string> = {}): Tag[] {
  return tags({
    "aws:cloudformation:stack-name": stack,
    "aws:cloudformation:logical-id": logicalId,
    "aws:cloudformation:stack-id": `arn:aws:cloudformation:us-east-1:${ACCOUNT_A}:stack/${stack}/0d7c6a10-0000-0000-0000-000000000000`,
    ...extra,
  });
}

export function standardCertificates(): Certificate[] {
  return [
    {
      CertificateIdentifier: "rds-ca-2019",
      CertificateType: "CA",
      ValidFrom: new Date("2019-08-22T17:08:50Z"),
      ValidTill: new Date("2024-08-22T17:08:50Z"),
      Thumbprint: "d40ddb29e3750dffa671c3140bbf5f478d1c8096",
    },
    {
      CertificateIdentifier: "rds-ca-rsa2048-g1",
      CertificateType: "CA",
      ValidFrom: new Date("2021-05-25T22:34:08Z"),
      ValidTill: new Date("2061-05-25T23:34:08Z"),
      Thumbprint: "fakethumbprint2048",
    },
    {
      CertificateIdentifier: "rds-ca-rsa4096-g1",
      CertificateType: "CA",
      ValidFrom: new Date("2021-05-25T22:38:35Z"),
      ValidTill: new Date("2121-05-25T23:38:35Z"),
      Thumbprint: "fakethumbprint4096",
    },
    {
      CertificateIdentifier: "rds-ca-ecc384-g1",
      CertificateType: "CA",
      ValidFrom: new Date("2021-05-25T22:41:07Z"),
      ValidTill: new Date("2121-05-25T23:41:07Z"),
      Thumbprint: "fakethumbprintecc",
    },
  ];
}

/** One major version's DescribeDBMajorEngineVersions answer (end dates as the API gives them: 23:59:59.999 UTC). */
function major(engine: string, version: string, standardEnd: string, extendedEnd?: string): DBMajorEngineVersion {
  const end = (d: string) => new Date(`${d}T23:59:59.999Z`);
  return {
    Engine: engine,
    MajorEngineVersion: version,
    SupportedEngineLifecycles: [
      {
        LifecycleSupportName: "open-source-rds-standard-support",
        LifecycleSupportStartDate: new Date("2020-01-01T00:00:00Z"),
        LifecycleSupportEndDate: end(standardEnd),
      },
      ...(extendedEnd
        ? [
            {
              LifecycleSupportName: "open-source-rds-extended-support" as const,
              LifecycleSupportStartDate: new Date(new Date(`${standardEnd}T00:00:00Z`).getTime() + 86_400_000),
              LifecycleSupportEndDate: end(extendedEnd),
            },
          ]
        : []),
    ],
  };
}

/** What a region answers for the engines the fixture uses (same dates as AWS publishes, retrieved 2026-12-02). */
export function standardMajorEngineVersions(): DBMajorEngineVersion[] {
  return [
    major("aurora-postgresql", "16", "2029-02-28", "2032-02-29"),
    major("aurora-mysql", "5.7", "2024-10-31", "2027-02-28"),
    major("aurora-mysql", "8.0", "2028-04-30", "2029-07-31"),
    major("postgres", "15", "2028-02-29", "2031-02-28"),
    major("postgres", "16", "2029-02-28", "2032-02-29"),
    major("mysql", "8.0", "2026-07-31", "2029-07-31"),
    major("mysql", "8.4", "2029-07-31", "2032-07-31"),
  ];
}

function userParameter(name: string, value: string): Parameter {
  return { ParameterName: name, ParameterValue: value, Source: "user", ApplyType: "dynamic", IsModifiable: true };
}

function systemParameter(name: string, value: string): Parameter {
  return { ParameterName: name, ParameterValue: value, Source: "system", ApplyType: "static", IsModifiable: false };
}

export interface ClusterInput extends Partial<DBCluster> {
  members?: { id: string; writer: boolean }[];
}

export function cluster(account: string, region: string, id: string, input: ClusterInput): DBCluster {
  const { members = [], ...rest } = input;
  return {
    DBClusterIdentifier: id,
    DBClusterArn: clusterArn(account, region, id),
    Engine: "aurora-postgresql",
    EngineVersion: "16.4",
    EngineMode: "provisioned",
    Status: "available",
    MultiAZ: members.length > 1,
    AvailabilityZones: [`${region}a`, `${region}b`, `${region}c`],
    BackupRetentionPeriod: 7,
    StorageEncrypted: true,
    StorageEncryptionType: "sse-kms",
    DeletionProtection: true,
    IAMDatabaseAuthenticationEnabled: true,
    PreferredBackupWindow: "07:00-07:30",
    PreferredMaintenanceWindow: "sat:09:00-sat:09:30",
    AutoMinorVersionUpgrade: true,
    MasterUsername: "postgres",
    DBClusterParameterGroup: "default.aurora-postgresql16",
    DBSubnetGroup: "private-db",
    EngineLifecycleSupport: "open-source-rds-extended-support",
    DBClusterMembers: members.map((m, i) => ({
      DBInstanceIdentifier: m.id,
      IsClusterWriter: m.writer,
      PromotionTier: i + 1,
      DBClusterParameterGroupStatus: "in-sync",
    })),
    TagList: [],
    ...rest,
  };
}

export function instance(account: string, region: string, id: string, input: Partial<DBInstance>): DBInstance {
  return {
    DBInstanceIdentifier: id,
    DBInstanceArn: dbArn(account, region, id),
    DBInstanceClass: "db.r6g.large",
    Engine: "aurora-postgresql",
    EngineVersion: "16.4",
    DBInstanceStatus: "available",
    AvailabilityZone: `${region}a`,
    MultiAZ: false,
    BackupRetentionPeriod: 7,
    StorageEncrypted: true,
    StorageEncryptionType: "sse-kms",
    DeletionProtection: false,
    IAMDatabaseAuthenticationEnabled: false,
    CACertificateIdentifier: "rds-ca-rsa2048-g1",
    CertificateDetails: { CAIdentifier: "rds-ca-rsa2048-g1", ValidTill: new Date("2027-06-01T00:00:00Z") },
    PubliclyAccessible: false,
    AutoMinorVersionUpgrade: true,
    PreferredBackupWindow: "07:00-07:30",
    PreferredMaintenanceWindow: "sun:04:00-sun:04:30",
    DBParameterGroups: [{ DBParameterGroupName: "default.aurora-postgresql16", ParameterApplyStatus: "in-sync" }],
    DBSubnetGroup: { DBSubnetGroupName: "private-db", VpcId: "vpc-0fake", SubnetGroupStatus: "Complete" },
    EngineLifecycleSupport: "open-source-rds-extended-support",
    TagList: [],
    ...input,
  };
}

export interface StandardFixture {
  state: FakeAwsState;
  keys: { ordersCmk: string; euCmk: string; awsRds: string; awsRdsEu: string; bCmk: string };
  /** Every RDS resource ARN the fixture holds per account/region (Neptune excluded): the "nothing lost" list. */
  expected: { account: string; region: string; ids: string[] }[];
  globalClusterArn: string;
  neptuneArn: string;
  ordersTemplate: string;
}

export const ORDERS_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Description: orders database
Resources:
  OrdersKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  OrdersCluster:
    Type: AWS::RDS::DBCluster
    DeletionPolicy: Snapshot
    UpdateReplacePolicy: Snapshot
    Properties:
      Engine: aurora-postgresql
      EngineVersion: "16.4"
      StorageEncrypted: true
      KmsKeyId: !GetAtt OrdersKey.Arn
      BackupRetentionPeriod: 7
      DeletionProtection: true
      EnableIAMDatabaseAuthentication: true
  OrdersWriter:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref OrdersCluster
      DBInstanceClass: db.r6g.large
      Engine: aurora-postgresql
  OrdersReader:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref OrdersCluster
      DBInstanceClass: db.r6g.large
      Engine: aurora-postgresql
`;

export const LEGACY_TEMPLATE = `{
  "Resources": {
    "LegacyCluster": {
      "Type": "AWS::RDS::DBCluster",
      "Properties": {
        "Engine": "aurora-mysql",
        "BackupRetentionPeriod": 1
      }
    },
    "LegacyWriter": {
      "Type": "AWS::RDS::DBInstance",
      "Properties": {
        "DBClusterIdentifier": { "Ref": "LegacyCluster" },
        "DBInstanceClass": "db.t3.medium",
        "Engine": "aurora-mysql"
      }
    }
  }
}
`;

/** The standard organisation. `now` dates the expiring server certificate (10 days later). */
export function standardState(now = new Date()): StandardFixture {
  const A = ACCOUNT_A;
  const B = ACCOUNT_B;
  const use1 = "us-east-1";
  const euw1 = "eu-west-1";
  const aps2 = "ap-southeast-2";
  const ordersCmk = keyArn(A, use1, "1a2b3c4d-0000-4000-8000-000000000001");
  const euCmk = keyArn(A, euw1, "1a2b3c4d-0000-4000-8000-000000000002");
  const awsRds = keyArn(A, use1, "1a2b3c4d-0000-4000-8000-0000000000aa");
  const awsRdsEu = keyArn(A, euw1, "1a2b3c4d-0000-4000-8000-0000000000ab");
  const bCmk = keyArn(B, use1, "1a2b3c4d-0000-4000-8000-000000000003");
  const keysA: FakeKey[] = [
    { arn: ordersCmk, keyId: ordersCmk.split("/")[1] ?? "", manager: "CUSTOMER", enabled: true, rotation: true },
    { arn: euCmk, keyId: euCmk.split("/")[1] ?? "", manager: "CUSTOMER", enabled: true, rotation: false },
    { arn: awsRds, keyId: awsRds.split("/")[1] ?? "", manager: "AWS", enabled: true, rotation: true },
    { arn: awsRdsEu, keyId: awsRdsEu.split("/")[1] ?? "", manager: "AWS", enabled: true, rotation: true },
  ];
  const expiring = new Date(now.getTime() + 10 * 86_400_000);

  const use1Clusters: DBCluster[] = [
    cluster(A, use1, "orders", {
      KmsKeyId: ordersCmk,
      DBClusterParameterGroup: "orders-tls",
      GlobalClusterIdentifier: "global-orders",
      members: [
        { id: "orders-1", writer: true },
        { id: "orders-2", writer: false },
      ],
      TagList: stackTags("orders-stack", "OrdersCluster", { team: "payments" }),
    }),
    cluster(A, use1, "legacy", {
      Engine: "aurora-mysql",
      EngineVersion: "5.7.mysql_aurora.2.11.2",
      StorageEncrypted: false,
      StorageEncryptionType: "none",
      BackupRetentionPeriod: 1,
      DeletionProtection: false,
      IAMDatabaseAuthenticationEnabled: false,
      // An older answer: no AutoMinorVersionUpgrade on the cluster.
      AutoMinorVersionUpgrade: undefined,
      DBClusterParameterGroup: "default.aurora-mysql5.7",
      members: [{ id: "legacy-1", writer: true }],
      TagList: stackTags("legacy-stack", "LegacyCluster"),
    }),
    // Encrypted with an AWS owned key: the API says StorageEncrypted=false, StorageEncryptionType=sse-rds.
    cluster(A, use1, "analytics", {
      StorageEncrypted: false,
      StorageEncryptionType: "sse-rds",
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
      members: [{ id: "analytics-1", writer: true }],
    }),
    // Multi-AZ DB cluster (not Aurora): the class is on the cluster.
    cluster(A, use1, "metrics", {
      Engine: "postgres",
      EngineVersion: "16.3",
      DBClusterInstanceClass: "db.m6gd.large",
      KmsKeyId: awsRds,
      MultiAZ: true,
      PreferredBackupWindow: "01:00-01:30",
      PreferredMaintenanceWindow: "wed:02:00-wed:02:30",
      AutoMinorVersionUpgrade: false,
      PubliclyAccessible: false,
      DBClusterParameterGroup: "default.postgres16",
      members: [
        { id: "metrics-1", writer: true },
        { id: "metrics-2", writer: false },
        { id: "metrics-3", writer: false },
      ],
    }),
    // Neptune shares the RDS API; rdsguard must leave it out.
    cluster(A, use1, "graph", {
      Engine: "neptune",
      EngineVersion: "1.3.2.1",
      members: [{ id: "graph-1", writer: true }],
    }),
  ];
  const use1Instances: DBInstance[] = [
    instance(A, use1, "orders-1", {
      DBClusterIdentifier: "orders",
      KmsKeyId: ordersCmk,
      TagList: stackTags("orders-stack", "OrdersWriter"),
    }),
    instance(A, use1, "orders-2", {
      DBClusterIdentifier: "orders",
      KmsKeyId: ordersCmk,
      AvailabilityZone: `${use1}b`,
      TagList: stackTags("orders-stack", "OrdersReader"),
    }),
    instance(A, use1, "legacy-1", {
      DBClusterIdentifier: "legacy",
      Engine: "aurora-mysql",
      EngineVersion: "5.7.mysql_aurora.2.11.2",
      DBInstanceClass: "db.t3.medium",
      StorageEncrypted: false,
      StorageEncryptionType: "none",
      BackupRetentionPeriod: 1,
      CACertificateIdentifier: "rds-ca-2019",
      CertificateDetails: { CAIdentifier: "rds-ca-2019", ValidTill: new Date("2024-08-22T17:08:50Z") },
      TagList: stackTags("legacy-stack", "LegacyWriter"),
    }),
    instance(A, use1, "analytics-1", {
      DBClusterIdentifier: "analytics",
      DBInstanceClass: "db.serverless",
      StorageEncrypted: false,
      StorageEncryptionType: "sse-rds",
    }),
    ...["metrics-1", "metrics-2", "metrics-3"].map((id, n) =>
      instance(A, use1, id, {
        DBClusterIdentifier: "metrics",
        Engine: "postgres",
        EngineVersion: "16.3",
        DBInstanceClass: "db.m6gd.large",
        KmsKeyId: awsRds,
        AvailabilityZone: `${use1}${"abc"[n]}`,
      }),
    ),
    instance(A, use1, "reports-db", {
      Engine: "postgres",
      EngineVersion: "15.7",
      DBInstanceClass: "db.m6g.large",
      KmsKeyId: awsRds,
      BackupRetentionPeriod: 0,
      MultiAZ: false,
      DBParameterGroups: [{ DBParameterGroupName: "reports-params", ParameterApplyStatus: "in-sync" }],
      ReadReplicaDBInstanceIdentifiers: ["reports-replica", dbArn(A, euw1, "reports-replica-eu")],
    }),
    instance(A, use1, "reports-replica", {
      Engine: "postgres",
      EngineVersion: "15.7",
      DBInstanceClass: "db.m6g.large",
      KmsKeyId: awsRds,
      BackupRetentionPeriod: 0,
      DBParameterGroups: [{ DBParameterGroupName: "reports-params", ParameterApplyStatus: "in-sync" }],
      ReadReplicaSourceDBInstanceIdentifier: "reports-db",
    }),
    instance(A, use1, "graph-1", { DBClusterIdentifier: "graph", Engine: "neptune", DBInstanceClass: "db.r6g.large" }),
  ];

  const euClusters: DBCluster[] = [
    cluster(A, euw1, "orders-eu", {
      KmsKeyId: euCmk,
      GlobalClusterIdentifier: "global-orders",
      ReplicationSourceIdentifier: clusterArn(A, use1, "orders"),
      members: [{ id: "orders-eu-1", writer: false }],
    }),
  ];
  const euInstances: DBInstance[] = [
    instance(A, euw1, "orders-eu-1", { DBClusterIdentifier: "orders-eu", KmsKeyId: euCmk }),
    instance(A, euw1, "billing-mysql", {
      Engine: "mysql",
      EngineVersion: "8.0.39",
      DBInstanceClass: "db.t4g.micro",
      StorageEncrypted: false,
      StorageEncryptionType: "none",
      MultiAZ: true,
      DeletionProtection: true,
      IAMDatabaseAuthenticationEnabled: true,
      PubliclyAccessible: true,
      AutoMinorVersionUpgrade: false,
      PreferredBackupWindow: "22:00-22:30",
      PreferredMaintenanceWindow: "mon:23:30-tue:00:00",
      DBParameterGroups: [{ DBParameterGroupName: "default.mysql8.0", ParameterApplyStatus: "in-sync" }],
      DBSubnetGroup: { DBSubnetGroupName: "public-db", VpcId: "vpc-0fake", SubnetGroupStatus: "Complete" },
      CertificateDetails: { CAIdentifier: "rds-ca-rsa2048-g1", ValidTill: expiring },
    }),
    instance(A, euw1, "reports-replica-eu", {
      Engine: "postgres",
      EngineVersion: "15.7",
      DBInstanceClass: "db.m6g.large",
      KmsKeyId: awsRdsEu,
      DBParameterGroups: [{ DBParameterGroupName: "reports-params", ParameterApplyStatus: "in-sync" }],
      ReadReplicaSourceDBInstanceIdentifier: dbArn(A, use1, "reports-db"),
    }),
  ];
  const apInstances: DBInstance[] = [
    instance(A, aps2, "sydney-pg", {
      Engine: "postgres",
      EngineVersion: "16.3",
      DBInstanceClass: "db.r6g.large",
      StorageEncrypted: true,
      StorageEncryptionType: "sse-rds",
      MultiAZ: true,
      // An answer without the windows, PubliclyAccessible or AutoMinorVersionUpgrade: absent, never invented.
      PubliclyAccessible: undefined,
      AutoMinorVersionUpgrade: undefined,
      PreferredBackupWindow: undefined,
      PreferredMaintenanceWindow: undefined,
      DBParameterGroups: [{ DBParameterGroupName: "default.postgres16", ParameterApplyStatus: "in-sync" }],
    }),
  ];

  const globalClusterArn = `arn:aws:rds::${A}:global-cluster:global-orders`;
  const globals: GlobalCluster[] = [
    {
      GlobalClusterIdentifier: "global-orders",
      GlobalClusterArn: globalClusterArn,
      GlobalClusterResourceId: "cluster-fake-global",
      Status: "available",
      Engine: "aurora-postgresql",
      EngineVersion: "16.4",
      StorageEncrypted: true,
      StorageEncryptionType: "sse-kms",
      DeletionProtection: false,
      GlobalClusterMembers: [
        { DBClusterArn: clusterArn(A, euw1, "orders-eu"), IsWriter: false, Readers: [] },
        { DBClusterArn: clusterArn(A, use1, "orders"), IsWriter: true, Readers: [clusterArn(A, euw1, "orders-eu")] },
      ],
      TagList: [],
    },
  ];

  const accountA: FakeAccount = {
    id: A,
    regions: {
      [use1]: {
        clusters: use1Clusters,
        instances: use1Instances,
        certificates: standardCertificates(),
        defaultCertificate: "rds-ca-rsa2048-g1",
        stacks: { "orders-stack": ORDERS_TEMPLATE, "legacy-stack": LEGACY_TEMPLATE },
        majorEngineVersions: standardMajorEngineVersions(),
        dbClusterParameterGroups: {
          "orders-tls": [userParameter("rds.force_ssl", "1"), systemParameter("rds.logical_replication", "0")],
        },
        dbParameterGroups: {
          "reports-params": [userParameter("rds.force_ssl", "0"), userParameter("log_min_duration_statement", "500")],
        },
      },
      [euw1]: {
        clusters: euClusters,
        instances: euInstances,
        certificates: standardCertificates(),
        defaultCertificate: "rds-ca-rsa2048-g1",
        majorEngineVersions: standardMajorEngineVersions(),
        dbParameterGroups: {
          "reports-params": [userParameter("rds.force_ssl", "0")],
        },
      },
      [aps2]: {
        clusters: [],
        instances: apInstances,
        certificates: standardCertificates(),
        defaultCertificate: "rds-ca-rsa2048-g1",
        majorEngineVersions: standardMajorEngineVersions(),
      },
    },
    globalClusters: globals,
    keys: keysA,
    roles: { [ROLE_NAME]: {} },
  };

  const accountB: FakeAccount = {
    id: B,
    regions: {
      [use1]: {
        clusters: [],
        instances: [
          instance(B, use1, "b-app", {
            Engine: "mysql",
            EngineVersion: "8.0.39",
            DBInstanceClass: "db.m6g.large",
            KmsKeyId: bCmk,
            MultiAZ: true,
            DeletionProtection: true,
          }),
        ],
        certificates: standardCertificates(),
        defaultCertificate: "rds-ca-rsa2048-g1",
      },
    },
    enabledRegions: [use1],
    globalClusters: [],
    keys: [{ arn: bCmk, keyId: bCmk.split("/")[1] ?? "", manager: "CUSTOMER", enabled: false, rotation: false }],
    roles: { [ROLE_NAME]: { externalId: EXTERNAL_ID_B } },
  };

  // No role for the auditor: AssumeRole is denied.
  const accountC: FakeAccount = { id: ACCOUNT_C, regions: {}, globalClusters: [], keys: [] };

  const ids = (account: string, region: string, clusters: DBCluster[], instances: DBInstance[]) => ({
    account,
    region,
    ids: [
      ...clusters.filter((c) => c.Engine !== "neptune").map((c) => c.DBClusterArn ?? ""),
      ...instances.filter((i) => i.Engine !== "neptune").map((i) => i.DBInstanceArn ?? ""),
    ],
  });

  return {
    state: { accounts: [accountA, accountB, accountC], defaultAccount: A },
    keys: { ordersCmk, euCmk, awsRds, awsRdsEu, bCmk },
    expected: [
      ids(A, use1, use1Clusters, use1Instances),
      ids(A, euw1, euClusters, euInstances),
      ids(A, aps2, [], apInstances),
      ids(B, use1, [], accountB.regions[use1]?.instances ?? []),
    ],
    globalClusterArn,
    neptuneArn: clusterArn(A, use1, "graph"),
    ordersTemplate: ORDERS_TEMPLATE,
  };
}

/**
 * The benchmark's organisation: `clusters` Aurora clusters with two members each, the rest of `instances`
 * standalone, spread over `regions`, one customer key per region plus the AWS managed key.
 */
export function largeState(options: { instances: number; clusters: number; regions: string[] }): FakeAwsState {
  const A = ACCOUNT_A;
  const regions: FakeAccount["regions"] = {};
  const keys: FakeKey[] = [];
  const perRegion = (n: number, r: number) =>
    Math.floor(n / options.regions.length) + (r < n % options.regions.length ? 1 : 0);
  options.regions.forEach((region, r) => {
    const cmk = keyArn(A, region, `bench-cmk-${region}`);
    const awsKey = keyArn(A, region, `bench-aws-${region}`);
    keys.push(
      { arn: cmk, keyId: `bench-cmk-${region}`, manager: "CUSTOMER", enabled: true, rotation: r % 2 === 0 },
      { arn: awsKey, keyId: `bench-aws-${region}`, manager: "AWS", enabled: true, rotation: true },
    );
    const clusters: DBCluster[] = [];
    const instances: DBInstance[] = [];
    const nClusters = perRegion(options.clusters, r);
    const nInstances = perRegion(options.instances, r);
    for (let c = 0; c < nClusters; c++) {
      const id = `bench-c${c}`;
      const members = [`${id}-1`, `${id}-2`];
      clusters.push(
        cluster(A, region, id, {
          KmsKeyId: c % 3 === 0 ? awsKey : cmk,
          DeletionProtection: c % 5 !== 0,
          members: members.map((m, n) => ({ id: m, writer: n === 0 })),
          TagList: tags({ env: c % 2 ? "prod" : "dev" }),
        }),
      );
      for (const m of members) {
        if (instances.length >= nInstances) break;
        instances.push(instance(A, region, m, { DBClusterIdentifier: id, KmsKeyId: c % 3 === 0 ? awsKey : cmk }));
      }
    }
    for (let i = 0; instances.length < nInstances; i++) {
      instances.push(
        instance(A, region, `bench-db${i}`, {
          Engine: i % 2 ? "mysql" : "postgres",
          EngineVersion: i % 2 ? "8.0.39" : "16.3",
          DBInstanceClass: i % 7 === 0 ? "db.t3.medium" : "db.m6g.large",
          KmsKeyId: i % 4 === 0 ? undefined : cmk,
          StorageEncrypted: i % 4 !== 0,
          StorageEncryptionType: i % 4 === 0 ? "none" : "sse-kms",
          MultiAZ: i % 3 === 0,
          BackupRetentionPeriod: i % 10,
          // Half the standalone databases share one of two custom groups, the rest keep the default group.
          DBParameterGroups: [
            {
              DBParameterGroupName:
                i % 4 < 2
                  ? i % 2
                    ? "bench-mysql80"
                    : "bench-postgres16"
                  : i % 2
                    ? "default.mysql8.0"
                    : "default.postgres16",
              ParameterApplyStatus: "in-sync",
            },
          ],
        }),
      );
    }
    regions[region] = {
      clusters,
      instances,
      certificates: standardCertificates(),
      defaultCertificate: "rds-ca-rsa2048-g1",
      majorEngineVersions: standardMajorEngineVersions(),
      dbParameterGroups: {
        "bench-mysql80": [userParameter("require_secure_transport", "ON")],
        "bench-postgres16": [userParameter("rds.force_ssl", "1")],
      },
    };
  });
  return {
    accounts: [{ id: A, regions, globalClusters: [], keys, enabledRegions: options.regions }],
    defaultAccount: A,
  };
}
