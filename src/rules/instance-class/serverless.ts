import type { Attr, DbCluster, DbInstance, Resolved } from "../../model/types.js";
import { combine, presenceOf, resourceAssumption } from "../alternatives.js";
import {
  AUTO_PAUSE_MIN_VERSIONS,
  auroraMysqlVersion,
  compareVersions,
  SERVERLESS_V2_MAX_ACU,
  SERVERLESS_V2_MIN_ACU_WITHOUT_AUTOPAUSE,
  SERVERLESS_V2_MIN_MAX_ACU,
  SERVERLESS_V2_OLDER_MAX_ACU,
} from "../data/instance-classes.js";
import { describe } from "../messages.js";
import { numberParam } from "../parameters.js";
import type { RuleContext, RuleResult } from "../types.js";
import { type Judgement, judgement, mergeJudgements } from "../verdicts.js";

const P = "ServerlessV2ScalingConfiguration";

export function judgeServerlessV2(cluster: DbCluster, ctx: RuleContext, serverlessMembers: DbInstance[]): RuleResult {
  const floor = numberParam(ctx, "minServerlessV2MaxCapacity", 2);
  const own = cluster.condition?.value === "unknown" ? cluster.condition.name : undefined;
  // A member counts where it exists (its own Condition) and where its class is db.serverless (an Fn::If on
  // DBInstanceClass), so a missing capacity range fails only under the conditions that create such a member.
  const memberAttrs: Attr<unknown>[] = serverlessMembers.flatMap((m) => [
    presenceOf(m, own),
    m.dbInstanceClass as Attr<unknown>,
  ]);
  const combos = combine<unknown[]>(
    resourceAssumption(cluster),
    cluster.serverlessV2MinCapacity,
    cluster.serverlessV2MaxCapacity,
    cluster.engine,
    cluster.engineVersion,
    ...memberAttrs,
  );
  const items = combos.map(({ when, values }) => {
    const [min, max, engine, version] = values as [
      Resolved<number>,
      Resolved<number>,
      Resolved<string>,
      Resolved<string>,
    ];
    const users = serverlessMembers
      .filter((_, i) => {
        const present = values[4 + 2 * i] as Resolved<boolean>;
        const cls = values[5 + 2 * i] as Resolved<string>;
        return (
          present.state === "known" &&
          present.value &&
          cls.state === "known" &&
          cls.value.trim().toLowerCase() === "db.serverless"
        );
      })
      .map((m) => m.name);
    return { when, judgement: judgeCapacity(cluster, floor, users, min, max, engine, version) };
  });
  return mergeJudgements(items, cluster, { property: P });
}

