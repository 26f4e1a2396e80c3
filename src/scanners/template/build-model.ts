/**
 * Turns a parsed CloudFormation template into the normalized model: RDS clusters, instances, global clusters and
 * KMS keys, each attribute known / absent (with the AWS default) / unknown / conditional, with its position.
 * MasterUserPassword and other secrets are never read.
 */
import { DEFAULTS, type DocumentedDefault } from "../../model/defaults.js";
import { isAuroraEngine } from "../../model/engines.js";
import type {
  Alternative,
  Attr,
  ConditionAssumption,
  DbCluster,
  DbInstance,
  GlobalCluster,
  InlineSuppression,
  KmsKey,
  Model,
  ModelResource,
  ParameterGroup,
  Resolved,
  ResourceBase,
  SourceLocation,
} from "../../model/types.js";
import { type AstNode, child, type MapEntry, type MapNode, type Pos, toPlain } from "./ast.js";
import { conditionCycle, type Ev, type EvalOptions, TemplateContext } from "./intrinsics.js";
import { noEchoSecrets } from "./no-echo.js";

export const DATABASE_TYPES = new Set([
  "AWS::RDS::DBCluster",
  "AWS::RDS::DBInstance",
  "AWS::RDS::GlobalCluster",
  "AWS::KMS::Key",
  "AWS::KMS::Alias",
  "AWS::RDS::DBParameterGroup",
  "AWS::RDS::DBClusterParameterGroup",
]);

const PARAMETER_GROUP_TYPES: Record<string, ParameterGroup["scope"]> = {
  "AWS::RDS::DBParameterGroup": "db",
  "AWS::RDS::DBClusterParameterGroup": "cluster",
};

type Coerce<T> = (v: unknown) => T | undefined;

const asBool: Coerce<boolean> = (v) =>
  typeof v === "boolean" ? v : v === "true" || v === "True" ? true : v === "false" || v === "False" ? false : undefined;
const asNumber: Coerce<number> = (v) => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};
const asString: Coerce<string> = (v) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
/** A parameter value as written: YAML may give 1, true or "ON"; RDS compares them as strings. */
const asParameterValue: Coerce<string> = (v) =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
const asStringList: Coerce<string[]> = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;

class ResourceReader {
  constructor(
    private readonly ctx: TemplateContext,
    private readonly file: string,
    private readonly node: MapNode,
    private readonly pos: Pos,
    private readonly assume: ConditionAssumption,
  ) {}

  loc(pos: Pos): SourceLocation {
    return { file: this.file, line: pos.line, column: pos.column };
  }

  prop<T>(path: string | (string | number)[], coerce: Coerce<T>, def: DocumentedDefault<T>, expected: string): Attr<T> {
    const props = child(this.node, "Properties");
    const keys = Array.isArray(path) ? path : [path];
    const ev: Ev = props ? this.ctx.resolveAt(props, keys, this.pos, this.assume) : { k: "absent", pos: this.pos };
    return this.toAttr(ev, coerce, def, expected);
  }

  attribute<T>(name: string, coerce: Coerce<T>, def: DocumentedDefault<T>, expected: string): Attr<T> {
    return this.toAttr(this.ctx.resolveAt(this.node, [name], this.pos, this.assume), coerce, def, expected);
  }

  private toAttr<T>(ev: Ev, coerce: Coerce<T>, def: DocumentedDefault<T>, expected: string): Attr<T> {
    if (ev.k === "fork") {
      const alternatives: Alternative<T>[] = [];
      const walk = (e: Ev, when: ConditionAssumption) => {
        if (e.k === "fork") {
          walk(e.whenTrue, { ...when, [e.condition]: true });
          walk(e.whenFalse, { ...when, [e.condition]: false });
        } else alternatives.push({ when, attr: this.resolved(e, coerce, def, expected) });
      };
      walk(ev, {});
      return { state: "conditional", alternatives, loc: this.loc(ev.pos) };
    }
    return this.resolved(ev, coerce, def, expected);
  }

