/**
 * storage-encrypted: encryption at rest, judged where AWS decides it. Aurora: on the DB cluster (members are not
 * judged). Read replicas: inherited from the source. Restores: inherited from the snapshot unless a key is given.
 * Optionally a customer-managed KMS key, and the key itself (enabled, rotated) when it is in the scan.
 *
 * KMS keys are judged once, on the key resource, and only when an RDS resource in the same model uses them, so a
 * key shared by two clusters gives one finding, and keys unrelated to RDS are left to other tools.
 */
import type { Absent, DbCluster, DbInstance, GlobalCluster, KmsKey, ModelResource, Resolved } from "../model/types.js";
import {
  type AlternativeJudgement,
  booleanParam,
  combine,
  describe,
  describeAttr,
  effective,
  isAuroraEngine,
  isAwsManagedKeyName,
  isServerlessV1,
  isSet,
  type Judgement,
  judgeAcross,
  judgedOnCluster,
  judgement,
  kmsKeyFor,
  knownValue,
  mergeJudgements,
  resourceAssumption,
  single,
  sourceOf,
} from "./support.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";

const AURORA_DEFAULT_ENCRYPTION_SOURCE =
  "Aurora User Guide, Encrypting Amazon Aurora resources: clusters created on or after 2026-02-18 are encrypted at rest by default with an AWS owned key";
const INSTANCE_DEFAULT_SOURCE = "AWS::RDS::DBInstance StorageEncrypted: not encrypted by default";

