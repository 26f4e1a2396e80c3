/**
 * iam-auth: IAM database authentication where the engine supports it. Engines without support (Oracle, SQL Server,
 * Db2, RDS Custom) and Aurora Serverless v1 are not applicable, not failures. On Aurora the cluster owns the
 * setting; members are not judged.
 */

import { isServerlessV1, normalizeEngine } from "../model/engines.js";
import { isClusterMember } from "../model/relations.js";
import type { DbCluster, DbInstance, ModelResource, Resolved } from "../model/types.js";
import { describe } from "./messages.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import { type Judgement, judgeAcross, judgedOnCluster, judgeFlag, judgement, single } from "./verdicts.js";

const P = "EnableIAMDatabaseAuthentication";

export const meta: RuleMeta = {
  id: "iam-auth",
  title: "IAM database authentication is enabled",
  severity: "medium",
  description:
    "DB clusters and DB instances whose engine supports it (MySQL, MariaDB 10.11 and later, PostgreSQL, Aurora MySQL, Aurora PostgreSQL) have IAM database authentication enabled.",
  rationale:
    "IAM authentication replaces long-lived database passwords with short-lived tokens tied to IAM identities, so access is granted, audited and revoked in one place and connections are TLS-encrypted.",
  remediation: {
    text: "Set EnableIAMDatabaseAuthentication: true on the DB cluster (Aurora, Multi-AZ DB cluster) or on the DB instance (standalone, read replica). Oracle, SQL Server, Db2, RDS Custom, MariaDB before 10.11 and Aurora Serverless v1 do not support it and are not judged.",
    snippet: [
      "Resources:",
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-mysql",
      "      EnableIAMDatabaseAuthentication: true",
      "      StorageEncrypted: true",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [],
  references: {
    securityHub: ["RDS.10", "RDS.12"],
    awsConfig: ["rds-instance-iam-authentication-enabled", "rds-cluster-iam-authentication-enabled"],
    checkov: ["CKV_AWS_161", "CKV_AWS_162"],
    cfnNag: [],
    cfnGuard: [],
    cdkNag: ["AwsSolutions-RDS6"],
  },
  appliesTo: ["db-cluster", "db-instance"],
  tags: ["security", "iam", "authentication"],
  sources: [
    // Lists Db2, Oracle and SQL Server as without IAM auth, and the MariaDB versions that have it (10.11 and later).
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.RDS_Fea_Regions_DB-eng.Feature.IamDatabaseAuthentication.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.IAMdbauth.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless.html",
  ],
};

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-cluster") return [evaluateCluster(resource)];
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  return [
    single(resource, judgement("not-applicable", "IAM database authentication is set on clusters and instances")),
  ];
}

/** true: supported; false: the engine does not offer IAM auth; undefined: an engine string we do not know. */
export function engineSupportsIamAuth(engine: string): boolean | undefined {
  const e = normalizeEngine(engine);
  if (["mysql", "mariadb", "postgres", "aurora", "aurora-mysql", "aurora-postgresql"].includes(e)) return true;
  if (e.startsWith("oracle-") || e.startsWith("sqlserver-") || e.startsWith("db2-") || e.startsWith("custom-")) {
    return false;
  }
  return undefined;
}

/**
 * RDS for MariaDB offers IAM database authentication from 10.11 on (10.4, 10.5 and 10.6: "Not available" in the
 * RDS User Guide's IAM database authentication support table).
 */
export const MARIADB_IAM_AUTH_MIN_VERSION = "10.11";

/** true / false when the version decides; undefined when it cannot be read. */
export function mariadbVersionSupportsIamAuth(version: string): boolean | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 10 || (major === 10 && minor >= 11);
}

function judgeIam(
  resource: ModelResource,
  engine: Resolved<string>,
  version: Resolved<string>,
  iamAuth: Resolved<boolean>,
  mode?: Resolved<string>,
): Judgement {
  const loc = iamAuth.loc ?? resource.loc;
  if (mode?.state === "known" && isServerlessV1(mode.value)) {
    return judgement(
      "not-applicable",
      `${describe("EngineMode", mode)}: Aurora Serverless v1 does not support IAM database authentication`,
      P,
      loc,
    );
  }
  if (engine.state === "known") {
    const supported = engineSupportsIamAuth(engine.value);
    if (supported === false) {
      return judgement(
        "not-applicable",
        `engine ${engine.value} does not support IAM database authentication`,
        P,
        engine.loc ?? loc,
      );
    }
    if (supported === undefined) {
      // An engine string rdsguard does not know (a typo, or an engine newer than this table): say so, never pass.
      return judgement(
        "unknown",
        `${describe("Engine", engine)}: not an engine rdsguard knows, so whether it supports IAM database authentication cannot be told`,
        P,
        engine.loc ?? loc,
      );
    }
  }
  const flag = judgeFlag(P, iamAuth, loc);
  if (engine.state === "known" && normalizeEngine(engine.value) === "mariadb" && version.state !== "absent") {
    // Absent: a new instance gets a current default version, which supports it.
    const ok = version.state === "known" ? mariadbVersionSupportsIamAuth(version.value) : undefined;
    if (ok === false) {
      return judgement(
        "not-applicable",
        `${describe("EngineVersion", version)}: RDS for MariaDB offers IAM database authentication from ${MARIADB_IAM_AUTH_MIN_VERSION} on`,
        P,
        version.loc ?? loc,
      );
    }
    if (ok === undefined && flag.verdict === "fail") {
      return judgement(
        "unknown",
        `${flag.message}, and ${describe("EngineVersion", version)}: RDS for MariaDB offers IAM database authentication only from ${MARIADB_IAM_AUTH_MIN_VERSION} on`,
        P,
        loc,
      );
    }
  }
  if (flag.verdict === "fail" && engine.state !== "known") {
    return judgement(
      "unknown",
      `${flag.message}, and ${describe("Engine", engine)}: whether the engine supports IAM authentication cannot be told`,
      P,
      loc,
    );
  }
  return flag;
}

function evaluateCluster(cluster: DbCluster): RuleResult {
  return judgeAcross<[string, string, boolean, string]>(
    cluster,
    [cluster.engine, cluster.engineVersion, cluster.iamAuth, cluster.engineMode],
    ([engine, version, iamAuth, mode]) => judgeIam(cluster, engine, version, iamAuth, mode),
    { property: P },
  );
}

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  if (isClusterMember(instance)) {
    return judgedOnCluster(instance, ctx, P, "IAM database authentication");
  }
  return judgeAcross<[string, string, boolean]>(
    instance,
    [instance.engine, instance.engineVersion, instance.iamAuth],
    ([engine, version, iamAuth]) => judgeIam(instance, engine, version, iamAuth),
    { property: P },
  );
}

export const rule: Rule = { meta, evaluate };
export default rule;
