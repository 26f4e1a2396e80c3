/**
 * iam-auth: IAM database authentication where the engine supports it. Engines without support (Oracle, SQL Server,
 * Db2, RDS Custom) and Aurora Serverless v1 are not applicable, not failures. On Aurora the cluster owns the
 * setting; members are not judged.
 */
import type { DbCluster, DbInstance, ModelResource, Resolved } from "../model/types.js";
import {
  describe,
  effective,
  isServerlessV1,
  type Judgement,
  judgeAcross,
  judgedOnCluster,
  judgement,
  normalizeEngine,
  single,
} from "./support.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";

const P = "EnableIAMDatabaseAuthentication";
const DEFAULT_SOURCE = "EnableIAMDatabaseAuthentication: IAM mapping is off by default";

export const meta: RuleMeta = {
  id: "iam-auth",
  title: "IAM database authentication is enabled",
  severity: "medium",
  description:
    "DB clusters and DB instances whose engine supports it (MySQL, MariaDB, PostgreSQL, Aurora MySQL, Aurora PostgreSQL) have IAM database authentication enabled.",
  rationale:
    "IAM authentication replaces long-lived database passwords with short-lived tokens tied to IAM identities, so access is granted, audited and revoked in one place and connections are TLS-encrypted.",
  remediation: {
    text: "Set EnableIAMDatabaseAuthentication: true on the DB cluster (Aurora, Multi-AZ DB cluster) or on the DB instance (standalone, read replica). Oracle, SQL Server, Db2 and Aurora Serverless v1 do not support it and are not judged.",
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
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.RDS_Fea_Regions_DB-eng.Feature.IamDatabaseAuthentication.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless.html",
  ],
};

/** true: supported; false: the engine does not offer IAM auth; undefined: an engine string we do not know. */
export function engineSupportsIamAuth(engine: string): boolean | undefined {
  const e = normalizeEngine(engine);
  if (["mysql", "mariadb", "postgres", "aurora", "aurora-mysql", "aurora-postgresql"].includes(e)) return true;
  if (e.startsWith("oracle-") || e.startsWith("sqlserver-") || e.startsWith("db2-") || e.startsWith("custom-")) {
    return false;
  }
  return undefined;
}

function judgeIam(
  resource: ModelResource,
  engine: Resolved<string>,
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
  const value = iamAuth.state === "absent" ? (iamAuth.default ?? false) : effective(iamAuth);
  const what =
    iamAuth.state === "absent" && iamAuth.default === undefined
      ? `${P} is not set: AWS default false (${DEFAULT_SOURCE})`
      : describe(P, iamAuth);
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
      return judgement(
        "not-applicable",
        `engine ${engine.value} is not one rdsguard knows to support IAM database authentication`,
        P,
        engine.loc ?? loc,
      );
    }
  }
  if (value === true) return judgement("pass", what, P, loc);
  if (value === undefined) return judgement("unknown", what, P, loc);
  if (engine.state !== "known") {
    return judgement(
      "unknown",
      `${what}, and ${describe("Engine", engine)}: whether the engine supports IAM authentication cannot be told`,
      P,
      loc,
    );
  }
  return judgement("fail", what, P, loc);
}

function evaluateCluster(cluster: DbCluster): RuleResult {
  return judgeAcross<[string, boolean, string]>(
    cluster,
    [cluster.engine, cluster.iamAuth, cluster.engineMode],
    ([engine, iamAuth, mode]) => judgeIam(cluster, engine, iamAuth, mode),
    { property: P },
  );
}

function evaluateInstance(instance: DbInstance, ctx: RuleContext): RuleResult {
  if (instance.role === "aurora-member" || instance.role === "cluster-member") {
    return judgedOnCluster(instance, ctx, P, "IAM database authentication");
  }
  return judgeAcross<[string, boolean]>(
    instance,
    [instance.engine, instance.iamAuth],
    ([engine, iamAuth]) => judgeIam(instance, engine, iamAuth),
    { property: P },
  );
}

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind === "db-cluster") return [evaluateCluster(resource)];
  if (resource.kind === "db-instance") return [evaluateInstance(resource, ctx)];
  return [
    single(resource, judgement("not-applicable", "IAM database authentication is set on clusters and instances")),
  ];
}

export const rule: Rule = { meta, evaluate };
export default rule;
