/**
 * The organisation-scale live source: RDS and KMS state of every account and region an AWS Config aggregator
 * collects, read with a few paged advanced queries (SelectAggregateResourceConfig) from one account, instead of a
 * role and a dozen calls in each account x region.
 *
 * Why advanced queries rather than ListAggregateDiscoveredResources + BatchGetAggregateResourceConfig: one query
 * pages through every account and region at once (100 items a page, where List + BatchGet need a List per type
 * and region and then a BatchGet per 100 items), it selects only the fields the rules need, and it returns the
 * item's tags, which the BatchGet answer (BaseConfigurationItem) does not carry and the policy's profiles select on.
 *
 * Plan: one aggregation query (databases per region, so empty regions cost nothing), then per region, with bounded
 * concurrency, the RDS items and the KMS keys they name. A region whose query fails is an error for that region and
 * the others go on; an item that cannot be read is an error for its account x region, which is then not judged (a
 * partial picture would judge members without their cluster). Items older than maxAgeMs are an error for their
 * account x region, which is not judged either. Each resource carries its item's capture time.
 */
import type { Certificate } from "@aws-sdk/client-rds";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { ScanError } from "../../model/errors.js";
import type { CaCertificate, DbCluster, DbInstance, Model, ModelResource } from "../../model/types.js";
import { type ClientScope, describeAwsError, parseArn, scanClients } from "./aws.js";
import {
  CONFIG_RESOURCE_TYPES,
  type ConfigItem,
  clusterShape,
  field,
  globalClusterShape,
  inferFromMembers,
  instanceShape,
  KMS_KEY_TYPE,
  keyFromItem,
  markConfigOrigin,
  unrecordedKey,
} from "./config-items.js";
import { createLimiter } from "./limiter.js";
import { instanceArnOf, linkMembers, mapCertificates, mapCluster, mapGlobalCluster, mapInstance } from "./map.js";
import type { LiveProgress, LiveScanResult } from "./scan.js";

export interface ConfigScanOptions {
  /** Configuration aggregator name. */
  aggregator: string;
  /** The aggregator's home region (where the query is sent). */
  homeRegion: string;
  /** Only these accounts / regions (filters, pushed into the query where it stays short). */
  accounts?: string[];
  regions?: string[];
  /** Region queries running at once. */
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  /** Items captured longer ago than this are an error for their account x region. */
  maxAgeMs?: number;
  now?: Date;
  /** Also call rds:DescribeCertificates once per region in use (caller's account) for CA validity dates. */
  describeCertificates?: boolean;
  endpointUrl?: string;
  profile?: string;
  credentials?: AwsCredentialIdentityProvider;
  log?: (line: string) => void;
  onError?: (error: ScanError) => void;
  onProgress?: (progress: LiveProgress) => void;
}

export interface ConfigScanResult extends LiveScanResult {
  /** Capture time of the oldest item judged (ISO 8601), when any was. */
  oldestCapture?: string;
}

/** Largest page an advanced query returns. */
const PAGE_LIMIT = 100;
/** SelectAggregateResourceConfig takes an expression of at most 4096 characters; stay well below. */
const MAX_EXPRESSION = 3800;
const FIELDS =
  "accountId, awsRegion, resourceType, resourceId, resourceName, arn, configuration, tags, configurationItemCaptureTime";
const KEY_FIELDS =
  "accountId, awsRegion, resourceType, resourceId, resourceName, arn, configuration, supplementaryConfiguration, configurationItemCaptureTime";

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
const inList = (values: readonly string[]) => `(${values.map(quote).join(", ")})`;

/** Parses a duration such as 36h, 7d, 90m; undefined when it is not one. */
export function parseMaxAge(text: string): number | undefined {
  const m = /^(\d+)\s*(m|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] === "m" ? 60_000 : m[2] === "h" ? 3_600_000 : 86_400_000;
  return n > 0 ? n * unit : undefined;
}

