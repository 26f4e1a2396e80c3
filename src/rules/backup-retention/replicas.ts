/**
 * Read replicas: one that is the source of another read replica (MySQL and MariaDB cascade) needs automated backups
 * and is judged like a standalone instance; a leaf replica keeps no backups of its own.
 */

import { normalizeEngine } from "../../model/engines.js";
import { replicasOf, sourceOf } from "../../model/relations.js";
import type { Attr, DbInstance, Resolved } from "../../model/types.js";
import { knownValue } from "../../model/values.js";
import { type Combination, combine, presenceOf, resourceAssumption } from "../alternatives.js";
import { describe } from "../messages.js";
import { numberParam } from "../parameters.js";
import type { RuleContext, RuleResult } from "../types.js";
import { type Judgement, judgeAcross, judgement, single } from "../verdicts.js";
import { judgeRetention, P, policyResults } from "./retention.js";

/** Engines whose read replicas can be the source of further read replicas (cascading), and then need backups. */
const CASCADING_ENGINES = new Set(["mysql", "mariadb"]);

/** Whether a read replica feeds other read replicas (under which conditions), and their names. */
interface FeedsReplicas {
  attr: Attr<boolean>;
  replicas: string[];
  source?: string;
}

/**
 * A read replica that is the source of another read replica is judged like a standalone instance (retention and
 * the DeletionPolicy/UpdateReplacePolicy that keep its data); a leaf replica is not applicable.
 */
export function evaluateReplica(replica: DbInstance, ctx: RuleContext): RuleResult[] {
  const feeds = feedsReplicas(replica, ctx);
  if (feeds.attr.state === "known" && !feeds.attr.value) return [single(replica, leafReplica(replica, feeds, P))];
  const minimum = numberParam(ctx, "minimumDays", 7);
  const engine = engineOf(replica, ctx);
  // DeletionPolicy and UpdateReplacePolicy are judged where the replica needs backups: it feeds a replica and its
  // engine cascades.
  const needsBackups = booleanAlternatives(
    combine<[boolean, string]>(resourceAssumption(replica), feeds.attr, engine),
    ([isSource, e]) =>
      isSource.state === "known" &&
      isSource.value &&
      e.state === "known" &&
      CASCADING_ENGINES.has(normalizeEngine(e.value)),
  );
  return [
    judgeAcross<[boolean, string, number]>(
      replica,
      [feeds.attr, engine, replica.backupRetentionPeriod],
      ([isSource, engine, retention]) => {
        if (!(isSource.state === "known" && isSource.value)) return leafReplica(replica, feeds, P);
        const cascading = engine.state === "known" ? CASCADING_ENGINES.has(normalizeEngine(engine.value)) : undefined;
        const what = `read replica that is the source of read replica ${feeds.replicas.join(", ")}`;
        if (cascading === false) {
          return judgement(
            "not-applicable",
            `${what}: ${describe("Engine", engine)}; backups of this data are taken on its source`,
            P,
            replica.loc,
          );
        }
        if (cascading === undefined) {
          return judgement(
            "unknown",
            `${what}: ${describe("Engine", engine)}, so whether it needs automated backups of its own (MySQL and MariaDB) cannot be told`,
            P,
            engine.loc ?? replica.loc,
          );
        }
        const j = judgeRetention(replica, retention, minimum, false);
        const why =
          j.verdict === "fail"
            ? "; AWS requires automated backups on a read replica that is the source of another"
            : "";
        return { ...j, message: `${what}: ${j.message}${why}` };
      },
    ),
    ...policyResults(replica, {
      attr: needsBackups,
      otherwise: (property) =>
        judgement(
          "not-applicable",
          `read replica${feeds.source ? ` of ${feeds.source}` : ""}: the data is kept by its source; ${property} is judged on a MySQL or MariaDB read replica only when it is the source of another`,
          property,
          replica.loc,
        ),
    }),
  ];
}

/** Not applicable: a read replica that feeds no other replica keeps no backups of its own. */
function leafReplica(replica: DbInstance, feeds: FeedsReplicas, property: string): Judgement {
  const where =
    replica.origin.source === "live"
      ? "no read replica uses it as its source (ReadReplicaDBInstanceIdentifiers is empty)"
      : "no read replica in this scan uses it as its source";
  return judgement(
    "not-applicable",
    `read replica${feeds.source ? ` of ${feeds.source}` : ""}: automated backups of this data are taken on its source, and ${where}`,
    property,
    replica.loc,
  );
}

/**
 * Live: ReadReplicaDBInstanceIdentifiers. Templates: the replicas in the model whose source it is, where each
 * exists (its own Condition), so a replica created only when CreateLeaf makes its source need backups only then.
 */
function feedsReplicas(replica: DbInstance, ctx: RuleContext): FeedsReplicas {
  const source = sourceOf(replica, ctx.model)?.name ?? knownValue(replica.sourceDbInstanceIdentifier);
  const base = source === undefined ? {} : { source };
  if (replica.readReplicaIdentifiers !== undefined) {
    const replicas = replica.readReplicaIdentifiers;
    return {
      ...base,
      replicas,
      attr: { state: "known", value: replicas.length > 0, origin: { kind: "live", api: "DescribeDBInstances" } },
    };
  }
  const children = replicasOf(replica, ctx.model);
  const replicas = children.map((c) => c.name);
  if (children.length === 0)
    return { ...base, replicas, attr: { state: "known", value: false, origin: { kind: "literal" } } };
  const own = replica.condition?.value === "unknown" ? replica.condition.name : undefined;
  const combos = combine<boolean[]>(resourceAssumption(replica), ...children.map((c) => presenceOf(c, own)));
  return {
    ...base,
    replicas,
    attr: booleanAlternatives(combos, (values) => values.some((v) => v.state === "known" && v.value)),
  };
}

/** A boolean attribute from condition alternatives: one known value, or one per alternative. */
function booleanAlternatives<T extends unknown[]>(
  combos: Combination<T>[],
  test: (values: Combination<T>["values"]) => boolean,
): Attr<boolean> {
  const known = (value: boolean): Resolved<boolean> => ({ state: "known", value, origin: { kind: "literal" } });
  const only = combos[0];
  if (combos.length === 1 && only && Object.keys(only.when).length === 0) return known(test(only.values));
  return { state: "conditional", alternatives: combos.map((c) => ({ when: c.when, attr: known(test(c.values)) })) };
}

/** The replica's engine: its own, else its source's (a template replica usually leaves Engine to the source). */
function engineOf(replica: DbInstance, ctx: RuleContext): Attr<string> {
  const seen = new Set<string>();
  let current: DbInstance | undefined = replica;
  while (current && current.engine.state === "absent" && !seen.has(current.id)) {
    seen.add(current.id);
    current = sourceOf(current, ctx.model);
  }
  return current?.engine ?? replica.engine;
}
