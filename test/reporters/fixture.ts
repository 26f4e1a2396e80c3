/**
 * A realistic ScanReport built by hand, so the reporters are tested without depending on the scanners or on the
 * wording of the real rules: template and CDK findings, a live finding, every verdict, a policy waiver, an expired
 * inline waiver, an undecided condition, characters every format must escape, and two scan errors.
 * (test/reporters/pipeline.ts builds reports from real templates through the scanner and engine.)
 */
import { createHash } from "node:crypto";
import type { Finding, ScanError, ScanReport } from "../../src/engine/types.js";
import type { ResourceKind, ResourceOrigin, SourceLocation } from "../../src/model/types.js";
import type { RuleMeta, Severity, Verdict } from "../../src/rules/types.js";

export const ROOT = "/work/repo";

export function ruleMeta(id: string, severity: Severity, title: string, overrides: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    title,
    severity,
    description: `${title}: judged on DB clusters and standalone DB instances.`,
    rationale: `Without it, ${id} is a risk to the data.`,
    remediation: {
      text: `Set the property that ${id} checks.`,
      snippet: `Resources:\n  Cluster:\n    Type: AWS::RDS::DBCluster\n    Properties:\n      # ${id}\n      DeletionProtection: true`,
    },
    parameters: [],
    references: {
      securityHub: ["RDS.1"],
      awsConfig: ["rds-check"],
      checkov: ["CKV_AWS_1"],
      cfnNag: [],
      cfnGuard: [],
      cdkNag: ["AwsSolutions-RDS1"],
    },
    appliesTo: ["db-cluster", "db-instance"],
    tags: ["rds", "aurora"],
    sources: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"],
    ...overrides,
  };
}

export const RULES: RuleMeta[] = [
  ruleMeta("storage-encrypted", "high", "Storage is encrypted at rest", {
    parameters: [
      {
        name: "requireCustomerManagedKey",
        type: "boolean",
        default: false,
        description: "Require a customer-managed KMS key.",
      },
    ],
  }),
  ruleMeta("iam-auth", "medium", "IAM database authentication is enabled"),
  ruleMeta("backup-retention", "medium", "Automated backups are kept long enough"),
  ruleMeta("deletion-protection", "critical", "Deletion protection is on"),
];

interface FindingSpec {
  rule: string;
  severity: Severity;
  verdict: Verdict;
  message: string;
  name: string;
  kind?: ResourceKind;
  origin?: Partial<ResourceOrigin>;
  file?: string;
  at?: [number, number];
  property?: string;
  when?: string;
  profile?: string;
  extra?: Partial<Finding>;
}

