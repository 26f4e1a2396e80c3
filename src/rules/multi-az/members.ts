import { membersOf } from "../../model/relations.js";
import type { Attr, DbCluster, DbInstance, Known, Resolved } from "../../model/types.js";
import { alternatives, combine, presenceOf, resourceAssumption } from "../alternatives.js";
import { describe, describeOrigin } from "../messages.js";
import type { RuleContext } from "../types.js";
import { type AlternativeJudgement, type Judgement, judgement } from "../verdicts.js";

/** Beyond this many combinations of member conditions and AZ alternatives, they are not enumerated one by one. */
const MAX_ENUMERATED_COMBINATIONS = 256;

/** A member that exists under one alternative, with the AvailabilityZone it has there. */
interface Placed {
  member: DbInstance;
  zone: Resolved<string>;
}

/**
 * Judgements for every consistent assignment of the members' undecidable Conditions and of their AvailabilityZone
 * alternatives (an Fn::If on AvailabilityZone can put two members in one AZ under one condition only).
 */
export function judgeMembers(cluster: DbCluster, ctx: RuleContext): AlternativeJudgement[] {
  const members = membersOf(cluster, ctx.model);
  const own = cluster.condition?.value === "unknown" ? cluster.condition.name : undefined;
  const attrs: Attr<unknown>[] = members.flatMap((m) => [presenceOf(m, own), m.availabilityZone as Attr<unknown>]);
  const count = attrs.reduce((n, a) => n * alternatives(a).length, 1);
  if (count > MAX_ENUMERATED_COMBINATIONS) {
    // Too many to enumerate: judge the members that exist in every case, and say that more may exist.
    const sure = members.filter((m) => m.condition?.value !== "unknown" || m.condition.name === own);
    const placed = sure.map((m) => ({
      member: m,
      zone: m.availabilityZone.state === "conditional" ? unknownZone(m) : m.availabilityZone,
    }));
    return [{ when: {}, judgement: judgeCount(cluster, ctx, placed, members.length - sure.length) }];
  }
  return combine<unknown[]>(resourceAssumption(cluster), ...attrs).map(({ when, values }) => {
    const placed: Placed[] = [];
    members.forEach((member, i) => {
      const present = values[2 * i] as Resolved<boolean>;
      if (present.state === "known" && present.value) {
        placed.push({ member, zone: values[2 * i + 1] as Resolved<string> });
      }
    });
    return { when, judgement: judgeCount(cluster, ctx, placed, 0) };
  });
}

function unknownZone(member: DbInstance): Resolved<string> {
  return {
    state: "unknown",
    reason: "AvailabilityZone depends on conditions",
    ...(member.availabilityZone.loc ? { loc: member.availabilityZone.loc } : {}),
  };
}

function judgeCount(cluster: DbCluster, ctx: RuleContext, present: Placed[], maybeMore: number): Judgement {
  const P = "DBClusterMembers";
  const names = present.map((p) => p.member.name).join(", ");
  if (present.length === 0) {
    const inTemplate = [...membersOf(cluster, ctx.model).map((m) => m.name), ...(cluster.switchedOffMemberIds ?? [])];
    if (ctx.model.source !== "live" && inTemplate.length > 0) {
      // The members are in the template and known to be absent here: a headless cluster (e.g. a global secondary).
      return judgement(
        "fail",
        `a headless cluster: its DB instances in this template (${inTemplate.join(", ")}) are not created under these conditions, so it has no DB instance to serve or fail over to (as a global database secondary without instances); add a writer and a reader in different AZs`,
        P,
        cluster.loc,
      );
    }
    if (ctx.model.source === "live") {
      return judgement(
        "fail",
        "the cluster has no DB instances: add a writer and a reader in different AZs",
        P,
        cluster.loc,
      );
    }
    return judgement(
      "unknown",
      "no DB instances of this cluster are in this template: they may be defined in another stack, so the number of AZs cannot be told",
      P,
      cluster.loc,
    );
  }
  if (present.length === 1) {
    const extra = maybeMore > 0 ? ` (${maybeMore} more exist only under undecided conditions)` : "";
    return judgement(
      maybeMore > 0 ? "unknown" : "fail",
      `the cluster has 1 DB instance (${names})${extra}: add a reader in another AZ so the cluster can fail over`,
      P,
      cluster.loc,
    );
  }
  const pinned = present.filter((p) => p.zone.state === "known");
  const zones = [...new Set(pinned.map((p) => (p.zone as Known<string>).value))];
  const unpinned = present.filter((p) => p.zone.state === "absent");
  const undecided = present.filter((p) => p.zone.state === "unknown");
  if (zones.length >= 2) {
    return judgement(
      "pass",
      `the cluster has ${present.length} DB instances (${names}), in AZs ${zones.join(", ")}`,
      P,
      cluster.loc,
    );
  }
  if (unpinned.length > 0) {
    return judgement(
      "pass",
      `the cluster has ${present.length} DB instances (${names}), not all pinned to an AvailabilityZone, so RDS can place them in different AZs`,
      P,
      cluster.loc,
    );
  }
  if (undecided.length > 0) {
    const first = undecided[0] as Placed;
    const others = zones.length === 1 ? `; the others are pinned to ${zones[0]}` : "";
    return judgement(
      "unknown",
      `the cluster has ${present.length} DB instances (${names}); ${describe(`AvailabilityZone of ${first.member.name}`, first.zone)}${others}: whether they share one AZ cannot be told`,
      "AvailabilityZone",
      first.zone.loc ?? cluster.loc,
    );
  }
  const second = pinned[1] as Placed;
  return judgement(
    "fail",
    `the cluster's ${present.length} DB instances (${names}) are all pinned to AvailabilityZone ${zones[0]} (${pinned
      .map((p) => `${p.member.name}: ${describeOrigin((p.zone as Known<string>).origin)}`)
      .join("; ")}): move a reader to another AZ`,
    "AvailabilityZone",
    second.zone.loc ?? cluster.loc,
  );
}
