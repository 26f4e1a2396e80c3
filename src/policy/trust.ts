/**
 * Which plugins may run. A plugin is code: it runs with the job's environment and token. A policy file the user
 * named (--config, --policy-ref) is trusted with its plugins; a policy rdsguard found by itself (./rdsguard.yaml, or
 * a test suite's rdsguard.yaml) may come from the very change under review, so its plugins are refused unless
 * --allow-plugins says otherwise. Refusals are policy errors (exit 2) at the line naming the plugin.
 */
import type { ScanError } from "../model/errors.js";
import type { PolicySource } from "./load.js";
import { pluginRefs } from "./load.js";
import type { PluginRef } from "./types.js";

export interface PluginTrust {
  /** The user's policy file was named (--config, or read from a trusted ref with --policy-ref), not discovered. */
  policyGiven: boolean;
  /** --allow-plugins, or a caller whose policy is the user's own code anyway (the CDK Aspect and plugin). */
  allowPlugins: boolean;
}

/** The policy's plugins that may be loaded, and an error for each one that may not. */
export function trustedPluginRefs(
  sources: readonly PolicySource[],
  trust: PluginTrust,
): { refs: PluginRef[]; errors: ScanError[] } {
  const refs = pluginRefs(sources);
  if (trust.policyGiven || trust.allowPlugins) return { refs, errors: [] };
  const file = sources.find((s) => !s.shipped)?.file ?? "the policy file";
  return {
    refs: [],
    errors: refs.map((ref) => ({
      kind: "policy" as const,
      message:
        `plugin ${ref.spec} was not loaded: a plugin runs code, and ${file} was found in the working directory ` +
        "rather than named, so it may come from the change under review. To run it, name the policy " +
        `(--config ${file}), read the policy from a trusted git ref (--policy-ref origin/main), or pass --allow-plugins`,
      ...(ref.loc ? { file: ref.loc.file, line: ref.loc.line, column: ref.loc.column } : { file }),
    })),
  };
}