  private resolved<T>(
    ev: Exclude<Ev, { k: "fork" }>,
    coerce: Coerce<T>,
    def: DocumentedDefault<T>,
    expected: string,
  ): Resolved<T> {
    const loc = this.loc(ev.pos);
    switch (ev.k) {
      case "absent":
      case "novalue":
        return { state: "absent", default: def.value, defaultSource: def.source, loc };
      case "unknown":
        if (ev.refersTo && coerce === (asString as unknown)) {
          // A GetAtt on another resource of the template: its value is unknown, but what it names is known.
          return {
            state: "known",
            value: `${ev.refersTo} (resource attribute)` as T,
            origin: { kind: "literal" },
            loc,
            refersTo: ev.refersTo,
          };
        }
        return { state: "unknown", reason: ev.reason, loc, ...(ev.refersTo ? { refersTo: ev.refersTo } : {}) };
      case "val": {
        const value = coerce(ev.v);
        if (value === undefined) {
          const shown = typeof ev.v === "object" ? JSON.stringify(ev.v)?.slice(0, 40) : String(ev.v).slice(0, 40);
          return { state: "unknown", reason: `expected ${expected}, got ${shown}`, loc };
        }
        return { state: "known", value, origin: ev.origin, loc, ...(ev.refersTo ? { refersTo: ev.refersTo } : {}) };
      }
    }
  }

  /**
   * Tags read one by one: a tag whose value cannot be resolved (a Ref to AWS::StackId, a parameter without a
   * default) is unknown on its own, and the others stay known. Only a Tags list that cannot be read as a list, or a
   * tag key that cannot be resolved, leaves every tag unknown (`tagsUnknown`).
   */
  readTags(): { tags: Record<string, string>; unknownTags: Record<string, string>; tagsUnknown?: string } {
    const tags: Record<string, string> = {};
    const unknownTags: Record<string, string> = {};
    const node = child(child(this.node, "Properties"), "Tags");
    if (node?.t === "seq") {
      for (let i = 0; i < node.items.length; i++) {
        const key = this.prop(["Tags", i, "Key"], asString, DEFAULTS.none, "string");
        if (key.state !== "known") {
          return {
            tags: {},
            unknownTags: {},
            tagsUnknown: `Tags is unknown: the key of tag #${i + 1} cannot be resolved`,
          };
        }
        const value = this.prop(["Tags", i, "Value"], asString, DEFAULTS.none, "string");
        if (value.state === "known") tags[key.value] = value.value;
        else if (value.state === "unknown") unknownTags[key.value] = `tag ${key.value} is unknown: ${value.reason}`;
        else if (value.state === "conditional")
          unknownTags[key.value] = `tag ${key.value} depends on a condition that cannot be decided`;
      }
      return { tags, unknownTags };
    }
    const ev = this.prop("Tags", (v) => v, DEFAULTS.none, "list");
    if (ev.state === "unknown") return { tags, unknownTags, tagsUnknown: `Tags is unknown: ${ev.reason}` };
    if (ev.state === "conditional") {
      return { tags, unknownTags, tagsUnknown: "Tags depends on a condition that cannot be decided" };
    }
    if (ev.state === "known" && Array.isArray(ev.value)) {
      for (const t of ev.value as { Key?: unknown; Value?: unknown }[]) {
        if (typeof t?.Key === "string" && (typeof t.Value === "string" || typeof t.Value === "number")) {
          tags[t.Key] = String(t.Value);
        }
      }
    }
    return { tags, unknownTags };
  }
}

/** Known value, or the single value every alternative agrees on; undefined otherwise. */
export function settled<T>(attr: Attr<T>): T | undefined {
  if (attr.state === "known") return attr.value;
  if (attr.state === "conditional") {
    const values = attr.alternatives.map((a) => (a.attr.state === "known" ? a.attr.value : undefined));
    return values.every((v) => v !== undefined && v === values[0]) ? values[0] : undefined;
  }
  return undefined;
}

function isSet(attr: Attr<unknown>): boolean {
  return attr.state === "conditional"
    ? attr.alternatives.some((a) => a.attr.state !== "absent")
    : attr.state !== "absent";
}

function refersTo(attr: Attr<unknown>): string | undefined {
  if (attr.state === "known" || attr.state === "unknown") return attr.refersTo;
  return undefined;
}

function suppressions(metadata: AstNode | undefined, file: string): InlineSuppression[] {
  const list = child(child(metadata, "rdsguard"), "suppress");
  if (list?.t !== "seq") return [];
  return list.items.map((item) => {
    const plain = toPlain(item) as Record<string, unknown>;
    const s: InlineSuppression = {
      rule: String(plain?.rule ?? ""),
      loc: { file, line: item.pos.line, column: item.pos.column },
    };
    if (typeof plain?.reason === "string" && plain.reason.trim() !== "") s.reason = plain.reason;
    if (plain?.expires !== undefined && plain.expires !== null) s.expires = String(plain.expires);
    return s;
  });
}

