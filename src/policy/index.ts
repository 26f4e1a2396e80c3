/** Public surface of the policy module. */

export { anyGlobMatches, globMatch, normalizePath } from "../util/glob.js";
export { isExpired, isIsoDate, parseIsoDate } from "./dates.js";
export { emptyPolicy, type LoadPolicyOptions, loadPolicy, shippedPolicyPath, USER_POLICY_FILE } from "./load.js";
export { effectiveRuleSettings, profileMatches, resourceFacts, selectProfile } from "./profile.js";
export * from "./types.js";
