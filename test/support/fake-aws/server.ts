/**
 * A local AWS endpoint for tests: node:http on 127.0.0.1 (random port) speaking the RDS, STS and
 * CloudFormation Query/XML protocols, EC2's Query flavour and KMS JSON 1.1, answering from fixture account
 * states. The service and region come from the SigV4 credential scope, the account from the access key
 * (the default key, or keys this endpoint issued through AssumeRole). Faults can be injected per
 * service/action/region/account: errors (throttling, access denied) and delays (timeouts).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  Certificate,
  DBCluster,
  DBInstance,
  DBMajorEngineVersion,
  GlobalCluster,
  Parameter,
} from "@aws-sdk/client-rds";
import { ConfigQueryError, type FakeAggregator, selectAggregate } from "./config.js";
import { ec2Error, escapeXml, queryError, queryResponse } from "./xml.js";

export interface FakeRegionState {
  clusters: DBCluster[];
  instances: DBInstance[];
  certificates: Certificate[];
  defaultCertificate?: string;
  /** CloudFormation stack name -> template body. */
  stacks?: Record<string, string>;
  /** DescribeDBMajorEngineVersions answers (every engine); default: none. */
  majorEngineVersions?: DBMajorEngineVersion[];
  /** DB parameter group name -> its parameters (each with its Source); a name not listed does not exist. */
  dbParameterGroups?: Record<string, Parameter[]>;
  /** DB cluster parameter group name -> its parameters. */
  dbClusterParameterGroups?: Record<string, Parameter[]>;
}

export interface FakeKey {
  arn: string;
  keyId: string;
  manager: "AWS" | "CUSTOMER";
  enabled: boolean;
  rotation: boolean;
}

export interface FakeAccount {
  id: string;
  regions: Record<string, FakeRegionState>;
  /** Account-wide: DescribeGlobalClusters answers the same in every region. */
  globalClusters: GlobalCluster[];
  keys: FakeKey[];
  /** Regions DescribeRegions lists; default: the keys of `regions`. */
  enabledRegions?: string[];
  /** Role name -> required external id (undefined: none required). Roles not listed cannot be assumed. */
  roles?: Record<string, { externalId?: string }>;
}

export interface FakeAwsState {
  accounts: FakeAccount[];
  /** Account the default access key belongs to. */
  defaultAccount: string;
  /** Largest page the endpoint returns, whatever MaxRecords asks (forces multi-page answers). */
  pageSize?: number;
  /** AWS Config aggregators (SelectAggregateResourceConfig), see config.ts. */
  aggregators?: FakeAggregator[];
}

export interface Fault {
  service?: string;
  action?: string;
  region?: string;
  account?: string;
  /** Only requests whose parameters, as JSON, contain this text (e.g. a region named in a query). */
  paramsInclude?: string;
  /** How many matching requests the fault applies to (default: all). */
  times?: number;
  /** Delay before answering (past the client's timeout = a timeout). */
  delayMs?: number;
  error?: { status: number; code: string; message: string };
  /** A raw answer instead of the state: a proxy's HTML page, an empty body, a document without its result. */
  body?: { status?: number; contentType?: string; text: string };
}

export interface RecordedRequest {
  service: string;
  action: string;
  region: string;
  account: string;
  /** Parameters of the request (form fields or JSON body), for assertions. */
  params: Record<string, unknown>;
  /** Whether a fault answered (error) instead of the state. */
  faulted: boolean;
}

export const DEFAULT_ACCESS_KEY_ID = "AKIAFAKEDEFAULT00001";
export const DEFAULT_SECRET_ACCESS_KEY = "fake-secret-default-never-printed";

const NAMESPACES: Record<string, string> = {
  rds: "http://rds.amazonaws.com/doc/2014-10-31/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  cloudformation: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
  ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
};

class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeAws {
  readonly requests: RecordedRequest[] = [];
  faults: (Fault & { used?: number })[] = [];
  private server: Server | undefined;
  private readonly keys = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private issued = 0;
  /** Replaced on reset(), so requests still delayed from an earlier test do not count. */
  private active = new Map<string, number>();
  /** Most requests of one action in flight at once (answers delayed by a fault count as in flight). */
  readonly peakConcurrent = new Map<string, number>();
  url = "";

