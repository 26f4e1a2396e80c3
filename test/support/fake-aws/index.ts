import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY } from "./server.js";

// The SDK warns that its future releases need Node 22; keep test output to what the tests print.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export * from "./config.js";
export * from "./fixtures.js";
export * from "./organisation.js";
export * from "./server.js";

/** The default access key of the fake endpoint, as the SDK's credentials option. */
export const fakeCredentials: AwsCredentialIdentityProvider = async () => ({
  accessKeyId: DEFAULT_ACCESS_KEY_ID,
  secretAccessKey: DEFAULT_SECRET_ACCESS_KEY,
});

/** Environment for running the CLI against the fake endpoint: default chain finds these keys, no profile files. */
export function fakeEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: DEFAULT_SECRET_ACCESS_KEY,
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/nonexistent/rdsguard-test-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/rdsguard-test-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}
