/**
 * The live scanner: reads RDS/Aurora state of one or many accounts and regions into one Model per
 * account x region. Only Describe/List/Get operations are sent (see docs/iam-policy.json). Failures are
 * contained: an account or region that cannot be read becomes a ScanError and the others go on.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import {
  type Certificate,
  type DBCluster,
  type DBInstance,
  type GlobalCluster as GlobalClusterShape,
  paginateDescribeCertificates,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  paginateDescribeGlobalClusters,
  type RDSClient,
} from "@aws-sdk/client-rds";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { ScanError } from "../../model/errors.js";
import type { DbCluster, DbInstance, KmsKey, Model, ModelResource } from "../../model/types.js";
import { appendAll } from "../../util/append.js";
import { type ClientScope, describeAwsError, parseArn, scanClients } from "./aws.js";
import { collectPages, type GroupInUse, readEngineLifecycles, readParameterGroups } from "./engine-settings.js";
import { type KeyLookup, lookupKey } from "./kms.js";
import { createLimiter, mapLimit } from "./limiter.js";
import {
  globalClusterRegions,
  instanceArnOf,
  isRdsEngine,
  linkMembers,
  linkReplicaSource,
  mapCertificates,
  mapCluster,
  mapGlobalCluster,
  mapInstance,
} from "./map.js";

export interface LiveScanOptions {
  /** Region list, or "all" for every region enabled in each account (EC2 DescribeRegions). Default: the profile's region. */
  regions?: string[] | "all";
  /** Role to assume in each account; `{account}` is replaced by each entry of `accounts`. */
  roleArn?: string;
  accounts?: string[];
  externalId?: string;
  sessionName?: string;
  /** Account x region scans running at once. */
  concurrency: number;
  /** Per-call timeout in milliseconds. */
  timeoutMs: number;
  maxAttempts: number;
  endpointUrl?: string;
  profile?: string;
  /** Also fetch deployed template bodies (GetTemplate) of the stacks that own RDS resources. */
  deployedTemplates?: boolean;
  /** Base credentials; default: the SDK's default chain (with `profile`). */
  credentials?: AwsCredentialIdentityProvider;
  /** Region used for STS, EC2 DescribeRegions and when `regions` is not given; default: the profile's region. */
  homeRegion?: string;
  /** Verbose: one line per API call. */
  log?: (line: string) => void;
  /** Each error as it happens (for stderr); they are also in the result. */
  onError?: (error: ScanError) => void;
  onProgress?: (progress: LiveProgress) => void;
}

export interface LiveProgress {
  accountsTotal: number;
  accountsDone: number;
  /** Account x region scans known so far (grows as `all` regions are listed). */
  targetsTotal: number;
  targetsDone: number;
  resources: number;
}

/** A deployed template body (CloudFormation GetTemplate, stage Original). */
export interface DeployedTemplate {
  account: string;
  region: string;
  stackName: string;
  body: string;
}

export interface LiveScanResult {
  models: Model[];
  errors: ScanError[];
  apiCalls: number;
  /** "service:Operation" -> number of calls (pages). */
  operations: Map<string, number>;
  deployedTemplates: DeployedTemplate[];
  /** Every account x region attempted and whether its model was built. */
  targets: { account: string; region: string; ok: boolean }[];
}

const KMS_CONCURRENCY = 4;
const PAGE_SIZE = 100;
const ASSUMED_ROLE_REFRESH_MS = 5 * 60_000;

/**
 * The SDK's "Could not load credentials from any providers" does not say which profile was asked for; with
 * --profile the error names it.
 */
function namingProfile(provider: AwsCredentialIdentityProvider, profile: string): AwsCredentialIdentityProvider {
  return async (...args) => {
    try {
      return await provider(...args);
    } catch (err) {
      if (err instanceof Error && err.name === "CredentialsProviderError") {
        err.message = `profile '${profile}' gives no credentials (is it in ~/.aws/config or ~/.aws/credentials, or AWS_CONFIG_FILE?): ${err.message}`;
      }
      throw err;
    }
  };
}