/**
 * Faults CloudFormation itself would reject in the parts the model is built from: the first is reported (the
 * model is still built from what can be read), so a broken template never passes quietly.
 */
export function templateProblem(root: AstNode): { message: string; pos: Pos } | undefined {
  const resources = child(root, "Resources");
  if (resources && resources.t !== "map") {
    return { message: "invalid template: Resources must be a mapping of logical ids to resources", pos: resources.pos };
  }
  const cycle = conditionCycle(root);
  if (cycle) {
    const path = [...cycle.members, cycle.members[0]].join(" -> ");
    return { message: `invalid template: conditions refer to each other in a cycle (${path})`, pos: cycle.pos };
  }
  const conditions = child(root, "Conditions");
  const defined = new Set(conditions?.t === "map" ? conditions.entries.map((e) => e.key) : []);
  for (const res of resources?.t === "map" ? resources.entries : []) {
    const type = child(res.value, "Type");
    if (type?.t !== "scalar" || !DATABASE_TYPES.has(String(type.value))) continue;
    const condition = child(res.value, "Condition");
    if (condition?.t === "scalar" && !defined.has(String(condition.value))) {
      return {
        message: `invalid template: ${res.key} has Condition ${String(condition.value)}, which Conditions does not define`,
        pos: condition.pos,
      };
    }
    const properties = child(res.value, "Properties");
    if (properties && properties.t !== "map") {
      return { message: `invalid template: Properties of ${res.key} must be a mapping`, pos: properties.pos };
    }
  }
  return undefined;
}

export function buildTemplateModel(root: AstNode, file: string, options: EvalOptions = {}): Model {
  const model: Model = { source: "template", file, resources: new Map() };
  if (root.t !== "map") return model;
  const resources = child(root, "Resources");
  if (resources?.t !== "map") return model;
  const ctx = new TemplateContext(root, options);
  const secrets = noEchoSecrets(root, options.parameters);
  if (secrets.length > 0) model.secrets = secrets;
  const aliases: KmsAlias[] = [];
  const groups = new Map<string, ParameterGroup>();
  /** DB instances whose Condition is known false, with the cluster they name: a cluster can be known headless. */
  const switchedOff: { id: string; cluster: Attr<string> }[] = [];

  for (const res of resources.entries) {
    const node = res.value;
    if (node.t !== "map") continue;
    const type = child(node, "Type");
    const typeName = type?.t === "scalar" ? String(type.value) : "";
    if (!DATABASE_TYPES.has(typeName)) continue;
    const metadata = child(node, "Metadata");
    if (child(metadata, "aws:cdk:path")) model.cdk = true;

    const conditionNode = child(node, "Condition");
    const assume: ConditionAssumption = {};
    let condition: ResourceBase["condition"];
    if (conditionNode?.t === "scalar" && conditionNode.value !== null) {
      const name = String(conditionNode.value);
      const value = ctx.condition(name);
      if (value === false) {
        // Not created: nothing to judge. A member switched off is remembered on its cluster (a headless cluster).
        if (typeName === "AWS::RDS::DBInstance") {
          const reader = new ResourceReader(ctx, file, node, res.keyPos, {});
          const named = reader.prop("DBClusterIdentifier", asString, DEFAULTS.none, "string");
          if (named.state !== "absent") switchedOff.push({ id: res.key, cluster: named });
        }
        continue;
      }
      condition = { name, value };
      if (value === "unknown") assume[name] = true;
    }
    const r = new ResourceReader(ctx, file, node, res.keyPos, assume);

    const groupScope = PARAMETER_GROUP_TYPES[typeName];
    if (groupScope) {
      const group = buildParameterGroup(groupScope, res, r);
      if (condition) group.condition = condition;
      groups.set(group.id, group);
      continue;
    }

    if (typeName === "AWS::KMS::Alias") {
      const target = r.prop("TargetKeyId", asString, DEFAULTS.none, "string");
      const aliasName = settled(r.prop("AliasName", asString, DEFAULTS.none, "string"));
      if (aliasName) aliases.push({ logicalId: res.key, alias: aliasName, target: refersTo(target) });
      continue;
    }

    const cdkPath = child(metadata, "aws:cdk:path");
    const { tags, unknownTags, tagsUnknown } = r.readTags();
    const base: ResourceBase = {
      id: res.key,
      kind: "db-instance",
      name: res.key,
      origin: {
        source: "template",
        file,
        logicalId: res.key,
        cfnType: typeName,
        ...(cdkPath?.t === "scalar" ? { cdkPath: String(cdkPath.value) } : {}),
      },
      loc: r.loc(res.keyPos),
      tags,
      ...(Object.keys(unknownTags).length > 0 ? { unknownTags } : {}),
      ...(tagsUnknown !== undefined ? { tagsUnknown } : {}),
      suppressions: suppressions(metadata, file),
      ...(condition ? { condition } : {}),
    };
    const resource = buildResource(typeName, base, r, res);
    if (resource) model.resources.set(resource.id, resource);
  }
  link(model, aliases, groups);
  for (const off of switchedOff) {
    const ref = refersTo(off.cluster);
    const literal = settled(off.cluster)?.toLowerCase();
    const cluster = [...model.resources.values()].find(
      (r): r is DbCluster =>
        r.kind === "db-cluster" &&
        (r.id === ref || (literal !== undefined && settled(r.dbClusterIdentifier) === literal)),
    );
    if (cluster) cluster.switchedOffMemberIds = [...(cluster.switchedOffMemberIds ?? []), off.id];
  }
  if (groups.size > 0) model.parameterGroups = groups;
  return model;
}

