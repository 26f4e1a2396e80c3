/**
 * The policy as the engine reads it: the shipped rules.yaml with the user's file layered on top, validated and
 * normalized (tag values always lists, waivers carrying the place they are written).
 */
import type { SourceLocation } from "../model/types.js";
import type { CustomRuleSpec } from "../rules/declarative/spec.js";
import type { Severity } from "../rules/types.js";

export interface RuleSettingsOverride {
  enabled?: boolean;
  severity?: Severity;
  parameters?: Record<string, unknown>;
}

export interface ProfileMatch {
  /** Tag key -> value globs. */
  tags?: Record<string, string[]>;
  stackNames?: string[];
  accounts?: string[];
  paths?: string[];
}

export interface PolicyProfile {
  name: string;
  description?: string;
  /** A profile without match is selected only as the defaultProfile. */
  match?: ProfileMatch;
  rules: Record<string, RuleSettingsOverride>;
}

export interface PolicyWaiver {
  /** Rule id or "*". */
  rule: string;
  /** Glob on logical id, name, ARN, CDK path or file#logicalId. */
  resource: string;
  reason: string;
  /** YYYY-MM-DD; the waiver stops applying on that date (UTC). */
  expires?: string;
  loc?: SourceLocation;
}

/** A rule plugin named in the policy file (plugins) or by --plugin. */
export interface PluginRef {
  /** As written. */
  spec: string;
  /** Absolute path (relative specs resolve against the policy file's directory). */
  path: string;
  loc?: SourceLocation;
}

/** Name of the built-in profile that adds nothing to the top-level rules. */
export const BUILTIN_DEFAULT_PROFILE = "default";

export interface Policy {
  version: 1;
  /** Profile for resources no profile matches. */
  defaultProfile: string;
  rules: Record<string, RuleSettingsOverride>;
  /** In selection order: first match wins. */
  profiles: PolicyProfile[];
  waivers: PolicyWaiver[];
  /** Stack name -> template path (relative to the working directory, forward slashes). */
  stackTemplates: Record<string, string>;
  /** Rules written in the policy files, in file order. */
  customRules: CustomRuleSpec[];
  /** Rule plugins the policy files name. */
  plugins: PluginRef[];
  /** Files the policy was read from, shipped first. */
  files: string[];
}

export interface EffectiveRuleSettings {
  enabled: boolean;
  severity: Severity;
  params: Record<string, unknown>;
}