function describeAge(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`;
}

export async function scanConfig(options: ConfigScanOptions): Promise<ConfigScanResult> {
  const { recorder, factory } = scanClients(options);
  // The SDK packages load here, not with this module: `audit` imports it to check --max-age before anything else.
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  const { SelectAggregateResourceConfigCommand } = await import("@aws-sdk/client-config-service");
  const credentials = options.credentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  const scope: ClientScope = { region: options.homeRegion, account: "aggregator", credentials };
  const client = await factory.configService(scope);
  const errors: ScanError[] = [];
  const report = (e: ScanError) => {
    errors.push(e);
    options.onError?.(e);
  };
  const now = (options.now ?? new Date()).getTime();
  const progress: LiveProgress = { accountsTotal: 0, accountsDone: 0, targetsTotal: 0, targetsDone: 0, resources: 0 };
  const emitProgress = () => options.onProgress?.({ ...progress });

  /** Every result string of a query, page after page. Throws what the SDK throws (after its retries). */
  const select = async (expression: string): Promise<string[]> => {
    const results: string[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(
        new SelectAggregateResourceConfigCommand({
          ConfigurationAggregatorName: options.aggregator,
          Expression: expression,
          Limit: PAGE_LIMIT,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      if (!Array.isArray(out.Results)) throw new Error("the answer has no Results list");
      for (const r of out.Results) results.push(r);
      token = out.NextToken || undefined;
    } while (token);
    return results;
  };

  // Filters that fit in the expression go into it; a long account list is applied to the answers instead.
  const typeFilter = `resourceType IN ${inList(CONFIG_RESOURCE_TYPES)}`;
  const accountFilter = options.accounts?.length ? ` AND accountId IN ${inList(options.accounts)}` : "";
  const pushAccounts = accountFilter.length < MAX_EXPRESSION / 2;
  const accountWanted = (account: string) => !options.accounts?.length || options.accounts.includes(account);
  const where = (extra: string) => `WHERE ${typeFilter}${pushAccounts ? accountFilter : ""}${extra}`;

  const finish = (result: Omit<ConfigScanResult, "apiCalls" | "operations" | "deployedTemplates">) => {
    factory.destroy();
    return {
      ...result,
      apiCalls: recorder.total,
      operations: recorder.byOperation,
      deployedTemplates: [],
    };
  };

  // 1. Which regions hold databases (or the regions asked for).
  let regions: string[];
  if (options.regions?.length) regions = [...options.regions].sort();
  else {
    try {
      const rows = await select(`SELECT awsRegion, COUNT(*) ${where("")} GROUP BY awsRegion`);
      regions = rows
        .flatMap((row) => {
          const region = (JSON.parse(row) as { awsRegion?: unknown }).awsRegion;
          return typeof region === "string" && region !== "" ? [region] : [];
        })
        .sort();
    } catch (err) {
      report({ kind: "aws", region: options.homeRegion, message: aggregatorError(options.aggregator, err) });
      return finish({ models: [], errors, targets: [] });
    }
  }
  progress.targetsTotal = regions.length;
  emitProgress();

  // Certificates are the same CAs for every account of a region: one call per region in the caller's account.
  const certificatesOf = async (region: string): Promise<Map<string, CaCertificate> | undefined> => {
    if (!options.describeCertificates) return undefined;
    try {
      const rds = await factory.rds({ ...scope, region });
      const { paginateDescribeCertificates } = await import("@aws-sdk/client-rds");
      let defaultCa: string | undefined;
      const certs: Certificate[] = [];
      for await (const page of paginateDescribeCertificates({ client: rds, pageSize: 100 }, {})) {
        defaultCa ??= page.DefaultCertificateForNewLaunches;
        for (const c of page.Certificates ?? []) certs.push(c);
      }
      return mapCertificates(certs, defaultCa);
    } catch (err) {
      report({
        kind: "aws",
        region,
        message: describeAwsError("rds:DescribeCertificates (CA checks for this region use rdsguard's CA table)", err),
      });
      return undefined;
    }
  };

  const models: Model[] = [];
  const targets: LiveScanResult["targets"] = [];
  const accountsSeen = new Set<string>();
  let oldest: string | undefined;

  const scanRegion = async (region: string) => {
    let rows: string[];
    try {
      rows = await select(`SELECT ${FIELDS} ${where(` AND awsRegion = ${quote(region)}`)}`);
    } catch (err) {
      report({ kind: "aws", region, message: aggregatorError(options.aggregator, err) });
      return;
    }
    // Group by account; an unreadable item spoils its account x region (or, when even its account cannot be
    // read, is an error of the region: its account's picture is partial and cannot be told apart).
    const byAccount = new Map<string, ConfigItem[]>();
    const spoiled = new Set<string>();
    rows.forEach((row, index) => {
      const item = parseItem(row);
      if (typeof item === "string") {
        const account = /"accountId"\s*:\s*"(\d{12})"/.exec(row)?.[1];
        if (account) spoiled.add(account);
        report({
          kind: "aws",
          region,
          ...(account ? { account } : {}),
          message: `AWS Config item ${index + 1} of region ${region} cannot be read (${item})${account ? "; this account and region are not judged" : "; its account is unknown"}`,
        });
        return;
      }
      if (item.awsRegion !== region || !accountWanted(item.accountId)) return;
      const list = byAccount.get(item.accountId) ?? [];
      list.push(item);
      byAccount.set(item.accountId, list);
    });

    const certificates = await certificatesOf(region);
    const keyItems = await keysFor(region, [...byAccount.values()].flat());
    for (const [account, items] of [...byAccount].sort(([a], [b]) => a.localeCompare(b))) {
      accountsSeen.add(account);
      if (spoiled.has(account)) {
        targets.push({ account, region, ok: false });
        continue;
      }
      const captures = items.flatMap((i) => (i.configurationItemCaptureTime ? [i.configurationItemCaptureTime] : []));
      const oldestHere = captures.sort()[0];
      if (options.maxAgeMs !== undefined && oldestHere !== undefined) {
        const age = now - Date.parse(oldestHere);
        if (age > options.maxAgeMs) {
          const stale = captures.filter((c) => now - Date.parse(c) > (options.maxAgeMs ?? 0)).length;
          report({
            kind: "aws",
            account,
            region,
            message: `AWS Config items older than --max-age: ${stale} of ${items.length}, the oldest captured ${oldestHere} (${describeAge(age)} ago); this account and region are not judged`,
          });
          targets.push({ account, region, ok: false });
          continue;
        }
      }
      const model = buildModel(account, region, items, keyItems);
      if (typeof model === "string") {
        report({ kind: "aws", account, region, message: `${model}; this account and region are not judged` });
        targets.push({ account, region, ok: false });
        continue;
      }
      if (certificates) model.certificates = certificates;
      models.push(model);
      targets.push({ account, region, ok: true });
      progress.resources += model.resources.size;
      if (oldestHere !== undefined && (oldest === undefined || oldestHere < oldest)) oldest = oldestHere;
    }
  };

  /** The AWS::KMS::Key items of the keys that `items` name, by key ARN; in batches that keep the query short. */
  const keysFor = async (region: string, items: ConfigItem[]): Promise<Map<string, ConfigItem>> => {
    const wanted = new Map<string, Set<string>>();
    for (const item of items) {
      const keyArn = field(item.configuration, "KmsKeyId");
      if (typeof keyArn !== "string") continue;
      const parsed = parseArn(keyArn);
      const keyRegion = parsed?.region || region;
      const id = parsed?.resource.replace(/^key\//, "") ?? keyArn;
      const set = wanted.get(keyRegion) ?? new Set<string>();
      set.add(id);
      wanted.set(keyRegion, set);
    }
    const found = new Map<string, ConfigItem>();
    for (const [keyRegion, ids] of wanted) {
      const all = [...ids].sort();
      const perQuery = Math.max(1, Math.floor((MAX_EXPRESSION - 400) / 45));
      for (let i = 0; i < all.length; i += perQuery) {
        const batch = all.slice(i, i + perQuery);
        try {
          const rows = await select(
            `SELECT ${KEY_FIELDS} WHERE resourceType = '${KMS_KEY_TYPE}' AND awsRegion = ${quote(keyRegion)} AND resourceId IN ${inList(batch)}`,
          );
          for (const row of rows) {
            const item = parseItem(row);
            if (typeof item === "string") {
              report({ kind: "aws", region: keyRegion, message: `AWS Config KMS key item cannot be read (${item})` });
              continue;
            }
            const key = keyFromItem(item);
            found.set(key.id, item);
          }
        } catch (err) {
          report({
            kind: "aws",
            region: keyRegion,
            message: `${aggregatorError(options.aggregator, err)} (KMS keys: their attributes are unknown)`,
          });
        }
      }
    }
    return found;
  };

  const limiter = createLimiter(options.concurrency);
  await Promise.all(
    regions.map((region) =>
      limiter.run(async () => {
        try {
          await scanRegion(region);
        } catch (err) {
          report({ kind: "internal", region, message: describeAwsError("AWS Config region scan", err) });
        }
        progress.targetsDone++;
        progress.accountsTotal = accountsSeen.size;
        progress.accountsDone = accountsSeen.size;
        emitProgress();
      }),
    ),
  );

  models.sort(
    (a, b) => (a.account ?? "").localeCompare(b.account ?? "") || (a.region ?? "").localeCompare(b.region ?? ""),
  );
  targets.sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  return finish({ models, errors, targets, ...(oldest !== undefined ? { oldestCapture: oldest } : {}) });
}

function aggregatorError(aggregator: string, err: unknown): string {
  const name = (err as { name?: string })?.name;
  const op = `config:SelectAggregateResourceConfig (aggregator ${aggregator})`;
  if (name === "NoSuchConfigurationAggregatorException") return `${op}: no such configuration aggregator`;
  return describeAwsError(op, err);
}

/** One result string -> an item, or what is wrong with it. */
function parseItem(row: string): ConfigItem | string {
  let value: unknown;
  try {
    value = JSON.parse(row);
  } catch {
    return "not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const v = value as Record<string, unknown>;
  if (typeof v.accountId !== "string" || !/^\d{12}$/.test(v.accountId)) return "no accountId";
  if (typeof v.awsRegion !== "string" || v.awsRegion === "") return "no awsRegion";
  if (typeof v.resourceType !== "string") return "no resourceType";
  if (typeof v.configuration !== "object" || v.configuration === null || Array.isArray(v.configuration))
    return `no configuration for ${v.resourceType} ${String(v.resourceId ?? "")}`.trim();
  return value as ConfigItem;
}

/** One account x region from its items; a string says why it cannot be built. */
function buildModel(
  account: string,
  region: string,
  items: ConfigItem[],
  keyItems: Map<string, ConfigItem>,
): Model | string {
  const scope = { account, region };
  const clusterItems = items.filter((i) => i.resourceType === "AWS::RDS::DBCluster");
  const instanceItems = items.filter((i) => i.resourceType === "AWS::RDS::DBInstance");
  const globalItems = items.filter((i) => i.resourceType === "AWS::RDS::GlobalCluster");

  const keyIds = new Map<string, string>();
  const keys = new Map<string, ModelResource>();
  const keyArns = new Set<string>();
  for (const item of [...clusterItems, ...instanceItems]) {
    const arn = field(item.configuration, "KmsKeyId");
    if (typeof arn === "string") keyArns.add(arn);
  }
  for (const arn of keyArns) {
    const item = keyItems.get(arn);
    const key = item ? keyFromItem(item) : unrecordedKey(arn, account, region);
    keyIds.set(arn, key.id);
    keys.set(key.id, key);
  }

  const resources = new Map<string, ModelResource>();
  const clusters = clusterItems.map((item) => {
    const shape = clusterShape(item);
    return { item, shape, model: mapCluster(shape, scope, keyIds) };
  });
  const clustersByIdentifier = new Map<string, DbCluster>();
  for (const { shape, model } of clusters) {
    if (shape.DBClusterIdentifier) clustersByIdentifier.set(shape.DBClusterIdentifier, model);
    resources.set(model.id, model);
  }
  const instanceShapes = instanceItems.map((item) => ({ item, shape: instanceShape(item) }));
  const instanceArnsByIdentifier = new Map<string, string>();
  for (const { shape } of instanceShapes) {
    if (!shape.DBInstanceIdentifier) return "an AWS Config DBInstance item has no DBInstanceIdentifier";
    instanceArnsByIdentifier.set(shape.DBInstanceIdentifier, instanceArnOf(shape, scope));
  }
  linkMembers(clusters, instanceArnsByIdentifier);
  const instances: DbInstance[] = [];
  for (const { item, shape } of instanceShapes) {
    const instance = mapInstance(shape, scope, { clustersByIdentifier, instanceArnsByIdentifier, keyIds });
    markConfigOrigin(instance, item);
    instances.push(instance);
    resources.set(instance.id, instance);
  }
  for (const { item, model } of clusters) {
    markConfigOrigin(model, item);
    const members = instances.filter((i) => i.clusterId === model.id);
    inferFromMembers(model, members, item);
  }
  for (const item of globalItems) {
    const global = mapGlobalCluster(globalClusterShape(item), account, region);
    markConfigOrigin(global, item);
    resources.set(global.id, global);
  }
  for (const [id, key] of keys) if (!resources.has(id)) resources.set(id, key);
  return { source: "live", account, region, resources };
}
