/** Public surface of the live scanner. */
export { ApiCallRecorder, AwsClientFactory, describeAwsError, parseArn } from "./aws.js";
export { type ConfigScanOptions, type ConfigScanResult, parseMaxAge, scanConfig } from "./config.js";
export { createLimiter, mapLimit } from "./limiter.js";
export { encryptionOf, mapCertificates, mapCluster, mapGlobalCluster, mapInstance } from "./map.js";
export {
  type DeployedTemplate,
  type LiveProgress,
  type LiveScanOptions,
  type LiveScanResult,
  resolveDefaultRegion,
  scanLive,
} from "./scan.js";
export { attachStackTemplates } from "./stack-templates.js";

/**
 * Every AWS API operation the live scanner can send, as IAM actions. docs/iam-policy.json grants exactly these
 * (sts:AssumeRole aside: that one belongs to the caller's own policy); a test holds the two and the code together.
 */
export const LIVE_API_OPERATIONS = [
  "rds:DescribeDBClusters",
  "rds:DescribeDBInstances",
  "rds:DescribeGlobalClusters",
  "rds:DescribeCertificates",
  "rds:DescribeDBMajorEngineVersions",
  "rds:DescribeDBParameters",
  "rds:DescribeDBClusterParameters",
  "kms:DescribeKey",
  "kms:GetKeyRotationStatus",
  "cloudformation:GetTemplate",
  "ec2:DescribeRegions",
  "sts:GetCallerIdentity",
  "sts:AssumeRole",
] as const;

/**
 * Every operation `audit --source config` can send; docs/iam-policy-config.json grants exactly these
 * (rds:DescribeCertificates only with --describe-certificates).
 */
export const CONFIG_API_OPERATIONS = ["config:SelectAggregateResourceConfig", "rds:DescribeCertificates"] as const;