function judgeCapacity(
  cluster: DbCluster,
  floor: number,
  users: string[],
  min: Resolved<number>,
  max: Resolved<number>,
  engine: Resolved<string>,
  version: Resolved<string>,
): Judgement {
  const loc = max.loc ?? min.loc ?? cluster.loc;
  if (min.state === "absent" && max.state === "absent") {
    if (users.length === 0) {
      return judgement("not-applicable", `${P} is not set and no DB instance uses db.serverless`, P, cluster.loc);
    }
    return judgement(
      "fail",
      `${P} is not set, but ${users.join(", ")} ${users.length === 1 ? "uses" : "use"} db.serverless: a cluster needs a capacity range before it can host Aurora Serverless v2 instances`,
      P,
      cluster.loc,
    );
  }
  if (min.state === "absent" || max.state === "absent") {
    return judgement(
      "fail",
      `${P} needs both MinCapacity and MaxCapacity (${describe("MinCapacity", min)}; ${describe("MaxCapacity", max)})`,
      P,
      loc,
    );
  }
  if (min.state === "unknown" || max.state === "unknown") {
    return judgement("unknown", `${describe("MinCapacity", min)}; ${describe("MaxCapacity", max)}`, P, loc);
  }
  const both = `${describe("MinCapacity", min)}, ${describe("MaxCapacity", max)}`;
  const lo = min.value;
  const hi = max.value;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo * 2 !== Math.round(lo * 2) || hi * 2 !== Math.round(hi * 2)) {
    return judgement("fail", `${both}: capacities are set in steps of 0.5 ACU`, P, loc);
  }
  if (lo < 0 || hi > SERVERLESS_V2_MAX_ACU) {
    return judgement("fail", `${both}: Serverless v2 capacity ranges from 0 to ${SERVERLESS_V2_MAX_ACU} ACU`, P, loc);
  }
  if (hi < SERVERLESS_V2_MIN_MAX_ACU) {
    return judgement("fail", `${both}: MaxCapacity is at least ${SERVERLESS_V2_MIN_MAX_ACU} ACU`, P, max.loc ?? loc);
  }
  if (lo > hi) return judgement("fail", `${both}: MinCapacity is larger than MaxCapacity`, P, min.loc ?? loc);
  if (hi < floor) {
    return judgement(
      "fail",
      `${both}: MaxCapacity below the policy floor of ${floor} ACU (parameter minServerlessV2MaxCapacity) leaves the database no room to scale`,
      P,
      max.loc ?? loc,
    );
  }
  if (lo > 0 && lo < SERVERLESS_V2_MIN_ACU_WITHOUT_AUTOPAUSE) {
    return judgement("fail", `${both}: MinCapacity is either 0 (auto-pause) or at least 0.5 ACU`, P, min.loc ?? loc);
  }
  const bigNote =
    hi > SERVERLESS_V2_OLDER_MAX_ACU
      ? `; MaxCapacity above ${SERVERLESS_V2_OLDER_MAX_ACU} ACU needs a recent engine version`
      : "";
  if (lo === 0) {
    const autoPause = supportsAutoPause(engine, version);
    if (autoPause.verdict !== "pass") {
      return judgement(autoPause.verdict, `${both}: MinCapacity 0 (auto-pause) ${autoPause.text}`, P, min.loc ?? loc);
    }
    return judgement("pass", `${both}: auto-pause at 0 ACU ${autoPause.text}${bigNote}`, P, loc);
  }
  return judgement("pass", `${both}${bigNote}`, P, loc);
}

function supportsAutoPause(
  engine: Resolved<string>,
  version: Resolved<string>,
): { verdict: "pass" | "fail" | "unknown"; text: string } {
  if (engine.state !== "known")
    return { verdict: "unknown", text: `depends on the engine version; ${describe("Engine", engine)}` };
  if (version.state !== "known") {
    return {
      verdict: "unknown",
      text: `needs Aurora MySQL 3.08.0+ or Aurora PostgreSQL 13.15/14.12/15.7/16.3+, and ${version.state === "absent" ? "EngineVersion is not set (the default version decides)" : describe("EngineVersion", version)}`,
    };
  }
  const e = engine.value.trim().toLowerCase();
  if (e === "aurora-mysql") {
    const v = auroraMysqlVersion(version.value);
    if (!v)
      return {
        verdict: "unknown",
        text: `needs Aurora MySQL 3.08.0 or higher; EngineVersion ${version.value} cannot be read`,
      };
    const ok = compareVersions(v, AUTO_PAUSE_MIN_VERSIONS["aurora-mysql"]) >= 0;
    return ok
      ? { verdict: "pass", text: `(supported by Aurora MySQL ${v})` }
      : { verdict: "fail", text: `needs Aurora MySQL 3.08.0 or higher, but EngineVersion is ${version.value}` };
  }
  if (e === "aurora-postgresql") {
    const major = Number.parseInt(version.value, 10);
    if (!Number.isFinite(major)) return { verdict: "unknown", text: `EngineVersion ${version.value} cannot be read` };
    const floors = AUTO_PAUSE_MIN_VERSIONS["aurora-postgresql"];
    const maxKnownMajor = Math.max(...Object.keys(floors).map(Number));
    const floor = floors[major];
    const ok = major > maxKnownMajor || (floor !== undefined && compareVersions(version.value, floor) >= 0);
    return ok
      ? { verdict: "pass", text: `(supported by Aurora PostgreSQL ${version.value})` }
      : {
          verdict: "fail",
          text: `needs Aurora PostgreSQL ${floor ?? "13.15"} or higher${floor ? ` in major version ${major}` : ""}, but EngineVersion is ${version.value}`,
        };
  }
  return { verdict: "fail", text: `is an Aurora Serverless v2 feature; engine ${engine.value} is not Aurora` };
}