export function fingerprintOf(parts: string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

export function finding(spec: FindingSpec): Finding {
  const file = spec.file ?? spec.origin?.file;
  const origin: ResourceOrigin =
    spec.origin?.source === "live"
      ? { source: "live", ...spec.origin }
      : {
          source: "template",
          logicalId: spec.name,
          cfnType: spec.kind === "db-instance" ? "AWS::RDS::DBInstance" : "AWS::RDS::DBCluster",
          ...(file !== undefined ? { file } : {}),
          ...spec.origin,
        };
  const f: Finding = {
    ruleId: spec.rule,
    severity: spec.severity,
    verdict: spec.verdict,
    message: spec.message,
    resource: { id: origin.arn ?? spec.name, name: spec.name, kind: spec.kind ?? "db-cluster", origin },
    profile: spec.profile ?? "production",
    fingerprint: fingerprintOf([
      spec.rule,
      file ?? origin.arn ?? spec.name,
      spec.name,
      spec.property ?? "",
      spec.when ?? "",
    ]),
    ...spec.extra,
  };
  if (spec.property !== undefined) f.property = spec.property;
  if (spec.when !== undefined) f.when = spec.when;
  if (file !== undefined && spec.at) f.location = loc(file, spec.at[0], spec.at[1]);
  return f;
}

export function loc(file: string, line: number, column: number): SourceLocation {
  return { file, line, column };
}

export function templateFindings(): Finding[] {
  return [
    finding({
      rule: "storage-encrypted",
      severity: "high",
      verdict: "fail",
      message: "StorageEncrypted is false (literal).",
      name: "OrdersCluster",
      file: "templates/aurora.yaml",
      at: [42, 7],
      property: "StorageEncrypted",
    }),
    finding({
      rule: "deletion-protection",
      severity: "critical",
      verdict: "fail",
      message: "DeletionProtection is not set: the AWS default is false.",
      name: "OrdersCluster",
      file: "templates/aurora.yaml",
      at: [30, 5],
      property: "DeletionProtection",
    }),
    finding({
      rule: "backup-retention",
      severity: "medium",
      verdict: "fail",
      message: "BackupRetentionPeriod is 1 (from mapping RetentionByEnv), below the required 7 days.",
      name: "LegacyDb",
      kind: "db-instance",
      file: "templates/legacy db.yaml",
      at: [12, 9],
      property: "BackupRetentionPeriod",
      when: "IsProd=false",
    }),
    finding({
      rule: "iam-auth",
      severity: "medium",
      verdict: "unknown",
      message: "EnableIAMDatabaseAuthentication comes from parameter IamAuth, which has no default.",
      name: "LegacyDb",
      kind: "db-instance",
      file: "templates/legacy db.yaml",
      at: [15, 9],
      property: "EnableIAMDatabaseAuthentication",
    }),
    finding({
      rule: "iam-auth",
      severity: "medium",
      verdict: "fail",
      message: "EnableIAMDatabaseAuthentication is false.",
      name: "ReportsCluster",
      file: "templates/aurora.yaml",
      at: [80, 7],
      property: "EnableIAMDatabaseAuthentication",
      extra: {
        suppression: {
          kind: "policy",
          reason: "Reports use password auth until Q3",
          expires: "2099-01-31",
          loc: loc("rdsguard.yaml", 14, 5),
        },
      },
    }),
    finding({
      rule: "backup-retention",
      severity: "medium",
      verdict: "fail",
      message:
        'BackupRetentionPeriod is 3, below the required 7 days. [waiver expired on 2024-01-01 at templates/aurora.yaml:75:9; it said: "temporary"]',
      name: "ReportsCluster",
      file: "templates/aurora.yaml",
      at: [84, 7],
      property: "BackupRetentionPeriod",
      extra: {
        expiredSuppression: {
          kind: "inline",
          reason: "temporary",
          expires: "2024-01-01",
          loc: loc("templates/aurora.yaml", 75, 9),
        },
      },
    }),
    finding({
      rule: "storage-encrypted",
      severity: "high",
      verdict: "pass",
      message: "StorageEncrypted is true.",
      name: "ReportsCluster",
      file: "templates/aurora.yaml",
      at: [82, 7],
      property: "StorageEncrypted",
    }),
    finding({
      rule: "deletion-protection",
      severity: "critical",
      verdict: "not-applicable",
      message: "Aurora member: deletion protection is judged on its cluster.",
      name: "OrdersWriter",
      kind: "db-instance",
      file: "templates/aurora.yaml",
      at: [90, 3],
    }),
    // Characters every format has to escape: | % : , < & and a newline.
    finding({
      rule: "storage-encrypted",
      severity: "low",
      verdict: "fail",
      message: "KmsKeyId is 'alias/a|b,c:d' (100% <unverified> & odd)\nsecond line.",
      name: "Odd,Name:50%",
      file: "cdk.out/App Stack.template.json",
      at: [7, 11],
      property: "KmsKeyId",
      origin: { cdkPath: "App/Stack/Odd,Name:50%/Resource" },
    }),
  ];
}

export function liveFindings(): Finding[] {
  const arn = "arn:aws:rds:eu-west-1:123456789012:cluster:billing-prod";
  return [
    finding({
      rule: "storage-encrypted",
      severity: "high",
      verdict: "fail",
      message: "StorageEncrypted is false (DescribeDBClusters).",
      name: "billing-prod",
      origin: {
        source: "live",
        arn,
        account: "123456789012",
        region: "eu-west-1",
        stackName: "billing",
        stackLogicalId: "BillingCluster",
      },
      property: "StorageEncrypted",
    }),
    finding({
      rule: "deletion-protection",
      severity: "critical",
      verdict: "pass",
      message: "DeletionProtection is true (DescribeDBClusters).",
      name: "billing-prod",
      origin: { source: "live", arn, account: "123456789012", region: "eu-west-1" },
      property: "DeletionProtection",
    }),
  ];
}

export const TEMPLATE_ERRORS: ScanError[] = [
  {
    kind: "parse",
    message: "unexpected end of the stream within a flow collection",
    file: "templates/broken.yaml",
    line: 3,
    column: 1,
  },
];

export const AUDIT_ERRORS: ScanError[] = [
  {
    kind: "aws",
    message: "AccessDenied: not authorized to perform rds:DescribeDBClusters",
    account: "210987654321",
    region: "us-east-1",
  },
];

export function templateReport(overrides: Partial<ScanReport> = {}): ScanReport {
  return {
    schemaVersion: 1,
    tool: { name: "rdsguard", version: "0.1.0" },
    kind: "template",
    startedAt: "2026-11-30T10:00:00.000Z",
    finishedAt: "2026-11-30T10:00:01.234Z",
    root: ROOT,
    rules: RULES,
    findings: templateFindings(),
    errors: [...TEMPLATE_ERRORS],
    stats: { filesScanned: 6, templatesWithDatabases: 3, resources: 5, durationMs: 1234 },
    ...overrides,
  };
}

export function auditReport(overrides: Partial<ScanReport> = {}): ScanReport {
  return {
    schemaVersion: 1,
    tool: { name: "rdsguard", version: "0.1.0" },
    kind: "audit",
    startedAt: "2026-11-30T02:00:00.000Z",
    finishedAt: "2026-11-30T02:00:09.500Z",
    root: ROOT,
    rules: RULES,
    findings: liveFindings(),
    errors: [...AUDIT_ERRORS],
    stats: { filesScanned: 0, templatesWithDatabases: 0, resources: 1, durationMs: 9500, apiCalls: 14 },
    ...overrides,
  };
}

/** A report with only passing findings and no errors. */
export function cleanReport(): ScanReport {
  return templateReport({
    findings: templateFindings().filter((f) => f.verdict === "pass"),
    errors: [],
  });
}

/** n failing findings in distinct resources, for the size limits. */
export function manyFindings(n: number): Finding[] {
  const severities: Severity[] = ["critical", "high", "medium", "low", "info"];
  return Array.from({ length: n }, (_, i) =>
    finding({
      rule: RULES[i % RULES.length]?.id ?? "storage-encrypted",
      severity: severities[i % severities.length] ?? "high",
      verdict: "fail",
      message: `Finding number ${i}: the property is not set and the AWS default does not satisfy the policy.`,
      name: `Cluster${String(i).padStart(5, "0")}`,
      file: `stacks/service-${i % 50}/database.yaml`,
      at: [10 + (i % 400), 7],
      property: "StorageEncrypted",
    }),
  );
}
