/**
 * Encryption of a global cluster: its own StorageEncrypted, else its source cluster's; with neither, its member
 * clusters are judged each on their own.
 */
import type { GlobalCluster } from "../../model/types.js";
import { combine, mergeUnder, resourceAssumption } from "../alternatives.js";
import { describe } from "../messages.js";
import type { RuleContext, RuleResult } from "../types.js";
import { type AlternativeJudgement, type Judgement, judgeFlag, judgement, mergeJudgements } from "../verdicts.js";
import { clusterAlternatives } from "./clusters.js";
import { linkedCluster, P } from "./shared.js";

export function judgeGlobalCluster(global: GlobalCluster, ctx: RuleContext): RuleResult {
  const base = resourceAssumption(global);
  const items: AlternativeJudgement[] = [];
  for (const { when, values } of combine<[boolean, string]>(
    base,
    global.storageEncrypted,
    global.sourceDbClusterIdentifier,
  )) {
    const [encrypted, source] = values;
    const loc = encrypted.loc ?? global.loc;
    const push = (j: Judgement, w = when) => items.push({ when: w, judgement: j });
    if (encrypted.state !== "absent") {
      push(
        judgement(
          encrypted.state === "unknown" ? "unknown" : encrypted.value ? "pass" : "fail",
          describe(P, encrypted),
          P,
          loc,
        ),
      );
      continue;
    }
    if (source.state !== "absent") {
      const cluster = linkedCluster(source, ctx);
      if (cluster) {
        for (const inherited of clusterAlternatives(cluster, ctx, new Set([global.id]))) {
          const merged = mergeUnder(base, when, inherited.when);
          if (!merged) continue;
          push(
            judgement(
              inherited.enc.verdict,
              `StorageEncrypted is not set: the global cluster takes the encryption of its source cluster ${cluster.name}: ${inherited.enc.message}`,
              P,
              loc,
            ),
            merged,
          );
        }
        continue;
      }
      push(
        judgement(
          "unknown",
          `StorageEncrypted is not set: the global cluster takes the encryption of its source cluster (${describe("SourceDBClusterIdentifier", source)}), which is not in this scan`,
          P,
          loc,
        ),
      );
      continue;
    }
    if (global.memberClusterIds.length > 0) {
      push(
        judgement(
          "not-applicable",
          `StorageEncrypted is not set on the global cluster: encryption is judged on its member clusters (${global.memberClusterIds.join(", ")})`,
          P,
          loc,
        ),
      );
      continue;
    }
    push(judgeFlag(P, encrypted, loc));
  }
  return mergeJudgements(items, global, { property: P });
}
