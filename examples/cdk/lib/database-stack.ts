/**
 * The example's databases: a compliant Aurora PostgreSQL cluster in the stack, and a non-compliant standalone MySQL
 * instance in a nested stack, so both the stack and the nested-stack paths of rdsguard are exercised.
 */
import { Duration, NestedStack, type NestedStackProps, Stack, type StackProps } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as kms from "aws-cdk-lib/aws-kms";
import * as rds from "aws-cdk-lib/aws-rds";
import type { Construct } from "constructs";

const instanceType = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);

export class DatabaseStack extends Stack {
  readonly cluster: rds.DatabaseCluster;
  readonly reporting: ReportingStack;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: "db", subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const key = new kms.Key(this, "DatabaseKey", { enableKeyRotation: true });

    // Compliant with the first seven rules: encrypted with a rotated customer-managed key, IAM authentication, 14 days
    // of backups, deletion protection, a writer and a reader (two AZs), current instance class and CA. It keeps
    // Aurora PostgreSQL's default cluster parameter group, which does not force TLS: encryption-in-transit fails it.
    this.cluster = new rds.DatabaseCluster(this, "Cluster", {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.provisioned("Writer", {
        instanceType,
        caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      }),
      readers: [
        rds.ClusterInstance.provisioned("Reader", { instanceType, caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1 }),
      ],
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncryptionKey: key,
      iamAuthentication: true,
      backup: { retention: Duration.days(14) },
      deletionProtection: true,
    });

    this.reporting = new ReportingStack(this, "Reporting", { vpc });
  }
}

export interface ReportingStackProps extends NestedStackProps {
  vpc: ec2.IVpc;
}

/** Not compliant on purpose: aws-cdk-lib's defaults for a DatabaseInstance, on a burstable class. */
export class ReportingStack extends NestedStack {
  readonly instance: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, props: ReportingStackProps) {
    super(scope, id, props);
    this.instance = new rds.DatabaseInstance(this, "ReportingDb", {
      engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    // An inline waiver, written where rdsguard reads it (Metadata rdsguard.suppress of the DB instance); from
    // rdsguard/cdk, addRdsGuardWaiver(this.instance, {...}) writes the same.
    (this.instance.node.defaultChild as rds.CfnDBInstance).addMetadata("rdsguard", {
      suppress: [{ rule: "multi-az", reason: "Reporting replica, rebuilt nightly from the warehouse (ADR-7)" }],
    });
  }
}
