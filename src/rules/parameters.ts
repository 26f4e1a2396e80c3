/** Rule parameters as the policy set them (ctx.params, defaults already filled in), read with a typed fallback. */
import type { RuleContext } from "./types.js";

/** Number parameter from the policy, with a fallback when the policy gave something odd. */
export function numberParam(ctx: RuleContext, name: string, fallback: number): number {
  const v = ctx.params[name];
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

export function booleanParam(ctx: RuleContext, name: string, fallback: boolean): boolean {
  const v = ctx.params[name];
  return typeof v === "boolean" ? v : fallback;
}
