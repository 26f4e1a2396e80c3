/**
 * A 200 answer is only an answer when it has the shape of one. The SDK reads an HTML page (a captive portal, a
 * proxy's login page) or an empty body with status 200 as a result with no fields, which the scanner would take as
 * "no databases in this region": a silent pass. This middleware sits just inside the SDK's deserializer, reads the
 * raw body of every 2xx answer, and fails the call (like a 500) unless it is the expected document: for the XML
 * (query) protocols an `<OperationResponse>` with its `<OperationResult>` (EC2: the response element), for the JSON
 * protocol (KMS, AWS Config) a JSON object.
 */
import type { AwsService } from "./aws.js";

/** Services whose API speaks JSON (awsJson1_1); the others answer in XML (query and EC2 protocols). */
const JSON_PROTOCOL: ReadonlySet<AwsService> = new Set<AwsService>(["kms", "config"]);

export class InvalidAwsResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidResponse";
  }
}

interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What is wrong with a 2xx body for `operation`, or undefined when it is the expected document. */
export function responseProblem(service: AwsService, operation: string, body: string): string | undefined {
  const text = body.trim();
  if (text === "") return "the body is empty";
  if (JSON_PROTOCOL.has(service)) {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === "object" && !Array.isArray(value)
        ? undefined
        : "the body is not a JSON object";
    } catch {
      return `the body is not JSON (it starts ${JSON.stringify(text.slice(0, 40))})`;
    }
  }
  if (!new RegExp(`<${operation}Response[\\s>]`).test(text)) {
    return `the body has no <${operation}Response> element (it starts ${JSON.stringify(text.slice(0, 40))})`;
  }
  if (service !== "ec2" && !new RegExp(`<${operation}Result[\\s>/]`).test(text)) {
    return `the body has no <${operation}Result> element`;
  }
  return undefined;
}

async function readBody(body: unknown): Promise<Uint8Array | undefined> {
  if (body instanceof Uint8Array) return body;
  if (body === null || body === undefined) return new Uint8Array();
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== "function") return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

/** A deserialize-step middleware (added just after the SDK's deserializer, so it sees the raw answer first). */
export function responseCheckMiddleware(service: AwsService) {
  // biome-ignore lint/suspicious/noExplicitAny: generic middleware signature, as in aws.ts.
  return (next: any, context: any) => async (args: any) => {
    const result = await next(args);
    const response = result?.response as RawResponse | undefined;
    const status = response?.statusCode ?? 0;
    if (!response || status < 200 || status >= 300) return result;
    const bytes = await readBody(response.body);
    if (bytes === undefined) return result;
    response.body = bytes;
    const operation = String(context.commandName ?? "").replace(/Command$/, "");
    const problem = responseProblem(service, operation, Buffer.from(bytes).toString("utf8"));
    if (problem) {
      const error = new InvalidAwsResponse(`HTTP ${status} but not an answer to ${operation}: ${problem}`);
      Object.assign(error, { $metadata: { httpStatusCode: status } });
      throw error;
    }
    return result;
  };
}
