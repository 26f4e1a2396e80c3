/**
 * SDK client construction shared by the live scanner: one HTTP handler with a per-call timeout, the SDK's
 * adaptive retry, an optional endpoint override (tests, local endpoints), and a middleware that counts and
 * optionally logs every API operation. Credentials are never logged. Each service's SDK package is loaded when
 * its first client is built (an audit without `--regions all` never loads EC2's, one without stacks never
 * CloudFormation's): the packages are large and importing them is most of an audit's start-up.
 */
import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import type { ConfigServiceClient } from "@aws-sdk/client-config-service";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { STSClient } from "@aws-sdk/client-sts";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { responseCheckMiddleware } from "./response-check.js";

/** IAM service prefix of each client the scanner builds. */
export type AwsService = "rds" | "kms" | "cloudformation" | "sts" | "ec2" | "config";

/** Counts the API operations sent (one per command, i.e. per page; SDK retries of the same call are not extra calls). */
export class ApiCallRecorder {
  total = 0;
  /** "rds:DescribeDBClusters" -> count. */
  readonly byOperation = new Map<string, number>();

  record(service: AwsService, operation: string): void {
    this.total++;
    const key = `${service}:${operation}`;
    this.byOperation.set(key, (this.byOperation.get(key) ?? 0) + 1);
  }
}

export interface AwsClientOptions {
  /** Per-call timeout in milliseconds (each attempt). */
  timeoutMs: number;
  /** SDK maxAttempts (first try included). */
  maxAttempts: number;
  /** Override every client's endpoint (tests and local endpoints). */
  endpointUrl?: string;
  /** Named profile for credentials and default region. */
  profile?: string;
  recorder: ApiCallRecorder;
  /** Verbose log sink: one line per API call. */
  log?: (line: string) => void;
}

/** Identifies the account a client works for in verbose logs; "?" until known. */
export interface ClientScope {
  region: string;
  account: string;
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
}

type AnyClient = RDSClient | KMSClient | CloudFormationClient | STSClient | EC2Client | ConfigServiceClient;

/** Builds SDK clients that share one HTTP handler; call destroy() once the scan is over. */
export class AwsClientFactory {
  private handler?: NodeHttpHandler;

  constructor(readonly options: AwsClientOptions) {}

  private async config(scope: ClientScope) {
    if (!this.handler) {
      const { NodeHttpHandler } = await import("@smithy/node-http-handler");
      this.handler ??= new NodeHttpHandler({
        requestTimeout: this.options.timeoutMs,
        // Without this the handler only warns when requestTimeout passes.
        throwOnRequestTimeout: true,
        connectionTimeout: this.options.timeoutMs,
        httpAgent: { keepAlive: true, maxSockets: 64 },
        httpsAgent: { keepAlive: true, maxSockets: 64 },
      });
    }
    return {
      region: scope.region,
      credentials: scope.credentials,
      requestHandler: this.handler,
      retryMode: "adaptive",
      maxAttempts: this.options.maxAttempts,
      ...(this.options.endpointUrl ? { endpoint: this.options.endpointUrl } : {}),
      ...(this.options.profile ? { profile: this.options.profile } : {}),
    };
  }

  private instrument<C extends AnyClient>(client: C, service: AwsService, scope: ClientScope): C {
    const { recorder, log } = this.options;
    // biome-ignore lint/suspicious/noExplicitAny: the middleware stack is typed per client; this one is generic.
    (client.middlewareStack as any).add(
      // biome-ignore lint/suspicious/noExplicitAny: generic middleware signature.
      (next: any, context: any) => async (args: any) => {
        const operation = String(context.commandName ?? "Unknown").replace(/Command$/, "");
        recorder.record(service, operation);
        const started = Date.now();
        try {
          const out = await next(args);
          log?.(
            `aws ${service}:${operation} account=${scope.account} region=${scope.region} ok ${Date.now() - started}ms attempts=${out?.output?.$metadata?.attempts ?? 1}`,
          );
          return out;
        } catch (err) {
          const e = err as { name?: string; $metadata?: { attempts?: number } };
          log?.(
            `aws ${service}:${operation} account=${scope.account} region=${scope.region} error ${e.name ?? "Error"} ${Date.now() - started}ms attempts=${e.$metadata?.attempts ?? 1}`,
          );
          throw err;
        }
      },
      { step: "initialize", name: "rdsguardApiCallRecorder", override: true },
    );
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    (client.middlewareStack as any).addRelativeTo(responseCheckMiddleware(service), {
      relation: "after",
      toMiddleware: "deserializerMiddleware",
      name: "rdsguardResponseCheck",
      override: true,
    });
    return client;
  }