/** An AWS::RDS::DBParameterGroup / DBClusterParameterGroup with the parameters its Parameters map sets. */
function buildParameterGroup(scope: ParameterGroup["scope"], res: MapEntry, r: ResourceReader): ParameterGroup {
  const nameProperty = scope === "db" ? "DBParameterGroupName" : "DBClusterParameterGroupName";
  const groupName = settled(r.prop(nameProperty, asString, DEFAULTS.none, "string"));
  const group: ParameterGroup = {
    id: res.key,
    scope,
    name: res.key,
    family: r.prop("Family", asString, DEFAULTS.none, "string"),
    parameters: {},
    loc: r.loc(res.keyPos),
    ...(groupName !== undefined ? { groupName: groupName.toLowerCase() } : {}),
  };
  const node = child(child(res.value, "Properties"), "Parameters");
  if (node === undefined) return group;
  if (node.t !== "map") {
    group.parametersUnknown =
      "Parameters is not a literal mapping (an intrinsic function or another value), so its entries cannot be read";
    return group;
  }
  for (const entry of node.entries) {
    if (entry.key.startsWith("Fn::") || entry.key === "Ref") {
      group.parametersUnknown = `Parameters is built by ${entry.key}, so its entries cannot be read`;
      return group;
    }
    group.parameters[entry.key] = r.prop(["Parameters", entry.key], asParameterValue, DEFAULTS.none, "a value");
  }
  return group;
}

/** An AWS::KMS::Alias of the template: KmsKeyId may name the alias (Ref or alias/name) instead of the key. */
interface KmsAlias {
  logicalId: string;
  alias: string;
  target: string | undefined;
}