  constructor(public state: FakeAwsState) {
    this.keys.set(DEFAULT_ACCESS_KEY_ID, state.defaultAccount);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  /** Number of requests matching the filter (every field optional). */
  count(filter: Partial<Pick<RecordedRequest, "service" | "action" | "region" | "account" | "faulted">> = {}): number {
    return this.requests.filter((r) => Object.entries(filter).every(([k, v]) => r[k as keyof RecordedRequest] === v))
      .length;
  }

  reset(): void {
    this.requests.length = 0;
    this.faults = [];
    this.peakConcurrent.clear();
    this.active = new Map();
  }

  private account(id: string): FakeAccount {
    const a = this.state.accounts.find((x) => x.id === id);
    if (!a) throw new AwsError(403, "InvalidClientTokenId", `no such account ${id}`);
    return a;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const auth = String(req.headers.authorization ?? "");
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    const requestId = randomUUID();
    if (!scope) {
      res.writeHead(403, { "content-type": "text/xml" });
      res.end(queryError(NAMESPACES.rds ?? "", "MissingAuthenticationToken", "request is not signed", requestId));
      return;
    }
    const [, accessKeyId = "", region = "", service = ""] = scope;
    const target = String(req.headers["x-amz-target"] ?? "");
    let params: Record<string, unknown>;
    let action: string;
    if (service === "kms" || service === "config") {
      action = target.replace(/^(TrentService|StarlingDoveService)\./, "");
      params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } else {
      const form = new URLSearchParams(body);
      action = form.get("Action") ?? "";
      params = Object.fromEntries(form.entries());
    }
    const account = this.keys.get(accessKeyId) ?? "unknown";
    const fault = this.faults.find(
      (f) =>
        (f.service === undefined || f.service === service) &&
        (f.action === undefined || f.action === action) &&
        (f.region === undefined || f.region === region) &&
        (f.account === undefined || f.account === account) &&
        (f.paramsInclude === undefined || JSON.stringify(params).includes(f.paramsInclude)) &&
        (f.times === undefined || (f.used ?? 0) < f.times),
    );
    if (fault) fault.used = (fault.used ?? 0) + 1;
    this.requests.push({ service, action, region, account, params, faulted: !!(fault?.error || fault?.body) });
    const active = this.active;
    const now = (active.get(action) ?? 0) + 1;
    active.set(action, now);
    this.peakConcurrent.set(action, Math.max(now, this.peakConcurrent.get(action) ?? 0));
    try {
      await this.answer(res, { service, action, region, account, params, fault, requestId });
    } finally {
      active.set(action, (active.get(action) ?? 1) - 1);
    }
  }

  private async answer(
    res: ServerResponse,
    r: {
      service: string;
      action: string;
      region: string;
      account: string;
      params: Record<string, unknown>;
      fault: Fault | undefined;
      requestId: string;
    },
  ): Promise<void> {
    const { service, action, region, account, params, fault, requestId } = r;
    if (fault?.delayMs) {
      const delay = fault.delayMs;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, delay);
        this.timers.add(t);
      });
      // The client gave up (timeout): nothing to answer.
      if (res.destroyed || !res.socket || res.socket.destroyed) return;
    }
    if (fault?.body) {
      res.writeHead(fault.body.status ?? 200, { "content-type": fault.body.contentType ?? "text/html" });
      res.end(fault.body.text);
      return;
    }
    try {
      if (fault?.error) throw new AwsError(fault.error.status, fault.error.code, fault.error.message);
      if (account === "unknown")
        throw new AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
      if (service === "kms") {
        const out = this.kms(action, params, account);
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId });
        res.end(JSON.stringify(out));
        return;
      }
      if (service === "config") {
        const out = this.config(action, params, account);
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId });
        res.end(JSON.stringify(out));
        return;
      }
      if (service === "ec2") {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(this.ec2(action, account, requestId));
        return;
      }
      const result = this.query(service, action, params, account, region);
      res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": requestId });
      res.end(queryResponse(action, NAMESPACES[service] ?? "", result, requestId));
    } catch (err) {
      const e =
        err instanceof AwsError
          ? err
          : err instanceof ConfigQueryError
            ? new AwsError(err.status, err.code, err.message)
            : new AwsError(500, "InternalFailure", String(err));
      if (service === "kms" || service === "config") {
        res.writeHead(e.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": e.code });
        res.end(JSON.stringify({ __type: e.code, message: e.message }));
      } else if (service === "ec2") {
        res.writeHead(e.status, { "content-type": "text/xml" });
        res.end(ec2Error(e.code, e.message, requestId));
      } else {
        res.writeHead(e.status, { "content-type": "text/xml" });
        res.end(
          queryError(NAMESPACES[service] ?? "", e.code, e.message, requestId, e.status >= 500 ? "Receiver" : "Sender"),
        );
      }
    }
  }

  private page<T>(items: T[], params: Record<string, unknown>): { page: T[]; marker?: string } {
    const requested = Number(params.MaxRecords ?? 100);
    const size = Math.min(requested, this.state.pageSize ?? 100);
    const start = Number(params.Marker ?? 0);
    const page = items.slice(start, start + size);
    const next = start + size;
    return next < items.length ? { page, marker: String(next) } : { page };
  }

  private regionState(accountId: string, region: string): FakeRegionState {
    return this.account(accountId).regions[region] ?? { clusters: [], instances: [], certificates: [] };
  }

  private query(
    service: string,
    action: string,
    params: Record<string, unknown>,
    accountId: string,
    region: string,
  ): Record<string, unknown> {
    const key = `${service}:${action}`;
    switch (key) {
      case "rds:DescribeDBClusters": {
        const { page, marker } = this.page(this.regionState(accountId, region).clusters, params);
        return { DBClusters: page, Marker: marker };
      }
      case "rds:DescribeDBInstances": {
        const { page, marker } = this.page(this.regionState(accountId, region).instances, params);
        return { DBInstances: page, Marker: marker };
      }
      case "rds:DescribeGlobalClusters": {
        const { page, marker } = this.page(this.account(accountId).globalClusters, params);
        return { GlobalClusters: page, Marker: marker };
      }
      case "rds:DescribeCertificates": {
        const state = this.regionState(accountId, region);
        const { page, marker } = this.page(state.certificates, params);
        return { DefaultCertificateForNewLaunches: state.defaultCertificate, Certificates: page, Marker: marker };
      }
      case "rds:DescribeDBMajorEngineVersions": {
        const all = this.regionState(accountId, region).majorEngineVersions ?? [];
        const wanted = all.filter(
          (v) =>
            (params.Engine === undefined || v.Engine === params.Engine) &&
            (params.MajorEngineVersion === undefined || v.MajorEngineVersion === params.MajorEngineVersion),
        );
        const { page, marker } = this.page(wanted, params);
        return { DBMajorEngineVersions: page, Marker: marker };
      }
      case "rds:DescribeDBParameters":
      case "rds:DescribeDBClusterParameters": {
        const state = this.regionState(accountId, region);
        const cluster = action === "DescribeDBClusterParameters";
        const name = String((cluster ? params.DBClusterParameterGroupName : params.DBParameterGroupName) ?? "");
        const groups = (cluster ? state.dbClusterParameterGroups : state.dbParameterGroups) ?? {};
        const list = groups[name];
        if (list === undefined) {
          throw new AwsError(
            404,
            cluster ? "DBParameterGroupNotFound" : "DBParameterGroupNotFound",
            `${cluster ? "DBClusterParameterGroup" : "DBParameterGroup"} not found: ${name}`,
          );
        }
        const source = params.Source === undefined ? undefined : String(params.Source);
        const { page, marker } = this.page(
          list.filter((p) => source === undefined || p.Source === source),
          params,
        );
        return { Parameters: page, Marker: marker };
      }
      case "sts:GetCallerIdentity":
        return {
          Arn: `arn:aws:iam::${accountId}:user/auditor`,
          UserId: "AIDAFAKEUSER",
          Account: accountId,
        };
      case "sts:AssumeRole":
        return this.assumeRole(params);
      case "cloudformation:GetTemplate": {
        const name = String(params.StackName ?? "");
        const body = this.regionState(accountId, region).stacks?.[name];
        if (body === undefined) throw new AwsError(400, "ValidationError", `Stack with id ${name} does not exist`);
        return { TemplateBody: body, StagesAvailable: ["Original", "Processed"] };
      }
      default:
        throw new AwsError(400, "InvalidAction", `The action ${action} is not valid for this web service.`);
    }
  }

  private assumeRole(params: Record<string, unknown>): Record<string, unknown> {
    const roleArn = String(params.RoleArn ?? "");
    const m = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
    const target = m ? this.state.accounts.find((a) => a.id === m[1]) : undefined;
    const role = target && m ? target.roles?.[m[2] ?? ""] : undefined;
    if (!target || !role) {
      throw new AwsError(
        403,
        "AccessDenied",
        `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    if (role.externalId !== undefined && params.ExternalId !== role.externalId) {
      throw new AwsError(
        403,
        "AccessDenied",
        `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    this.issued++;
    const accessKeyId = `ASIAFAKE${target.id}${String(this.issued).padStart(4, "0")}`;
    this.keys.set(accessKeyId, target.id);
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: `fake-secret-${this.issued}-never-printed`,
        SessionToken: `fake-session-token-${this.issued}-never-printed`,
        Expiration: new Date(Date.now() + 3600_000),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${target.id}:assumed-role/${m?.[2]}/${String(params.RoleSessionName ?? "")}`,
        AssumedRoleId: `AROAFAKE:${String(params.RoleSessionName ?? "")}`,
      },
    };
  }

  private findKey(keyId: string): FakeKey {
    for (const a of this.state.accounts) {
      const k = a.keys.find((x) => x.arn === keyId || x.keyId === keyId);
      if (k) return k;
    }
    throw new AwsError(400, "NotFoundException", `Key '${keyId}' does not exist`);
  }

  private kms(action: string, params: Record<string, unknown>, _account: string): Record<string, unknown> {
    const key = this.findKey(String(params.KeyId ?? ""));
    switch (action) {
      case "DescribeKey":
        return {
          KeyMetadata: {
            AWSAccountId: key.arn.split(":")[4],
            Arn: key.arn,
            KeyId: key.keyId,
            CreationDate: 1_600_000_000,
            Enabled: key.enabled,
            KeyState: key.enabled ? "Enabled" : "Disabled",
            KeyManager: key.manager,
            KeySpec: "SYMMETRIC_DEFAULT",
            KeyUsage: "ENCRYPT_DECRYPT",
            Origin: "AWS_KMS",
            Description: key.manager === "AWS" ? "Default key that protects my RDS database volumes" : "",
          },
        };
      case "GetKeyRotationStatus":
        if (key.manager === "AWS") {
          // Real KMS answers true here; the scanner should not need to ask.
          return { KeyId: key.arn, KeyRotationEnabled: true };
        }
        return { KeyId: key.arn, KeyRotationEnabled: key.rotation };
      default:
        throw new AwsError(400, "UnknownOperationException", `unknown operation ${action}`);
    }
  }

  private config(action: string, params: Record<string, unknown>, accountId: string): Record<string, unknown> {
    if (action !== "SelectAggregateResourceConfig")
      throw new AwsError(400, "UnknownOperationException", `unknown operation ${action}`);
    const name = String(params.ConfigurationAggregatorName ?? "");
    const aggregator = this.state.aggregators?.find((a) => a.name === name && a.account === accountId);
    if (!aggregator)
      throw new AwsError(
        400,
        "NoSuchConfigurationAggregatorException",
        `The configuration aggregator '${name}' does not exist.`,
      );
    return selectAggregate(aggregator, params, this.state.pageSize);
  }

  private ec2(action: string, accountId: string, requestId: string): string {
    if (action !== "DescribeRegions") throw new AwsError(400, "InvalidAction", `The action ${action} is not valid`);
    const a = this.account(accountId);
    const regions = a.enabledRegions ?? Object.keys(a.regions);
    const items = regions
      .map(
        (r) =>
          `<item><regionName>${escapeXml(r)}</regionName><regionEndpoint>ec2.${escapeXml(r)}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>`,
      )
      .join("");
    return `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="${NAMESPACES.ec2}"><requestId>${requestId}</requestId><regionInfo>${items}</regionInfo></DescribeRegionsResponse>`;
  }
}
