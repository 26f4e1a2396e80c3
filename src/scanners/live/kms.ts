/**
 * KMS key lookups: DescribeKey once per distinct key ARN, GetKeyRotationStatus once per customer-managed key.
 * AWS managed keys are not asked for rotation: KMS rotates them every year and documents their rotation status
 * as always true (KMS API Reference, GetKeyRotationStatus), so the call would only cost a request.
 */
import {
  DescribeKeyCommand,
  type DescribeKeyCommandOutput,
  GetKeyRotationStatusCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import type { KmsKey } from "../../model/types.js";
import { describeAwsError, parseArn } from "./aws.js";
import { known, unknown } from "./map.js";

export interface KeyLookup {
  key: KmsKey;
  /** Messages for calls that failed; the key's attributes say unknown with the same reason. */
  errors: string[];
}

const AWS_MANAGED_ROTATION =
  "KMS API Reference, GetKeyRotationStatus: KMS rotates AWS managed keys every year; their rotation status is always true";

/** Reads one key. `keyArn` is what RDS reported as KmsKeyId (a key ARN). */
export async function lookupKey(kms: KMSClient, keyArn: string, account: string, region: string): Promise<KeyLookup> {
  const errors: string[] = [];
  const parsed = parseArn(keyArn);
  const base: Omit<KmsKey, "enabled" | "rotationEnabled" | "keyManager"> = {
    id: keyArn,
    kind: "kms-key",
    name: parsed?.resource.replace(/^key\//, "") ?? keyArn,
    origin: { source: "live", arn: keyArn, account: parsed?.account || account, region: parsed?.region || region },
    tags: {},
    suppressions: [],
    keyId: keyArn,
    aliases: [],
  };
  let described: DescribeKeyCommandOutput;
  try {
    described = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
  } catch (err) {
    const message = describeAwsError(`kms:DescribeKey ${keyArn}`, err);
    errors.push(message);
    const why = unknown(message);
    return { key: { ...base, enabled: why, rotationEnabled: why, keyManager: why }, errors };
  }
  const md = described.KeyMetadata;
  const api = "DescribeKey";
  const enabled =
    md?.Enabled !== undefined
      ? known(md.Enabled, api)
      : md?.KeyState !== undefined
        ? known(md.KeyState === "Enabled", api)
        : unknown("DescribeKey returned neither Enabled nor KeyState");
  const manager = md?.KeyManager;
  const keyManager =
    manager === "AWS" || manager === "CUSTOMER" ? known(manager, api) : unknown("DescribeKey returned no KeyManager");
  let rotationEnabled: KmsKey["rotationEnabled"];
  if (manager === "AWS") {
    rotationEnabled = {
      state: "known",
      value: true,
      origin: { kind: "inherited", from: keyArn, detail: AWS_MANAGED_ROTATION },
    };
  } else {
    try {
      const out = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
      rotationEnabled =
        out.KeyRotationEnabled === undefined
          ? unknown("GetKeyRotationStatus returned no KeyRotationEnabled")
          : known(out.KeyRotationEnabled, "GetKeyRotationStatus");
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === "UnsupportedOperationException") {
        // Asymmetric, HMAC, imported or custom-key-store keys cannot rotate automatically: rotation is off.
        rotationEnabled = known(false, "GetKeyRotationStatus");
      } else {
        const message = describeAwsError(`kms:GetKeyRotationStatus ${keyArn}`, err);
        errors.push(message);
        rotationEnabled = unknown(message);
      }
    }
  }
  const key: KmsKey = {
    ...base,
    id: md?.Arn ?? keyArn,
    name: md?.KeyId ?? base.name,
    keyId: md?.Arn ?? keyArn,
    enabled,
    rotationEnabled,
    keyManager,
  };
  if (md?.Arn) key.origin = { ...key.origin, arn: md.Arn };
  return { key, errors };
}