  async rds(scope: ClientScope): Promise<RDSClient> {
    const { RDSClient } = await import("@aws-sdk/client-rds");
    return this.instrument(new RDSClient(await this.config(scope)), "rds", scope);
  }
  async kms(scope: ClientScope): Promise<KMSClient> {
    const { KMSClient } = await import("@aws-sdk/client-kms");
    return this.instrument(new KMSClient(await this.config(scope)), "kms", scope);
  }
  async cloudformation(scope: ClientScope): Promise<CloudFormationClient> {
    const { CloudFormationClient } = await import("@aws-sdk/client-cloudformation");
    return this.instrument(new CloudFormationClient(await this.config(scope)), "cloudformation", scope);
  }
  async sts(scope: ClientScope): Promise<STSClient> {
    const { STSClient } = await import("@aws-sdk/client-sts");
    return this.instrument(new STSClient(await this.config(scope)), "sts", scope);
  }
  async ec2(scope: ClientScope): Promise<EC2Client> {
    const { EC2Client } = await import("@aws-sdk/client-ec2");
    return this.instrument(new EC2Client(await this.config(scope)), "ec2", scope);
  }
  async configService(scope: ClientScope): Promise<ConfigServiceClient> {
    const { ConfigServiceClient } = await import("@aws-sdk/client-config-service");
    return this.instrument(new ConfigServiceClient(await this.config(scope)), "config", scope);
  }

  destroy(): void {
    this.handler?.destroy();
  }
}

/** What both live sources build their clients from. */
export interface ScanClientOptions {
  timeoutMs: number;
  maxAttempts: number;
  endpointUrl?: string;
  profile?: string;
  log?: (line: string) => void;
}

/** The call recorder and the client factory of one live scan. */
export function scanClients(options: ScanClientOptions): { recorder: ApiCallRecorder; factory: AwsClientFactory } {
  const recorder = new ApiCallRecorder();
  const factory = new AwsClientFactory({
    timeoutMs: options.timeoutMs,
    maxAttempts: options.maxAttempts,
    recorder,
    ...(options.endpointUrl ? { endpointUrl: options.endpointUrl } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return { recorder, factory };
}

/** Parsed `arn:partition:service:region:account:resource`. */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return {
    partition: parts[1] ?? "",
    service: parts[2] ?? "",
    region: parts[3] ?? "",
    account: parts[4] ?? "",
    resource: parts.slice(5).join(":"),
  };
}

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "AuthorizationError",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredToken",
  "ExpiredTokenException",
  "SignatureDoesNotMatch",
  "AuthFailure",
]);

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "LimitExceededException",
]);

/** One line saying what failed and why, for ScanError.message and stderr. No credentials in it. */
export function describeAwsError(operation: string, err: unknown): string {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { attempts?: number; httpStatusCode?: number };
    $response?: { statusCode?: number };
  };
  const name = e?.name ?? e?.code ?? "Error";
  const attempts = e?.$metadata?.attempts;
  const detail = (e?.message ?? String(err)).replace(/\s+/g, " ").trim();
  let what: string;
  if (ACCESS_DENIED.has(name)) what = "access denied";
  else if (THROTTLING.has(name)) what = `throttled${attempts ? ` (gave up after ${attempts} attempts)` : ""}`;
  else if (name === "TimeoutError" || e?.code === "ETIMEDOUT")
    what = `timed out${attempts ? ` after ${attempts} attempts` : ""}`;
  else if (name === "CredentialsProviderError") what = "no credentials";
  else if (e?.code === "ECONNREFUSED" || e?.code === "ENOTFOUND") what = "endpoint unreachable";
  else what = "failed";
  const status = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
  return `${operation} ${what}: ${name}: ${detail}${status ? ` (HTTP ${status})` : ""}`;
}
