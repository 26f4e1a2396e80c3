/**
 * Generates a realistic benchmark corpus: CloudFormation templates in YAML and JSON, from a few dozen to a few
 * thousand lines. About a third declare RDS/Aurora resources (clusters with members, standalone instances,
 * replicas, conditions, parameters); the rest are the network, compute and storage stacks a real repository holds.
 * Deterministic (seeded), so runs are comparable.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ENGINES = ["aurora-postgresql", "aurora-mysql"];
const CLASSES = ["db.r6g.large", "db.r7g.xlarge", "db.t4g.medium", "db.serverless", "db.r5.2xlarge"];

function databaseResources(i, rand) {
  const engine = ENGINES[i % 2];
  const res = {};
  res[`Key${i}`] = {
    Type: "AWS::KMS::Key",
    Properties: { EnableKeyRotation: rand() > 0.3, KeyPolicy: { Version: "2012-10-17", Statement: [] } },
  };
  res[`Cluster${i}`] = {
    Type: "AWS::RDS::DBCluster",
    DeletionPolicy: rand() > 0.5 ? "Snapshot" : "Delete",
    Properties: {
      Engine: engine,
      EngineVersion: engine === "aurora-mysql" ? "8.0.mysql_aurora.3.08.0" : "16.4",
      StorageEncrypted: rand() > 0.2,
      KmsKeyId: { "Fn::GetAtt": [`Key${i}`, "Arn"] },
      BackupRetentionPeriod: { "Fn::If": ["IsProd", 14, 1] },
      DeletionProtection: { Ref: "Protect" },
      EnableIAMDatabaseAuthentication: rand() > 0.5,
      DBSubnetGroupName: { "Fn::ImportValue": "network-DbSubnets" },
      MasterUsername: "admin",
      ManageMasterUserPassword: true,
      Tags: [{ Key: "environment", Value: { Ref: "Environment" } }],
    },
  };
  const members = 1 + Math.floor(rand() * 3);
  for (let m = 0; m < members; m++) {
    res[`Cluster${i}Instance${m}`] = {
      Type: "AWS::RDS::DBInstance",
      Properties: {
        Engine: engine,
        DBClusterIdentifier: { Ref: `Cluster${i}` },
        DBInstanceClass: CLASSES[Math.floor(rand() * CLASSES.length)],
        CACertificateIdentifier: rand() > 0.1 ? "rds-ca-rsa2048-g1" : "rds-ca-2019",
      },
    };
  }
  res[`Standalone${i}`] = {
    Type: "AWS::RDS::DBInstance",
    Properties: {
      Engine: "postgres",
      DBInstanceClass: "db.m7g.large",
      AllocatedStorage: 100,
      MultiAZ: { "Fn::If": ["IsProd", true, false] },
      StorageEncrypted: rand() > 0.5,
      MasterUsername: "admin",
      MasterUserPassword: "{{resolve:secretsmanager:db-secret:SecretString:password}}",
    },
  };
  return res;
}

function otherResources(i, rand) {
  const res = {};
  res[`Bucket${i}`] = {
    Type: "AWS::S3::Bucket",
    Properties: {
      BucketName: { "Fn::Sub": `app-${i}-\${AWS::AccountId}` },
      VersioningConfiguration: { Status: "Enabled" },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" } }],
      },
    },
  };
  res[`Role${i}`] = {
    Type: "AWS::IAM::Role",
    Properties: {
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com"] }, Action: ["sts:AssumeRole"] }],
      },
      ManagedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    },
  };
  res[`Function${i}`] = {
    Type: "AWS::Lambda::Function",
    Properties: {
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: { "Fn::GetAtt": [`Role${i}`, "Arn"] },
      MemorySize: Math.floor(128 + rand() * 1024),
      Environment: { Variables: { TABLE: { Ref: `Bucket${i}` }, STAGE: { Ref: "Environment" } } },
      Code: { ZipFile: "exports.handler = async () => ({ statusCode: 200 });\n" },
    },
  };
  res[`Subnet${i}`] = {
    Type: "AWS::EC2::Subnet",
    Properties: {
      VpcId: { "Fn::ImportValue": "network-VpcId" },
      CidrBlock: `10.${i % 255}.0.0/24`,
      AvailabilityZone: { "Fn::Select": [i % 3, { "Fn::GetAZs": "" }] },
    },
  };
  return res;
}

function template(index, rand) {
  const hasDatabase = index % 3 === 0;
  // Sizes: mostly small, some large (a few thousand lines).
  const blocks = rand() < 0.8 ? 1 + Math.floor(rand() * 6) : 20 + Math.floor(rand() * 40);
  const resources = {};
  for (let b = 0; b < blocks; b++) Object.assign(resources, otherResources(index * 100 + b, rand));
  if (hasDatabase)
    for (let b = 0; b < Math.max(1, Math.floor(blocks / 8)); b++)
      Object.assign(resources, databaseResources(index * 100 + b, rand));
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Benchmark stack ${index}`,
    Parameters: {
      Environment: { Type: "String", Default: "dev", AllowedValues: ["dev", "prod"] },
      Protect: { Type: "String", Default: "true" },
    },
    Conditions: { IsProd: { "Fn::Equals": [{ Ref: "Environment" }, "prod"] } },
    Resources: resources,
  };
}

/** YAML writer for the generated shapes, using short-form tags as people write them. */
function toYaml(value, indent = "") {
  const pad = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return " []";
    return value.map((v) => `\n${indent}- ${toYaml(v, pad).replace(/^\n\s*/, "")}`).join("");
  }
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"))) {
      const tag = keys[0] === "Ref" ? "!Ref" : `!${keys[0].slice(4)}`;
      const arg = value[keys[0]];
      if (keys[0] === "Fn::GetAtt") return ` !GetAtt ${arg.join(".")}`;
      if (typeof arg !== "object") return ` ${tag} ${JSON.stringify(arg)}`;
      return ` ${tag} ${JSON.stringify(arg)}`;
    }
    if (keys.length === 0) return " {}";
    return keys.map((k) => `\n${indent}${k}:${toYaml(value[k], pad)}`).join("");
  }
  if (typeof value === "string") return ` ${JSON.stringify(value)}`;
  return ` ${String(value)}`;
}

export function generateCorpus(dir, count = 1000, seed = 42) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rand = rng(seed);
  const files = [];
  for (let i = 0; i < count; i++) {
    const t = template(i, rand);
    const json = i % 2 === 1;
    const file = path.join(dir, `stack-${String(i).padStart(4, "0")}.${json ? "json" : "yaml"}`);
    writeFileSync(file, json ? `${JSON.stringify(t, null, 2)}\n` : `${toYaml(t).trimStart()}\n`);
    files.push(file);
  }
  return files;
}
