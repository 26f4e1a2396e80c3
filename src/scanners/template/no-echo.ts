/**
 * The values of a template's NoEcho parameters (from their Default, or as given with --parameters/--parameter):
 * CloudFormation masks them, and so must every report. The model carries them so the engine can replace each
 * occurrence in a finding's words by "value of NoEcho parameter NAME" (engine/redact.ts).
 */
import type { ModelSecret } from "../../model/types.js";
import { type AstNode, child } from "./ast.js";

export function noEchoSecrets(root: AstNode, given: Record<string, string> = {}): ModelSecret[] {
  const params = child(root, "Parameters");
  if (params?.t !== "map") return [];
  const secrets: ModelSecret[] = [];
  for (const p of params.entries) {
    const flag = child(p.value, "NoEcho");
    if (flag?.t !== "scalar" || String(flag.value).toLowerCase() !== "true") continue;
    const values: string[] = [];
    if (given[p.key] !== undefined) values.push(given[p.key] as string);
    const def = child(p.value, "Default");
    if (def?.t === "scalar" && def.value !== null) values.push(String(def.value));
    if (def?.t === "seq") for (const item of def.items) if (item.t === "scalar") values.push(String(item.value));
    for (const value of values) {
      if (value !== "") secrets.push({ parameter: p.key, value });
      // A list parameter's items are quoted one by one too.
      for (const part of value.split(","))
        if (part.trim() !== "" && part !== value) secrets.push({ parameter: p.key, value: part.trim() });
    }
  }
  return secrets;
}
