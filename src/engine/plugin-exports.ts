/** What a plugin module exports as rules: `export const rules = [...]`, or a default export of one rule or a list. */
export function exportedRules(module: unknown): unknown[] {
  if (module === null || typeof module !== "object") return [];
  const m = module as { rules?: unknown; default?: unknown };
  const found = m.rules ?? m.default;
  if (found === undefined || found === null) return [];
  return Array.isArray(found) ? found : [found];
}
