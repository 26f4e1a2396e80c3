/**
 * The budgets a template is read within. Each one reached is a located error (parse, nesting, size) or an unknown
 * verdict that says which budget (alternatives, evaluation time), never a crash or a hang. README "Known limits"
 * lists them; tests in test/scanner/budgets.test.ts reach each one.
 */

export { MAX_NESTING } from "../../util/nesting.js";
/** Nodes (keys, values, list items) in one parsed file: bounds the memory one file can take (~100 bytes each). */
export const MAX_NODES = 2_000_000;
/** Nodes that expanding YAML aliases may produce (an alias bomb is stopped here). */
export const MAX_ALIAS_NODES = 100_000;
/** Values one property may take over the conditions it depends on; beyond, the property is unknown. */
export const MAX_ALTERNATIVES = 64;
/** Wall-clock time evaluating intrinsics and conditions of one template; beyond, values are unknown. */
export const EVALUATION_BUDGET_MS = 10_000;