function buildResource(
  typeName: string,
  base: ResourceBase,
  r: ResourceReader,
  res: MapEntry,
): ModelResource | undefined {
  const str = (p: string | string[], def: DocumentedDefault<string> = DEFAULTS.none) =>
    r.prop(p, asString, def, "string");
  const lower = (a: Attr<string>): Attr<string> => mapKnown(a, (v) => v.toLowerCase());
  switch (typeName) {
    case "AWS::RDS::DBCluster": {
      const engine = lower(str("Engine"));
      const engineValue = settled(engine);
      const instanceClass = str("DBClusterInstanceClass");
      const multiAzCluster = engineValue !== undefined && !isAuroraEngine(engineValue);
      const cluster = onBase<DbCluster>(base, {
        kind: "db-cluster",
        engine,
        engineVersion: str("EngineVersion"),
        engineMode: lower(str("EngineMode", DEFAULTS.engineMode)),
        dbClusterInstanceClass: instanceClass,
        storageEncrypted: r.prop(
          "StorageEncrypted",
          asBool,
          multiAzCluster ? DEFAULTS.multiAzClusterStorageEncrypted : DEFAULTS.auroraStorageEncrypted,
          "boolean",
        ),
        kmsKeyId: str("KmsKeyId", DEFAULTS.kmsKeyId),
        backupRetentionPeriod: r.prop("BackupRetentionPeriod", asNumber, DEFAULTS.backupRetentionPeriod, "number"),
        deletionProtection: r.prop("DeletionProtection", asBool, DEFAULTS.deletionProtection, "boolean"),
        iamAuth: r.prop("EnableIAMDatabaseAuthentication", asBool, DEFAULTS.iamAuth, "boolean"),
        serverlessV2MinCapacity: r.prop(
          ["ServerlessV2ScalingConfiguration", "MinCapacity"],
          asNumber,
          DEFAULTS.none,
          "number",
        ),
        serverlessV2MaxCapacity: r.prop(
          ["ServerlessV2ScalingConfiguration", "MaxCapacity"],
          asNumber,
          DEFAULTS.none,
          "number",
        ),
        availabilityZones: r.prop("AvailabilityZones", asStringList, DEFAULTS.none, "list of strings"),
        snapshotIdentifier: str("SnapshotIdentifier"),
        sourceDbClusterIdentifier: str("SourceDBClusterIdentifier"),
        replicationSourceIdentifier: str("ReplicationSourceIdentifier"),
        globalClusterIdentifier: str("GlobalClusterIdentifier"),
        dbClusterIdentifier: lower(str("DBClusterIdentifier")),
        preferredBackupWindow: str("PreferredBackupWindow", DEFAULTS.preferredBackupWindow),
        preferredMaintenanceWindow: str("PreferredMaintenanceWindow", DEFAULTS.preferredMaintenanceWindow),
        autoMinorVersionUpgrade: r.prop(
          "AutoMinorVersionUpgrade",
          asBool,
          DEFAULTS.clusterAutoMinorVersionUpgrade,
          "boolean",
        ),
        publiclyAccessible: r.prop("PubliclyAccessible", asBool, DEFAULTS.clusterPubliclyAccessible, "boolean"),
        engineLifecycleSupport: lower(str("EngineLifecycleSupport", DEFAULTS.engineLifecycleSupport)),
        dbClusterParameterGroupName: str("DBClusterParameterGroupName", DEFAULTS.dbClusterParameterGroupName),
        dbSubnetGroupName: lower(str("DBSubnetGroupName", DEFAULTS.dbSubnetGroupName)),
        memberIds: [],
        deletionPolicy: r.attribute("DeletionPolicy", asString, DEFAULTS.rdsSnapshotPolicy, "string"),
        updateReplacePolicy: r.attribute("UpdateReplacePolicy", asString, DEFAULTS.updateReplacePolicy, "string"),
      });
      return cluster;
    }
    case "AWS::RDS::DBInstance": {
      const clusterIdentifier = lower(str("DBClusterIdentifier"));
      const member = isSet(clusterIdentifier);
      const source = str("SourceDBInstanceIdentifier");
      const policyDefault = member ? DEFAULTS.deletePolicy : DEFAULTS.rdsSnapshotPolicy;
      const instance = onBase<DbInstance>(base, {
        kind: "db-instance",
        role: member ? "aurora-member" : isSet(source) ? "read-replica" : "standalone",
        engine: lower(str("Engine")),
        engineVersion: str("EngineVersion"),
        dbInstanceClass: str("DBInstanceClass"),
        storageEncrypted: r.prop("StorageEncrypted", asBool, DEFAULTS.instanceStorageEncrypted, "boolean"),
        kmsKeyId: str("KmsKeyId", DEFAULTS.kmsKeyId),
        backupRetentionPeriod: r.prop("BackupRetentionPeriod", asNumber, DEFAULTS.backupRetentionPeriod, "number"),
        deletionProtection: r.prop("DeletionProtection", asBool, DEFAULTS.deletionProtection, "boolean"),
        iamAuth: r.prop("EnableIAMDatabaseAuthentication", asBool, DEFAULTS.iamAuth, "boolean"),
        multiAZ: r.prop("MultiAZ", asBool, DEFAULTS.multiAZ, "boolean"),
        availabilityZone: str("AvailabilityZone"),
        caCertificateIdentifier: lower(str("CACertificateIdentifier", DEFAULTS.caCertificateIdentifier)),
        dbClusterIdentifier: clusterIdentifier,
        sourceDbInstanceIdentifier: source,
        snapshotIdentifier: str("DBSnapshotIdentifier"),
        dbInstanceIdentifier: lower(str("DBInstanceIdentifier")),
        // A member's backup window is the cluster's: what the template says is kept, nothing is invented.
        preferredBackupWindow: str(
          "PreferredBackupWindow",
          member ? DEFAULTS.memberPreferredBackupWindow : DEFAULTS.preferredBackupWindow,
        ),
        preferredMaintenanceWindow: str("PreferredMaintenanceWindow", DEFAULTS.preferredMaintenanceWindow),
        publiclyAccessible: r.prop("PubliclyAccessible", asBool, DEFAULTS.instancePubliclyAccessible, "boolean"),
        autoMinorVersionUpgrade: r.prop(
          "AutoMinorVersionUpgrade",
          asBool,
          DEFAULTS.instanceAutoMinorVersionUpgrade,
          "boolean",
        ),
        engineLifecycleSupport: lower(str("EngineLifecycleSupport", DEFAULTS.engineLifecycleSupport)),
        dbParameterGroupName: str("DBParameterGroupName", DEFAULTS.dbParameterGroupName),
        dbSubnetGroupName: lower(str("DBSubnetGroupName", DEFAULTS.dbSubnetGroupName)),
        deletionPolicy: r.attribute("DeletionPolicy", asString, policyDefault, "string"),
        updateReplacePolicy: r.attribute("UpdateReplacePolicy", asString, DEFAULTS.updateReplacePolicy, "string"),
      });
      return instance;
    }
    case "AWS::RDS::GlobalCluster": {
      const global = onBase<GlobalCluster>(base, {
        kind: "global-cluster",
        engine: lower(str("Engine")),
        storageEncrypted: r.prop("StorageEncrypted", asBool, DEFAULTS.none, "boolean"),
        deletionProtection: r.prop("DeletionProtection", asBool, DEFAULTS.deletionProtection, "boolean"),
        sourceDbClusterIdentifier: str("SourceDBClusterIdentifier"),
        globalClusterIdentifier: str("GlobalClusterIdentifier"),
        memberClusterIds: [],
        deletionPolicy: r.attribute("DeletionPolicy", asString, DEFAULTS.deletePolicy, "string"),
        updateReplacePolicy: r.attribute("UpdateReplacePolicy", asString, DEFAULTS.updateReplacePolicy, "string"),
      });
      return global;
    }
    case "AWS::KMS::Key": {
      const key = onBase<KmsKey>(base, {
        kind: "kms-key",
        keyId: res.key,
        enabled: r.prop("Enabled", asBool, DEFAULTS.kmsKeyEnabled, "boolean"),
        rotationEnabled: r.prop("EnableKeyRotation", asBool, DEFAULTS.kmsKeyRotation, "boolean"),
        keyManager: { state: "known", value: "CUSTOMER", origin: { kind: "literal" }, loc: r.loc(res.keyPos) },
        aliases: [],
        deletionPolicy: r.attribute("DeletionPolicy", asString, DEFAULTS.deletePolicy, "string"),
      });
      return key;
    }
  }
  return undefined;
}

