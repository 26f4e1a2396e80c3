/** The real rule catalogue, as the scan and audit commands pass it to loadPolicy. */
import { allRules } from "../../src/rules/index.js";

export const ruleIds = allRules.map((r) => r.meta.id);
export const parameters = Object.fromEntries(allRules.map((r) => [r.meta.id, r.meta.parameters]));
