/**
 * AWS Config for the fake endpoint: configuration items built from the same fixture state the Describe calls
 * answer from, and the advanced-query operation SelectAggregateResourceConfig over them (JSON 1.1,
 * StarlingDoveService). Items are made as AWS Config records them: Config's own casing (DBInstance items
 * lower-case the first letter, `dBInstanceIdentifier`; DBCluster and KMS items lower-case the leading capitals,
 * `dbclusterIdentifier`, `iamdatabaseAuthenticationEnabled`; GlobalCluster items keep CloudFormation's
 * `GlobalClusterIdentifier`), without the fields Config does not record, tags as {key, value}. The query language
 * understood is the subset rdsguard sends: a field list or `awsRegion, COUNT(*) ... GROUP BY awsRegion`, and
 * conditions joined by AND of the forms `name = 'v'` and `name IN ('v', ...)`.
 */
import type { DBCluster, DBInstance, GlobalCluster } from "@aws-sdk/client-rds";
import type { FakeAwsState } from "./server.js";

export interface FakeConfigItem {
  accountId: string;
  awsRegion: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn: string;
  configuration: Record<string, unknown>;
  supplementaryConfiguration?: Record<string, unknown>;
  tags: { key: string; value: string }[];
  configurationItemCaptureTime: string;
}

export interface FakeAggregator {
  name: string;
  /** Account that owns the aggregator (the caller must be in it). */
  account: string;
  items: FakeConfigItem[];
  /** Result strings served as they are (malformed answers), in the region named. */
  extraRows?: { region: string; row: string }[];
}

/** Fields each type's items do not carry (AWS Config's published property lists; see src/scanners/live/config-items.ts). */
const NOT_RECORDED: Record<string, string[]> = {
  "AWS::RDS::DBInstance": [
    "DeletionProtection",
    "StorageEncryptionType",
    "CertificateDetails",
    "ReadReplicaSourceDBClusterIdentifier",
    "EngineLifecycleSupport",
    "TagList",
  ],
  "AWS::RDS::DBCluster": [
    "DBClusterInstanceClass",
    "StorageEncryptionType",
    "GlobalClusterIdentifier",
    "AutoMinorVersionUpgrade",
    "PubliclyAccessible",
    "ServerlessV2ScalingConfiguration",
    "EngineLifecycleSupport",
    "TagList",
  ],
  "AWS::RDS::GlobalCluster": ["GlobalClusterMembers", "StorageEncryptionType", "GlobalClusterArn", "TagList"],
};

const lowerFirst = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);
/** Jackson's bean naming, as DBCluster items show: the leading capitals lower-cased (DBClusterArn -> dbclusterArn). */
const lowerLeadingCapitals = (k: string) => {
  const m = /^[A-Z]+/.exec(k);
  return m ? m[0].toLowerCase() + k.slice(m[0].length) : k;
};

function recase(value: unknown, key: (k: string) => string): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => recase(v, key));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[key(k)] = recase(v, key);
    return out;
  }
  return value;
}

function configurationOf(shape: object, type: string, key: (k: string) => string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(shape as Record<string, unknown>) };
  for (const f of NOT_RECORDED[type] ?? []) delete copy[f];
  return recase(copy, key) as Record<string, unknown>;
}

const tagsOf = (list: { Key?: string; Value?: string }[] | undefined) =>
  (list ?? []).flatMap((t) => (t.Key !== undefined ? [{ key: t.Key, value: t.Value ?? "" }] : []));

export interface ItemOptions {
  /** Capture time of every item (ISO 8601), or per item. */
  capturedAt: string | ((item: Omit<FakeConfigItem, "configurationItemCaptureTime">) => string);
  /** Drop AWS::KMS::Key items (Config not recording KMS keys). */
  withoutKeys?: boolean;
}