/**
 * The resource: base's fields, then its kind's, in that order (as `{ ...base, ...fields }` would give). Not written as
 * a spread: V8 makes an object spread and then given some thirty more properties on a slow path that cost about
 * 40 microseconds per resource, most of the model build.
 */
function onBase<T extends ModelResource>(base: ResourceBase, fields: Omit<T, keyof ResourceBase> & Partial<T>): T {
  return Object.assign({}, base, fields) as T;
}

function mapKnown<T>(attr: Attr<T>, f: (v: T) => T): Attr<T> {
  if (attr.state === "known") return { ...attr, value: f(attr.value) };
  if (attr.state === "conditional") {
    return {
      ...attr,
      alternatives: attr.alternatives.map((a) => ({
        when: a.when,
        attr: a.attr.state === "known" ? { ...a.attr, value: f(a.attr.value) } : a.attr,
      })),
    };
  }
  return attr;
}

/** Links members to clusters, replicas to sources, clusters to global clusters, KMS references to keys. */
function link(model: Model, aliases: KmsAlias[], groups: ReadonlyMap<string, ParameterGroup>): void {
  const all = [...model.resources.values()];
  const clusters = all.filter((r): r is DbCluster => r.kind === "db-cluster");
  const instances = all.filter((r): r is DbInstance => r.kind === "db-instance");
  const keys = new Map(all.filter((r): r is KmsKey => r.kind === "kms-key").map((k) => [k.id, k]));
  const aliasTargets = new Map(aliases.map((a) => [a.logicalId, a.target]));

  for (const a of aliases) {
    const key = a.target ? keys.get(a.target) : undefined;
    if (key) key.aliases.push(a.alias);
  }
  const resolveKey = (attr: Attr<string>) => {
    const fix = (x: Resolved<string>) => {
      if (x.state !== "known") return;
      const target = x.refersTo && aliasTargets.has(x.refersTo) ? aliasTargets.get(x.refersTo) : x.refersTo;
      const byAlias = [...keys.values()].find((k) => k.aliases.includes(x.value));
      const id = target && keys.has(target) ? target : byAlias?.id;
      if (id) x.refersTo = id;
    };
    if (attr.state === "conditional") for (const alt of attr.alternatives) fix(alt.attr);
    else fix(attr);
  };

  /** A group named by Ref (refersTo) or by the literal name the template gives it. */
  const resolveGroup = (attr: Attr<string>, scope: ParameterGroup["scope"]) => {
    const fix = (x: Resolved<string>) => {
      if (x.state !== "known") return;
      if (x.refersTo && groups.get(x.refersTo)?.scope === scope) return;
      const byName = [...groups.values()].find((g) => g.scope === scope && g.groupName === x.value.toLowerCase());
      if (byName) x.refersTo = byName.id;
    };
    if (attr.state === "conditional") for (const alt of attr.alternatives) fix(alt.attr);
    else fix(attr);
  };

  for (const c of clusters) {
    resolveKey(c.kmsKeyId);
    resolveGroup(c.dbClusterParameterGroupName, "cluster");
  }
  for (const i of instances) {
    resolveKey(i.kmsKeyId);
    resolveGroup(i.dbParameterGroupName, "db");
    if (isSet(i.dbClusterIdentifier)) {
      const ref = refersTo(i.dbClusterIdentifier);
      const literal = settled(i.dbClusterIdentifier);
      const cluster = ref
        ? clusters.find((c) => c.id === ref)
        : clusters.find((c) => literal !== undefined && settled(c.dbClusterIdentifier) === literal);
      if (cluster) {
        i.clusterId = cluster.id;
        cluster.memberIds.push(i.id);
        const engine = settled(cluster.engine) ?? settled(i.engine);
        if (engine !== undefined && !isAuroraEngine(engine)) i.role = "cluster-member";
      } else {
        const engine = settled(i.engine);
        if (engine !== undefined && !isAuroraEngine(engine)) i.role = "cluster-member";
      }
    } else if (isSet(i.sourceDbInstanceIdentifier)) {
      const ref = refersTo(i.sourceDbInstanceIdentifier);
      const literal = settled(i.sourceDbInstanceIdentifier)?.split(":").pop()?.toLowerCase();
      const source = ref
        ? instances.find((s) => s.id === ref)
        : instances.find((s) => literal !== undefined && settled(s.dbInstanceIdentifier) === literal);
      if (source) {
        i.sourceId = source.id;
        // A replica's engine is its source's; CloudFormation does not take Engine on a replica.
        const engine = settled(source.engine);
        if (i.engine.state === "absent" && engine !== undefined) {
          i.engine = {
            state: "known",
            value: engine,
            origin: { kind: "inherited", from: source.id, detail: "Engine of the source DB instance" },
            ...(source.engine.loc ? { loc: source.engine.loc } : {}),
          };
        }
      }
    }
  }
  for (const g of all.filter((r): r is GlobalCluster => r.kind === "global-cluster")) {
    const ownName = settled(g.globalClusterIdentifier);
    for (const c of clusters) {
      const ref = refersTo(c.globalClusterIdentifier);
      if (ref === g.id || (ownName !== undefined && settled(c.globalClusterIdentifier) === ownName))
        g.memberClusterIds.push(c.id);
    }
    const source = refersTo(g.sourceDbClusterIdentifier);
    if (source && clusters.some((c) => c.id === source) && !g.memberClusterIds.includes(source))
      g.memberClusterIds.push(source);
  }
}