export const meta: RuleMeta = {
  id: "storage-encrypted",
  title: "Storage is encrypted at rest",
  severity: "high",
  description:
    "DB clusters, standalone DB instances and global clusters encrypt their storage at rest; optionally with a customer-managed KMS key that is enabled and rotated.",
  rationale:
    "Encryption at rest covers the storage, automated backups, snapshots and read replicas. It can only be chosen when the database is created (or restored), so an unencrypted database has to be migrated later. A customer-managed key adds key policy control, auditability and revocation.",
  remediation: {
    text: "Set StorageEncrypted: true on the DB cluster (Aurora) or standalone DB instance; to use your own key, also set KmsKeyId to an AWS::KMS::Key with EnableKeyRotation: true. Aurora members inherit encryption from the cluster; read replicas from their source; restores from their snapshot unless KmsKeyId is given.",
    snippet: [
      "Resources:",
      "  DbKey:",
      "    Type: AWS::KMS::Key",
      "    Properties:",
      "      EnableKeyRotation: true",
      "      KeyPolicy:",
      '        Version: "2012-10-17"',
      "        Statement:",
      "          - Sid: AccountAdmin",
      "            Effect: Allow",
      "            Principal:",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template.
      '              AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"',
      '            Action: "kms:*"',
      '            Resource: "*"',
      "  Cluster:",
      "    Type: AWS::RDS::DBCluster",
      "    Properties:",
      "      Engine: aurora-postgresql",
      "      StorageEncrypted: true",
      "      KmsKeyId: !Ref DbKey",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [
    {
      name: "requireCustomerManagedKey",
      type: "boolean",
      default: false,
      description:
        "Also require KmsKeyId to name a customer-managed KMS key (not the AWS-owned key or the AWS-managed aws/rds key).",
    },
    {
      name: "requireKeyRotation",
      type: "boolean",
      default: true,
      description: "Require automatic rotation on customer-managed KMS keys (in the scan) that RDS resources use.",
    },
  ],
  references: {
    securityHub: ["RDS.3", "RDS.27", "KMS.4"],
    awsConfig: ["rds-storage-encrypted", "rds-cluster-encrypted-at-rest", "cmk-backing-key-rotation-enabled"],
    checkov: ["CKV_AWS_16", "CKV_AWS_96", "CKV_AWS_7"],
    cfnNag: ["F26", "F27", "F19"],
    cfnGuard: ["RDS_STORAGE_ENCRYPTED", "CMK_BACKING_KEY_ROTATION_ENABLED"],
    cdkNag: ["AwsSolutions-RDS2", "AwsSolutions-KMS5"],
  },
  appliesTo: ["db-cluster", "db-instance", "global-cluster", "kms-key"],
  tags: ["security", "encryption", "kms"],
  sources: [
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html",
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html",
  ],
};

const NOT_REPORTED: Absent<string> = { state: "absent", default: undefined, defaultSource: "not reported" };

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  switch (resource.kind) {
    case "db-cluster":
      return evaluateCluster(resource, ctx, new Set());
    case "db-instance":
      return evaluateInstance(resource, ctx, new Set());
    case "global-cluster":
      return [evaluateGlobal(resource, ctx)];
    case "kms-key":
      return evaluateKey(resource, ctx);
  }
}

// -------------------------------------------------------------------------------------------- DB clusters

function evaluateCluster(cluster: DbCluster, ctx: RuleContext, seen: Set<string>): RuleResult[] {
  seen.add(cluster.id);
  const multiAzDbCluster = isSet(cluster.dbClusterInstanceClass);
  const combos = combine<[string, string, boolean, string, string, string, string, string]>(
    resourceAssumption(cluster),
    cluster.engine,
    cluster.engineMode,
    cluster.storageEncrypted,
    cluster.kmsKeyId,
    cluster.snapshotIdentifier,
    cluster.sourceDbClusterIdentifier,
    cluster.replicationSourceIdentifier,
    cluster.storageEncryptionType ?? NOT_REPORTED,
  );
  const encryption: AlternativeJudgement[] = [];
  const cmk: AlternativeJudgement[] = [];
  for (const { when, values } of combos) {
    const [engine, mode, encrypted, kmsKeyId, snapshot, source, replicationSource, encryptionType] = values;
    const enc = judgeClusterEncryption(cluster, ctx, seen, {
      engine,
      mode,
      encrypted,
      kmsKeyId,
      snapshot,
      source,
      replicationSource,
      encryptionType,
      multiAzDbCluster,
    });
    encryption.push({ when, judgement: enc });
    cmk.push({ when, judgement: judgeCustomerKey(cluster, ctx, enc, kmsKeyId, encryptionType, inherits(values)) });
  }
  const results = [mergeJudgements(encryption, cluster, { property: "StorageEncrypted" })];
  if (booleanParam(ctx, "requireCustomerManagedKey", false)) {
    results.push(mergeJudgements(cmk, cluster, { property: "KmsKeyId" }));
  }
  return results;
}

function inherits(values: readonly Resolved<unknown>[]): boolean {
  const [, , , , snapshot, source, replicationSource] = values;
  return [snapshot, source, replicationSource].some((v) => v !== undefined && v.state !== "absent");
}

interface ClusterValues {
  engine: Resolved<string>;
  mode: Resolved<string>;
  encrypted: Resolved<boolean>;
  kmsKeyId: Resolved<string>;
  snapshot: Resolved<string>;
  source: Resolved<string>;
  replicationSource: Resolved<string>;
  encryptionType: Resolved<string>;
  multiAzDbCluster: boolean;
}

function judgeClusterEncryption(cluster: DbCluster, ctx: RuleContext, seen: Set<string>, v: ClusterValues): Judgement {
  const P = "StorageEncrypted";
  if (v.mode.state === "known" && isServerlessV1(v.mode.value)) {
    return judgement(
      "pass",
      `${describe("EngineMode", v.mode)}: Aurora Serverless v1 storage is always encrypted`,
      P,
      v.mode.loc ?? cluster.loc,
    );
  }
  if (v.encryptionType.state === "known") {
    const type = v.encryptionType.value.toLowerCase();
    const what = describe("StorageEncryptionType", v.encryptionType);
    if (type === "none") return judgement("fail", `${what}: storage is not encrypted`, P, cluster.loc);
    if (type === "sse-rds") return judgement("pass", `${what}: encrypted with an AWS owned key`, P, cluster.loc);
    if (type === "sse-kms") return judgement("pass", `${what}: encrypted with a KMS key`, P, cluster.loc);
  }
  const loc = v.encrypted.loc ?? cluster.loc;
  const inheritFrom = inheritanceSource(v);
  if (v.encrypted.state === "known" && v.encrypted.value === true) {
    return judgement("pass", describe(P, v.encrypted), P, loc);
  }
  if (inheritFrom) {
    if (v.kmsKeyId.state !== "absent") {
      return judgement(
        "pass",
        `${inheritFrom.label}; ${describe("KmsKeyId", v.kmsKeyId)}: the restored/replicated cluster is encrypted with that key`,
        P,
        v.kmsKeyId.loc ?? loc,
      );
    }
    if (v.source.state !== "absent") {
      const sourceCluster = linkedCluster(v.source, ctx);
      if (sourceCluster && !seen.has(sourceCluster.id)) {
        const inherited = evaluateCluster(sourceCluster, ctx, seen)[0] as RuleResult;
        return judgement(
          inherited.verdict,
          `encryption inherited from source cluster ${sourceCluster.name}: ${inherited.message}`,
          P,
          loc,
        );
      }
    }
    return judgement(
      "unknown",
      `${inheritFrom.label}: encryption is inherited from it and cannot be told from here (set StorageEncrypted: true or a KmsKeyId to be sure)`,
      P,
      inheritFrom.loc ?? loc,
    );
  }
  if (v.encrypted.state === "known") return judgement("fail", describe(P, v.encrypted), P, loc);
  if (v.encrypted.state === "unknown") return judgement("unknown", describe(P, v.encrypted), P, loc);
  // Absent.
  const aurora = v.engine.state === "known" ? isAuroraEngine(v.engine.value) : !v.multiAzDbCluster;
  if (aurora && v.engine.state !== "unknown") {
    if (ctx.model.source === "live") {
      return judgement("unknown", "StorageEncrypted was not reported by the API for this cluster", P, loc);
    }
    return judgement(
      "pass",
      `StorageEncrypted is not set: a new Aurora cluster is encrypted at rest by default with an AWS owned key (${AURORA_DEFAULT_ENCRYPTION_SOURCE})`,
      P,
      loc,
    );
  }
  if (v.engine.state === "unknown") {
    return judgement(
      "unknown",
      `StorageEncrypted is not set and ${describe("Engine", v.engine)}: whether the Aurora default encryption applies cannot be told`,
      P,
      loc,
    );
  }
  const value = effective(v.encrypted) ?? false;
  return judgement(value ? "pass" : "fail", describe(P, v.encrypted), P, loc);
}

function inheritanceSource(v: {
  snapshotProperty?: string;
  snapshot: Resolved<string>;
  source?: Resolved<string>;
  replicationSource?: Resolved<string>;
}): { label: string; loc?: Resolved<string>["loc"] } | undefined {
  if (v.snapshot.state !== "absent") {
    const property = v.snapshotProperty ?? "SnapshotIdentifier";
    return { label: `restored from snapshot (${describe(property, v.snapshot)})`, loc: v.snapshot.loc };
  }
  if (v.source && v.source.state !== "absent") {
    return {
      label: `restored from source cluster (${describe("SourceDBClusterIdentifier", v.source)})`,
      loc: v.source.loc,
    };
  }
  if (v.replicationSource && v.replicationSource.state !== "absent") {
    return {
      label: `read replica cluster (${describe("ReplicationSourceIdentifier", v.replicationSource)})`,
      loc: v.replicationSource.loc,
    };
  }
  return undefined;
}

function linkedCluster(attr: Resolved<string>, ctx: RuleContext): DbCluster | undefined {
  if (attr.state === "absent") return undefined;
  if (attr.refersTo) {
    const r = ctx.model.resources.get(attr.refersTo);
    if (r?.kind === "db-cluster") return r;
  }
  if (attr.state !== "known") return undefined;
  for (const r of ctx.model.resources.values()) {
    if (r.kind !== "db-cluster") continue;
    if (r.id === attr.value || knownValue(r.dbClusterIdentifier) === attr.value) return r;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------ customer-managed key

function judgeCustomerKey(
  resource: DbCluster | DbInstance,
  ctx: RuleContext,
  encryption: Judgement,
  kmsKeyId: Resolved<string>,
  encryptionType: Resolved<string>,
  inherited: boolean,
): Judgement {
  const P = "KmsKeyId";
  const loc = kmsKeyId.loc ?? resource.loc;
  const param = "(parameter requireCustomerManagedKey)";
  if (encryption.verdict === "fail") {
    return judgement("not-applicable", "storage is not encrypted: see StorageEncrypted", P, loc);
  }
  if (encryptionType.state === "known" && encryptionType.value.toLowerCase() === "sse-rds") {
    return judgement(
      "fail",
      `${describe("StorageEncryptionType", encryptionType)}: encrypted with an AWS owned key, but the policy requires a customer-managed KMS key ${param}`,
      P,
      loc,
    );
  }
  if (kmsKeyId.state === "absent") {
    if (inherited) {
      return judgement(
        "unknown",
        "KmsKeyId is not set: the key is inherited from the source or snapshot and cannot be told from here",
        P,
        loc,
      );
    }
    const defaultKey =
      resource.kind === "db-cluster" && isAuroraEngine(knownValue(resource.engine) ?? "aurora")
        ? "an AWS owned key (Aurora default) or the AWS managed key aws/rds"
        : "the AWS managed key aws/rds";
    return judgement(
      "fail",
      `KmsKeyId is not set: storage uses ${defaultKey}, but the policy requires a customer-managed KMS key ${param}`,
      P,
      loc,
    );
  }
  const key = kmsKeyFor(kmsKeyId, ctx);
  if (kmsKeyId.state === "known" && isAwsManagedKeyName(kmsKeyId.value)) {
    return judgement(
      "fail",
      `${describe(P, kmsKeyId)}: an AWS managed key, but the policy requires a customer-managed KMS key ${param}`,
      P,
      loc,
    );
  }
  if (key) {
    const manager = key.keyManager;
    if (manager.state === "known" && manager.value === "AWS") {
      return judgement(
        "fail",
        `KmsKeyId names KMS key ${key.name}, which is AWS managed (${describe("KeyManager", manager)}); the policy requires a customer-managed key ${param}`,
        P,
        loc,
      );
    }
    if (manager.state === "unknown") {
      return judgement("unknown", `KmsKeyId names KMS key ${key.name}: ${describe("KeyManager", manager)}`, P, loc);
    }
    return judgement("pass", `KmsKeyId names customer-managed KMS key ${key.name}`, P, loc);
  }
  return judgement(
    "unknown",
    kmsKeyId.state === "unknown"
      ? `${describe(P, kmsKeyId)}; whether it names a customer-managed key cannot be told`
      : `${describe(P, kmsKeyId)}: the key is not in this scan, so whether it is customer-managed cannot be told`,
    P,
    loc,
  );
}

// ------------------------------------------------------------------------------------------- DB instances

function evaluateInstance(instance: DbInstance, ctx: RuleContext, seen: Set<string>): RuleResult[] {
  seen.add(instance.id);
  if (instance.role === "aurora-member" || instance.role === "cluster-member") {
    return [judgedOnCluster(instance, ctx, "StorageEncrypted", "Storage encryption")];
  }
  const requireCmk = booleanParam(ctx, "requireCustomerManagedKey", false);
  if (instance.role === "read-replica") return evaluateReplica(instance, ctx, seen, requireCmk);

  const combos = combine<[boolean, string, string]>(
    resourceAssumption(instance),
    instance.storageEncrypted,
    instance.kmsKeyId,
    instance.snapshotIdentifier,
  );
  const encryption: AlternativeJudgement[] = [];
  const cmk: AlternativeJudgement[] = [];
  for (const { when, values } of combos) {
    const [encrypted, kmsKeyId, snapshot] = values;
    const enc = judgeInstanceEncryption(instance, encrypted, kmsKeyId, snapshot);
    encryption.push({ when, judgement: enc });
    cmk.push({
      when,
      judgement: judgeCustomerKey(instance, ctx, enc, kmsKeyId, NOT_REPORTED, snapshot.state !== "absent"),
    });
  }
  const results = [mergeJudgements(encryption, instance, { property: "StorageEncrypted" })];
  if (requireCmk) results.push(mergeJudgements(cmk, instance, { property: "KmsKeyId" }));
  return results;
}

function judgeInstanceEncryption(
  instance: DbInstance,
  encrypted: Resolved<boolean>,
  kmsKeyId: Resolved<string>,
  snapshot: Resolved<string>,
): Judgement {
  const P = "StorageEncrypted";
  const loc = encrypted.loc ?? instance.loc;
  if (encrypted.state === "known" && encrypted.value === true) return judgement("pass", describe(P, encrypted), P, loc);
  const restore = inheritanceSource({ snapshot, snapshotProperty: "DBSnapshotIdentifier" });
  if (restore) {
    if (kmsKeyId.state !== "absent") {
      return judgement(
        "pass",
        `${restore.label}; ${describe("KmsKeyId", kmsKeyId)}: the restored instance is encrypted with that key`,
        P,
        kmsKeyId.loc ?? loc,
      );
    }
    return judgement(
      "unknown",
      `${restore.label}: encryption is inherited from the snapshot and cannot be told from here (set StorageEncrypted: true or a KmsKeyId to be sure)`,
      P,
      restore.loc ?? loc,
    );
  }
  if (encrypted.state === "unknown") return judgement("unknown", describe(P, encrypted), P, loc);
  if (encrypted.state === "absent") {
    const value = effective(encrypted) ?? false;
    const text =
      encrypted.default === undefined
        ? `StorageEncrypted is not set: AWS default false (${INSTANCE_DEFAULT_SOURCE})`
        : describe(P, encrypted);
    return judgement(value ? "pass" : "fail", text, P, loc);
  }
  return judgement(encrypted.value ? "pass" : "fail", describe(P, encrypted), P, loc);
}

function evaluateReplica(replica: DbInstance, ctx: RuleContext, seen: Set<string>, requireCmk: boolean): RuleResult[] {
  const P = "StorageEncrypted";
  const source = sourceOf(replica, ctx);
  const sourceLoc = replica.sourceDbInstanceIdentifier.loc ?? replica.loc;
  let inheritedWhen: string | undefined;
  let inherited: Judgement;
  if (source && !seen.has(source.id)) {
    const fromSource = evaluateInstance(source, ctx, seen)[0] as RuleResult;
    inheritedWhen = fromSource.when;
    inherited = judgement(
      fromSource.verdict,
      `read replica: encryption inherited from source ${source.name}: ${fromSource.message}`,
      P,
      sourceLoc,
    );
  } else {
    inherited = judgement(
      "unknown",
      `read replica: encryption follows its source, which is not in this scan (${describeAttr("SourceDBInstanceIdentifier", replica.sourceDbInstanceIdentifier)})`,
      P,
      sourceLoc,
    );
  }
  const encryption = judgeAcross<[string]>(
    replica,
    [replica.kmsKeyId],
    ([kmsKeyId]) =>
      kmsKeyId.state !== "absent"
        ? judgement(
            "pass",
            `read replica with ${describe("KmsKeyId", kmsKeyId)}: the replica is encrypted with that key`,
            P,
            kmsKeyId.loc ?? replica.loc,
          )
        : inherited,
    { property: P },
  );
  if (encryption.when === undefined && inheritedWhen !== undefined) encryption.when = inheritedWhen;
  const results = [encryption];
  if (requireCmk) {
    // Without a key of its own, the replica uses its source's key.
    const sourceKey =
      source && replica.kmsKeyId.state === "absent"
        ? evaluateInstance(source, ctx, new Set([replica.id]))[1]
        : undefined;
    if (sourceKey) {
      const r: RuleResult = {
        ...sourceKey,
        message: `read replica: KMS key inherited from source ${source?.name}: ${sourceKey.message}`,
      };
      const loc = sourceLoc;
      if (loc) r.loc = loc;
      results.push(r);
    } else {
      results.push(
        judgeAcross<[string]>(
          replica,
          [replica.kmsKeyId],
          ([kmsKeyId]) => judgeCustomerKey(replica, ctx, encryption, kmsKeyId, NOT_REPORTED, true),
          { property: "KmsKeyId" },
        ),
      );
    }
  }
  return results;
}

// -------------------------------------------------------------------------------------------- global clusters

function evaluateGlobal(global: GlobalCluster, ctx: RuleContext): RuleResult {
  return judgeAcross<[boolean, string]>(
    global,
    [global.storageEncrypted, global.sourceDbClusterIdentifier],
    ([encrypted, source]) => {
      const P = "StorageEncrypted";
      const loc = encrypted.loc ?? global.loc;
      if (encrypted.state === "known" || encrypted.state === "unknown") {
        const verdict = encrypted.state === "unknown" ? "unknown" : encrypted.value ? "pass" : "fail";
        return judgement(verdict, describe(P, encrypted), P, loc);
      }
      if (source.state !== "absent") {
        const cluster = linkedCluster(source, ctx);
        if (cluster) {
          const inherited = evaluateCluster(cluster, ctx, new Set([global.id]))[0] as RuleResult;
          return judgement(
            inherited.verdict,
            `StorageEncrypted is not set: the global cluster takes the encryption of its source cluster ${cluster.name}: ${inherited.message}`,
            P,
            loc,
          );
        }
        return judgement(
          "unknown",
          `StorageEncrypted is not set: the global cluster takes the encryption of its source cluster (${describe("SourceDBClusterIdentifier", source)}), which is not in this scan`,
          P,
          loc,
        );
      }
      if (global.memberClusterIds.length > 0) {
        return judgement(
          "not-applicable",
          `StorageEncrypted is not set on the global cluster: encryption is judged on its member clusters (${global.memberClusterIds.join(", ")})`,
          P,
          loc,
        );
      }
      const value = effective(encrypted);
      if (value === undefined) return judgement("unknown", describe(P, encrypted), P, loc);
      return judgement(value ? "pass" : "fail", describe(P, encrypted), P, loc);
    },
    { property: "StorageEncrypted" },
  );
}

// ------------------------------------------------------------------------------------------------ KMS keys

function evaluateKey(key: KmsKey, ctx: RuleContext): RuleResult[] {
  const users = rdsUsersOf(key, ctx);
  if (users.length === 0) {
    return [
      single(
        key,
        judgement("not-applicable", "KMS key is not used by any RDS resource in this scan", undefined, key.loc),
      ),
    ];
  }
  const usedBy = `used by ${users.map((u) => u.name).join(", ")}`;
  const results: RuleResult[] = [];
  results.push(
    judgeAcross<[boolean]>(
      key,
      [key.enabled],
      ([enabled]) => {
        const loc = enabled.loc ?? key.loc;
        const value = enabled.state === "absent" ? (enabled.default ?? true) : effective(enabled);
        if (value === undefined)
          return judgement("unknown", `${describe("Enabled", enabled)}; ${usedBy}`, "Enabled", loc);
        return judgement(
          value ? "pass" : "fail",
          value
            ? `${describe("Enabled", enabled)}; ${usedBy}`
            : `${describe("Enabled", enabled)}: a disabled key makes the databases it encrypts unusable; ${usedBy}`,
          "Enabled",
          loc,
        );
      },
      { property: "Enabled" },
    ),
  );
  if (booleanParam(ctx, "requireKeyRotation", true)) {
    results.push(
      judgeAcross<[boolean, "CUSTOMER" | "AWS"]>(
        key,
        [key.rotationEnabled, key.keyManager],
        ([rotation, manager]) => {
          const loc = rotation.loc ?? key.loc;
          if (manager.state === "known" && manager.value === "AWS") {
            return judgement(
              "not-applicable",
              `AWS managed key: AWS rotates it automatically; ${usedBy}`,
              "EnableKeyRotation",
              key.loc,
            );
          }
          const value = rotation.state === "absent" ? (rotation.default ?? false) : effective(rotation);
          if (value === undefined) {
            return judgement(
              "unknown",
              `${describe("EnableKeyRotation", rotation)}; ${usedBy}`,
              "EnableKeyRotation",
              loc,
            );
          }
          const text =
            rotation.state === "absent" && rotation.default === undefined
              ? "EnableKeyRotation is not set: AWS default false (AWS::KMS::Key EnableKeyRotation)"
              : describe("EnableKeyRotation", rotation);
          return judgement(value ? "pass" : "fail", `${text}; ${usedBy}`, "EnableKeyRotation", loc);
        },
        { property: "EnableKeyRotation" },
      ),
    );
  }
  return results;
}

/** RDS resources whose KmsKeyId (in any alternative) names this key. */
function rdsUsersOf(key: KmsKey, ctx: RuleContext): (DbCluster | DbInstance)[] {
  const users: (DbCluster | DbInstance)[] = [];
  for (const r of ctx.model.resources.values()) {
    if (r.kind !== "db-cluster" && r.kind !== "db-instance") continue;
    const alts = r.kmsKeyId.state === "conditional" ? r.kmsKeyId.alternatives.map((a) => a.attr) : [r.kmsKeyId];
    if (alts.some((a) => kmsKeyFor(a, ctx)?.id === key.id)) users.push(r);
  }
  return users;
}

export const rule: Rule = { meta, evaluate };
export default rule;