/** The configuration items an aggregator over every account of `state` would hold. */
export function configItemsFrom(state: FakeAwsState, options: ItemOptions): FakeConfigItem[] {
  const items: Omit<FakeConfigItem, "configurationItemCaptureTime">[] = [];
  for (const account of state.accounts) {
    for (const [region, rs] of Object.entries(account.regions)) {
      for (const c of rs.clusters as DBCluster[]) {
        if (c.Engine === "neptune" || c.Engine === "docdb") continue;
        items.push({
          accountId: account.id,
          awsRegion: region,
          resourceType: "AWS::RDS::DBCluster",
          resourceId: c.DbClusterResourceId ?? `cluster-${c.DBClusterIdentifier}`,
          ...(c.DBClusterIdentifier ? { resourceName: c.DBClusterIdentifier } : {}),
          arn: c.DBClusterArn ?? "",
          configuration: configurationOf(c, "AWS::RDS::DBCluster", lowerLeadingCapitals),
          tags: tagsOf(c.TagList),
        });
      }
      for (const i of rs.instances as DBInstance[]) {
        if (i.Engine === "neptune" || i.Engine === "docdb") continue;
        items.push({
          accountId: account.id,
          awsRegion: region,
          resourceType: "AWS::RDS::DBInstance",
          resourceId: i.DbiResourceId ?? `db-${i.DBInstanceIdentifier}`,
          ...(i.DBInstanceIdentifier ? { resourceName: i.DBInstanceIdentifier } : {}),
          arn: i.DBInstanceArn ?? "",
          configuration: configurationOf(i, "AWS::RDS::DBInstance", lowerFirst),
          tags: tagsOf(i.TagList),
        });
      }
    }
    for (const g of account.globalClusters as GlobalCluster[]) {
      const writer = g.GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn;
      const region = writer?.split(":")[3] ?? Object.keys(account.regions)[0] ?? "us-east-1";
      items.push({
        accountId: account.id,
        awsRegion: region,
        resourceType: "AWS::RDS::GlobalCluster",
        resourceId: g.GlobalClusterIdentifier ?? "",
        arn: g.GlobalClusterArn ?? "",
        configuration: configurationOf(g, "AWS::RDS::GlobalCluster", (k) => k),
        tags: tagsOf(g.TagList),
      });
    }
    if (!options.withoutKeys) {
      for (const k of account.keys) {
        items.push({
          accountId: account.id,
          awsRegion: k.arn.split(":")[3] ?? "",
          resourceType: "AWS::KMS::Key",
          resourceId: k.keyId,
          arn: k.arn,
          configuration: recase(
            {
              AWSAccountId: account.id,
              Arn: k.arn,
              KeyId: k.keyId,
              Enabled: k.enabled,
              KeyState: k.enabled ? "Enabled" : "Disabled",
              KeyManager: k.manager,
              KeyUsage: "ENCRYPT_DECRYPT",
              Origin: "AWS_KMS",
            },
            lowerLeadingCapitals,
          ) as Record<string, unknown>,
          // Config records the rotation status as a string in supplementaryConfiguration.
          supplementaryConfiguration: { KeyRotationStatus: String(k.rotation) },
          tags: [],
        });
      }
    }
  }
  return items.map((item) => ({
    ...item,
    configurationItemCaptureTime:
      typeof options.capturedAt === "string" ? options.capturedAt : options.capturedAt(item),
  }));
}

export class ConfigQueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Condition {
  field: string;
  values: string[];
}

function parseValues(text: string): string[] {
  return [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? "").replaceAll("''", "'"));
}

/** The subset of the advanced-query language rdsguard sends. */
function parseExpression(expression: string): { fields: string[]; conditions: Condition[]; groupByRegion: boolean } {
  const m = /^SELECT\s+(.+?)\s+WHERE\s+(.+?)(\s+GROUP BY awsRegion)?$/s.exec(expression.trim());
  if (!m) throw new ConfigQueryError(400, "InvalidExpressionException", `cannot parse: ${expression}`);
  const fields = (m[1] ?? "").split(",").map((f) => f.trim());
  const conditions = (m[2] ?? "").split(/\s+AND\s+/).map((c): Condition => {
    const eq = /^(\w+)\s*=\s*('.*')$/.exec(c.trim());
    if (eq) return { field: eq[1] ?? "", values: parseValues(eq[2] ?? "") };
    const inList = /^(\w+)\s+IN\s+\((.*)\)$/s.exec(c.trim());
    if (inList) return { field: inList[1] ?? "", values: parseValues(inList[2] ?? "") };
    throw new ConfigQueryError(400, "InvalidExpressionException", `unsupported condition: ${c}`);
  });
  return { fields, conditions, groupByRegion: !!m[3] };
}

/** SelectAggregateResourceConfig over `aggregator`'s items. */
export function selectAggregate(
  aggregator: FakeAggregator,
  params: Record<string, unknown>,
  pageSize = 100,
): { Results: string[]; NextToken?: string; QueryInfo: { SelectFields: { Name: string }[] } } {
  const expression = String(params.Expression ?? "");
  if (expression.length > 4096)
    throw new ConfigQueryError(400, "ValidationException", "Expression: length must be at most 4096");
  const { fields, conditions, groupByRegion } = parseExpression(expression);
  const matching = aggregator.items.filter((item) =>
    conditions.every((c) => c.values.includes(String((item as unknown as Record<string, unknown>)[c.field] ?? ""))),
  );
  let rows: string[];
  if (groupByRegion) {
    const counts = new Map<string, number>();
    for (const item of matching) counts.set(item.awsRegion, (counts.get(item.awsRegion) ?? 0) + 1);
    rows = [...counts].map(([awsRegion, n]) => JSON.stringify({ awsRegion, "COUNT(*)": n }));
  } else {
    rows = matching.map((item) => {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        const value = (item as unknown as Record<string, unknown>)[f];
        if (value !== undefined) out[f] = value;
      }
      return JSON.stringify(out);
    });
  }
  const regionCondition = conditions.find((c) => c.field === "awsRegion");
  const typeCondition = conditions.find((c) => c.field === "resourceType");
  if (!groupByRegion && !typeCondition?.values.includes("AWS::KMS::Key"))
    for (const extra of aggregator.extraRows ?? [])
      if (!regionCondition || regionCondition.values.includes(extra.region)) rows.push(extra.row);
  const limit = Math.min(Number(params.Limit ?? 100) || 100, 100, pageSize);
  const start = Number(params.NextToken ?? 0);
  const page = rows.slice(start, start + limit);
  const next = start + limit < rows.length ? String(start + limit) : undefined;
  return {
    Results: page,
    ...(next ? { NextToken: next } : {}),
    QueryInfo: { SelectFields: fields.map((Name) => ({ Name })) },
  };
}