/** Region from the environment or the profile, as the SDK resolves it; undefined when none is configured. */
export async function resolveDefaultRegion(profile?: string): Promise<string | undefined> {
  const client = new STSClient(profile ? { profile } : {});
  try {
    const region = client.config.region;
    const value = typeof region === "function" ? await region() : region;
    return value || undefined;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

interface AccountContext {
  account: string;
  credentials: AwsCredentialIdentityProvider;
  /** Key lookups shared by the account's regions: one DescribeKey per distinct key ARN. */
  keys: Map<string, Promise<KeyLookup>>;
  kmsClients: Map<string, Promise<KMSClient>>;
}

/** Caches AssumeRole credentials and renews them shortly before they expire (long audits outlive one session). */
function assumedRoleCredentials(fetch: () => Promise<AwsCredentialIdentity>): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = Number.POSITIVE_INFINITY;
  return async () => {
    if (current && expiresAt - Date.now() > ASSUMED_ROLE_REFRESH_MS) return current;
    const pending = fetch();
    current = pending;
    try {
      const credentials = await pending;
      expiresAt = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
      return credentials;
    } catch (err) {
      if (current === pending) current = undefined;
      throw err;
    }
  };
}

/** Runs the live scan. Never throws for AWS failures: they are in `errors`. */
export async function scanLive(options: LiveScanOptions): Promise<LiveScanResult> {
  const { recorder, factory } = scanClients(options);
  const errors: ScanError[] = [];
  const models: Model[] = [];
  const deployedTemplates: DeployedTemplate[] = [];
  const targets: LiveScanResult["targets"] = [];
  const limiter = createLimiter(options.concurrency);
  const baseCredentials =
    options.credentials ??
    (options.profile
      ? namingProfile(fromNodeProviderChain({ profile: options.profile }), options.profile)
      : fromNodeProviderChain({}));
  const progress: LiveProgress = {
    accountsTotal: options.roleArn ? Math.max(1, options.accounts?.length ?? 1) : 1,
    accountsDone: 0,
    targetsTotal: 0,
    targetsDone: 0,
    resources: 0,
  };
  const report = (e: ScanError) => {
    errors.push(e);
    options.onError?.(e);
  };
  const homeRegion =
    options.homeRegion ??
    (Array.isArray(options.regions) ? options.regions[0] : undefined) ??
    (await resolveDefaultRegion(options.profile)) ??
    "us-east-1";

  const kmsClient = (ctx: AccountContext, region: string): Promise<KMSClient> => {
    let client = ctx.kmsClients.get(region);
    if (!client) {
      client = factory.kms({ region, account: ctx.account, credentials: ctx.credentials });
      ctx.kmsClients.set(region, client);
    }
    return client;
  };

  /** Credentials and account id for one account; undefined (and an error reported) when it cannot be reached. */
  const openAccount = async (requested: string | undefined): Promise<AccountContext | undefined> => {
    const stsScope: ClientScope = { region: homeRegion, account: requested ?? "?", credentials: baseCredentials };
    if (options.roleArn) {
      const roleArn = options.roleArn.replaceAll("{account}", requested ?? "");
      const account = requested ?? parseArn(roleArn)?.account ?? "?";
      const sts = await factory.sts({ ...stsScope, account });
      const credentials = assumedRoleCredentials(async () => {
        const out = await sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: options.sessionName ?? "rdsguard-audit",
            ...(options.externalId ? { ExternalId: options.externalId } : {}),
          }),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
          ...(c.Expiration ? { expiration: new Date(c.Expiration) } : {}),
        };
      });
      try {
        await credentials();
      } catch (err) {
        report({ kind: "aws", account, message: describeAwsError(`sts:AssumeRole ${roleArn}`, err) });
        return undefined;
      }
      return { account, credentials, keys: new Map(), kmsClients: new Map() };
    }
    try {
      const who = await (await factory.sts(stsScope)).send(new GetCallerIdentityCommand({}));
      const account = who.Account ?? "?";
      return { account, credentials: baseCredentials, keys: new Map(), kmsClients: new Map() };
    } catch (err) {
      report({ kind: "aws", message: describeAwsError("sts:GetCallerIdentity", err) });
      return undefined;
    }
  };

  const regionsOf = async (ctx: AccountContext): Promise<string[] | undefined> => {
    if (options.regions !== "all") return options.regions?.length ? options.regions : [homeRegion];
    try {
      const ec2 = await factory.ec2({ region: homeRegion, account: ctx.account, credentials: ctx.credentials });
      const { DescribeRegionsCommand } = await import("@aws-sdk/client-ec2");
      const out = await ec2.send(new DescribeRegionsCommand({}));
      // Without AllRegions the answer lists enabled regions only; skip any marked not-opted-in all the same.
      return (out.Regions ?? [])
        .flatMap((r) => (r.RegionName && r.OptInStatus !== "not-opted-in" ? [r.RegionName] : []))
        .sort();
    } catch (err) {
      report({
        kind: "aws",
        account: ctx.account,
        region: homeRegion,
        message: describeAwsError("ec2:DescribeRegions", err),
      });
      return undefined;
    }
  };

  /** DescribeGlobalClusters answers for every region; ask once per account, in the first region that answers. */
  const globalClustersOf = async (ctx: AccountContext, regions: string[]): Promise<GlobalClusterShape[]> => {
    let lastError: ScanError | undefined;
    for (const region of regions.slice(0, 3)) {
      try {
        const rds = await factory.rds({ region, account: ctx.account, credentials: ctx.credentials });
        return await collectPages(
          paginateDescribeGlobalClusters({ client: rds, pageSize: PAGE_SIZE }, {}),
          (p) => p.GlobalClusters,
        );
      } catch (err) {
        lastError = {
          kind: "aws",
          account: ctx.account,
          region,
          message: describeAwsError("rds:DescribeGlobalClusters", err),
        };
      }
    }
    if (lastError) report(lastError);
    return [];
  };

  /**
   * One region's model. Instances are mapped page by page as DescribeDBInstances answers (the clusters, which
   * members link to, are listed first, in parallel with the first pages), so a region of 25,000 instances never
   * holds the SDK's full answers, only the model.
   */
  const scanRegion = async (ctx: AccountContext, region: string): Promise<Model | undefined> => {
    const scope: ClientScope = { region, account: ctx.account, credentials: ctx.credentials };
    const rds = await factory.rds(scope);
    const mapScope = { account: ctx.account, region };
    const resources = new Map<string, ModelResource>();

    // One DescribeKey per distinct key (the cluster and its members report the same KmsKeyId), looked up before
    // the resources that name it are mapped; the keys join the model after the databases, in first-seen order.
    const keyIds = new Map<string, string>();
    const keys: KmsKey[] = [];
    const lookUpKeys = async (keyArns: (string | undefined)[]) => {
      const fresh = [...new Set(keyArns.filter((k): k is string => !!k && !keyIds.has(k)))];
      const found = await mapLimit(fresh, KMS_CONCURRENCY, async (keyArn) => {
        let lookup = ctx.keys.get(keyArn);
        if (!lookup) {
          const keyRegion = parseArn(keyArn)?.region || region;
          lookup = kmsClient(ctx, keyRegion).then((client) => lookupKey(client, keyArn, ctx.account, keyRegion));
          ctx.keys.set(keyArn, lookup);
          for (const message of (await lookup).errors) report({ kind: "aws", account: ctx.account, region, message });
        }
        return [keyArn, (await lookup).key] as const;
      });
      for (const [arn, key] of found) {
        keyIds.set(arn, key.id);
        keys.push(key);
      }
    };

    const clusterListing = collectPages(
      paginateDescribeDBClusters({ client: rds, pageSize: PAGE_SIZE }, {}),
      (p) => p.DBClusters,
    ).then((all) => all.filter((c: DBCluster) => isRdsEngine(c.Engine)));
    const clustersByIdentifier = new Map<string, DbCluster>();
    let clustersMapped: Promise<{ shape: DBCluster; model: DbCluster }[] | undefined> | undefined;
    /** The clusters, mapped on first call, or undefined when they could not be listed. */
    const mapClusters = () =>
      (clustersMapped ??= (async () => {
        const shapes = await clusterListing.catch(() => undefined);
        if (!shapes) return undefined;
        await lookUpKeys(shapes.map((c) => c.KmsKeyId));
        const clusters = shapes.map((shape) => ({ shape, model: mapCluster(shape, mapScope, keyIds) }));
        for (const { shape, model } of clusters) {
          if (shape.DBClusterIdentifier) clustersByIdentifier.set(shape.DBClusterIdentifier, model);
          resources.set(model.id, model);
        }
        return clusters;
      })());

    const instanceArnsByIdentifier = new Map<string, string>();
    const links = { clustersByIdentifier, instanceArnsByIdentifier, keyIds };
    // What the engine settings need of the instances, and replicas whose same-region source may come on a later page.
    const instanceEngines: string[] = [];
    const instanceGroups: GroupInUse[] = [];
    const replicas: { instance: DbInstance; shape: DBInstance }[] = [];
    let mappingFailure: unknown;
    const instanceListing = (async () => {
      for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: PAGE_SIZE }, {})) {
        // Without the clusters the instances are not mapped, but still listed: a failure of both is reported.
        if (!(await mapClusters()) || mappingFailure !== undefined) continue;
        try {
          const shapes = (page.DBInstances ?? []).filter((i: DBInstance) => isRdsEngine(i.Engine));
          await lookUpKeys(shapes.map((i) => i.KmsKeyId));
          for (const i of shapes) {
            if (i.DBInstanceIdentifier)
              instanceArnsByIdentifier.set(i.DBInstanceIdentifier, instanceArnOf(i, mapScope));
          }
          for (const shape of shapes) {
            const instance = mapInstance(shape, mapScope, links);
            resources.set(instance.id, instance);
            if (shape.Engine) instanceEngines.push(shape.Engine);
            // Members take TLS settings from their cluster's group; their own DB parameter group is not needed.
            const group = shape.DBParameterGroups?.[0]?.DBParameterGroupName;
            if (!shape.DBClusterIdentifier && group) instanceGroups.push({ scope: "db", name: group });
            const source = shape.ReadReplicaSourceDBInstanceIdentifier ?? shape.ReadReplicaSourceDBClusterIdentifier;
            if (source && !source.startsWith("arn:")) replicas.push({ instance, shape });
          }
        } catch (err) {
          mappingFailure = err;
        }
      }
    })();
    const certificateListing = (async () => {
      let defaultCa: string | undefined;
      const certs = await collectPages(
        paginateDescribeCertificates({ client: rds, pageSize: PAGE_SIZE }, {}),
        (p): Certificate[] | undefined => {
          defaultCa ??= p.DefaultCertificateForNewLaunches;
          return p.Certificates;
        },
      );
      return mapCertificates(certs, defaultCa);
    })();
    const [clustersR, instancesR, certsR] = await Promise.allSettled([
      clusterListing,
      instanceListing,
      certificateListing,
    ]);
    const fail = (operation: string, err: unknown) =>
      report({ kind: "aws", account: ctx.account, region, message: describeAwsError(operation, err) });
    if (clustersR.status === "rejected") fail("rds:DescribeDBClusters", clustersR.reason);
    if (instancesR.status === "rejected") fail("rds:DescribeDBInstances", instancesR.reason);
    // Without both listings the region's picture is partial (members without clusters): judge nothing rather than guess.
    if (clustersR.status === "rejected" || instancesR.status === "rejected") return undefined;
    if (mappingFailure !== undefined) throw mappingFailure;
    if (certsR.status === "rejected")
      fail("rds:DescribeCertificates (CA checks for this region are unknown)", certsR.reason);

    const mapped = (await mapClusters()) ?? [];
    // Now that every instance is known: replicas of a source listed on a later page, and cluster members.
    for (const { instance, shape } of replicas) linkReplicaSource(instance, shape, links);
    linkMembers(mapped, instanceArnsByIdentifier);
    for (const key of keys) if (!resources.has(key.id)) resources.set(key.id, key);

    const model: Model = { source: "live", account: ctx.account, region, resources };
    if (certsR.status === "fulfilled") model.certificates = certsR.value;
    const clusterShapes = mapped.map((c) => c.shape);
    await readEngineSettings(
      ctx,
      rds,
      model,
      [...clusterShapes.flatMap((c) => (c.Engine ? [c.Engine] : [])), ...instanceEngines],
      [
        ...clusterShapes.flatMap((c) =>
          c.DBClusterParameterGroup ? [{ scope: "cluster" as const, name: c.DBClusterParameterGroup }] : [],
        ),
        ...instanceGroups,
      ],
    );

    if (options.deployedTemplates) await fetchTemplates(ctx, region, resources);
    return model;
  };

  /**
   * Lifecycle dates once per engine in use and parameters once per distinct non-default group in use: what
   * engine-version and encryption-in-transit need, never a call per database.
   */
  const readEngineSettings = async (
    ctx: AccountContext,
    rds: RDSClient,
    model: Model,
    engines: string[],
    groups: GroupInUse[],
  ) => {
    const region = model.region ?? "";
    const warn = (message: string) => report({ kind: "aws", account: ctx.account, region, message });
    const [lifecycles, parameterGroups] = await Promise.all([
      readEngineLifecycles(rds, engines),
      readParameterGroups(rds, groups, warn),
    ]);
    model.engineLifecycles = lifecycles.lifecycles;
    if (lifecycles.errors.size > 0) {
      model.engineLifecycleErrors = lifecycles.errors;
      for (const message of lifecycles.errors.values()) {
        warn(`${message} (engine-version uses rdsguard's lifecycle table for this region)`);
      }
    }
    if (parameterGroups.length > 0) model.parameterGroups = new Map(parameterGroups.map((g) => [g.id, g]));
  };

  const fetchTemplates = async (ctx: AccountContext, region: string, resources: Map<string, ModelResource>) => {
    const stacks = [
      ...new Set([...resources.values()].flatMap((r) => (r.origin.stackName ? [r.origin.stackName] : []))),
    ];
    if (stacks.length === 0) return;
    const cfn = await factory.cloudformation({ region, account: ctx.account, credentials: ctx.credentials });
    const { GetTemplateCommand } = await import("@aws-sdk/client-cloudformation");
    await mapLimit(stacks, KMS_CONCURRENCY, async (stackName) => {
      try {
        const out = await cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: "Original" }));
        if (out.TemplateBody !== undefined)
          deployedTemplates.push({ account: ctx.account, region, stackName, body: out.TemplateBody });
      } catch (err) {
        report({
          kind: "aws",
          account: ctx.account,
          region,
          message: describeAwsError(`cloudformation:GetTemplate ${stackName}`, err),
        });
      }
    });
  };

  /** Puts each global cluster in the model of its writer's region (else a member's region, else the first region). */
  const placeGlobalClusters = (ctx: AccountContext, globals: GlobalClusterShape[], byRegion: Map<string, Model>) => {
    const first = byRegion.values().next().value as Model | undefined;
    for (const g of globals) {
      const memberRegions = globalClusterRegions(g);
      const home =
        memberRegions.map((r) => byRegion.get(r)).find((m): m is Model => m !== undefined) ??
        (memberRegions.length === 0 ? first : undefined);
      // A global cluster whose member regions were all outside this scan belongs to another shard.
      if (!home) continue;
      const global = mapGlobalCluster(g, ctx.account, home.region ?? "");
      home.resources.set(global.id, global);
      for (const memberArn of global.memberClusterIds) {
        const member = home.resources.get(memberArn);
        if (member?.kind === "db-cluster" && member.globalClusterIdentifier.state !== "known") {
          // Some answers omit GlobalClusterIdentifier on members; the global cluster's member list is authoritative.
          member.globalClusterIdentifier = {
            state: "known",
            value: global.name,
            origin: { kind: "live", api: "DescribeGlobalClusters" },
            refersTo: global.id,
          };
        }
      }
      progress.resources++;
    }
  };

  const emitProgress = () => options.onProgress?.({ ...progress });

  const auditAccount = async (requested: string | undefined) => {
    const setup = await limiter.run(async () => {
      const ctx = await openAccount(requested);
      if (!ctx) return undefined;
      const regions = await regionsOf(ctx);
      if (!regions) return undefined;
      const globals = regions.length > 0 ? await globalClustersOf(ctx, regions) : [];
      return { ctx, regions, globals };
    });
    if (!setup) {
      progress.accountsDone++;
      emitProgress();
      return;
    }
    const { ctx, regions, globals } = setup;
    progress.targetsTotal += regions.length;
    emitProgress();
    const byRegion = new Map<string, Model>();
    const results = await Promise.all(
      regions.map((region) =>
        limiter.run(async () => {
          let model: Model | undefined;
          try {
            model = await scanRegion(ctx, region);
          } catch (err) {
            report({ kind: "internal", account: ctx.account, region, message: describeAwsError("scan", err) });
          }
          progress.targetsDone++;
          progress.resources += model?.resources.size ?? 0;
          emitProgress();
          return { region, model };
        }),
      ),
    );
    for (const { region, model } of results) {
      targets.push({ account: ctx.account, region, ok: model !== undefined });
      if (model) byRegion.set(region, model);
    }
    placeGlobalClusters(ctx, globals, byRegion);
    appendAll(models, byRegion.values());
    progress.accountsDone++;
    emitProgress();
  };

  try {
    const requestedAccounts: (string | undefined)[] =
      options.roleArn && options.accounts?.length ? options.accounts : [undefined];
    await Promise.all(requestedAccounts.map((a) => auditAccount(a)));
  } finally {
    factory.destroy();
  }
  return {
    models,
    errors,
    apiCalls: recorder.total,
    operations: recorder.byOperation,
    deployedTemplates,
    targets,
  };
}
