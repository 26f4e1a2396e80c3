/** Public surface of the policy module. */
export { isExpired, isIsoDate, parseIsoDate } from "./dates.js";
export { anyGlobMatches, globMatch, normalizePath } from "./glob.js";
export { emptyPolicy, type LoadPolicyOptions, loadPolicy, shippedPolicyPath, USER_POLICY_FILE } from "./load.js";
export { effectiveRuleSettings, profileMatches, resourceFacts, selectProfile } from "./profile.js";
export * from "./types.js";
