/**
 * Acme rule plugin: the daily backup window must not overlap the weekly maintenance window. RDS refuses such a pair
 * at deploy time, so catching it in the pull request saves a failed stack update. This needs arithmetic on time
 * ranges (windows can cross midnight and the end of the week), which is why it is a plugin and not a customRule.
 *
 * A plugin is an ES module exporting `rules`; each rule is `meta` plus a pure `evaluate(resource, context)`, the same
 * interface as rdsguard's built-in rules. judgeAcross judges every alternative of an undecidable CloudFormation
 * condition and merges them, as the built-in rules do.
 */
import { defineRule, describe, judgeAcross, judgement, single } from "rdsguard";

const DAY = 24 * 60;
const WEEK = 7 * DAY;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** "03:00-03:30" -> minutes since midnight, or undefined when malformed. */
function parseDaily(text) {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) return undefined;
  return { start: Number(m[1]) * 60 + Number(m[2]), end: Number(m[3]) * 60 + Number(m[4]) };
}

/** "sun:05:00-sun:05:30" -> minutes since Monday 00:00, or undefined when malformed. */
function parseWeekly(text) {
  const m = /^([a-z]{3}):([01]\d|2[0-3]):([0-5]\d)-([a-z]{3}):([01]\d|2[0-3]):([0-5]\d)$/.exec(text.toLowerCase());
  if (!m || !DAYS.includes(m[1]) || !DAYS.includes(m[4])) return undefined;
  const at = (day, h, min) => DAYS.indexOf(day) * DAY + Number(h) * 60 + Number(min);
  return { start: at(m[1], m[2], m[3]), end: at(m[4], m[5], m[6]) };
}

/** A range on a circle of `length` minutes as one or two plain [start, end) intervals. */
function unwrap({ start, end }, length) {
  return end > start ? [[start, end]] : [[start, length], [0, end]];
}

function overlaps(backup, maintenance) {
  const weekly = unwrap(maintenance, WEEK);
  for (let day = 0; day < 7; day++) {
    for (const [s, e] of unwrap(backup, DAY)) {
      const from = day * DAY + s;
      const to = day * DAY + e;
      // A daily window that runs past Sunday midnight continues on Monday.
      const pieces = to > WEEK ? [[from, WEEK], [0, to - WEEK]] : [[from, to]];
      for (const [a, b] of pieces) if (weekly.some(([c, d]) => a < d && c < b)) return true;
    }
  }
  return false;
}

function judgeWindows(resource, backupAttr, maintenanceAttr) {
  const B = "PreferredBackupWindow";
  const M = "PreferredMaintenanceWindow";
  const loc = backupAttr.loc ?? maintenanceAttr.loc ?? resource.loc;
  for (const [name, attr] of [
    [B, backupAttr],
    [M, maintenanceAttr],
  ]) {
    if (attr.state === "unknown") return judgement("unknown", describe(name, attr), B, attr.loc ?? loc);
    if (attr.state === "absent") {
      return judgement("not-applicable", `${name} is not set: AWS assigns it without overlap`, B, loc);
    }
  }
  const backup = parseDaily(String(backupAttr.value));
  if (!backup) return judgement("fail", `${describe(B, backupAttr)}: not hh24:mi-hh24:mi, RDS rejects it`, B, loc);
  const maintenance = parseWeekly(String(maintenanceAttr.value));
  if (!maintenance) {
    return judgement(
      "fail",
      `${describe(M, maintenanceAttr)}: not ddd:hh24:mi-ddd:hh24:mi, RDS rejects it`,
      B,
      maintenanceAttr.loc ?? loc,
    );
  }
  const pair = `${B} ${backupAttr.value} and ${M} ${maintenanceAttr.value}`;
  return overlaps(backup, maintenance)
    ? judgement("fail", `${pair} overlap; RDS rejects overlapping windows`, B, loc)
    : judgement("pass", `${pair} do not overlap`, B, loc);
}

export const rules = [
  defineRule({
    meta: {
      id: "acme-backup-window-clear-of-maintenance",
      title: "The backup window does not overlap the maintenance window",
      severity: "medium",
      description:
        "DB clusters and standalone DB instances that set both windows keep the daily backup window clear of the weekly maintenance window.",
      rationale:
        "RDS rejects a backup window that overlaps the maintenance window, so the stack update fails at deploy time; a backup that runs during maintenance also slows both.",
      remediation: {
        text: "Move PreferredBackupWindow (UTC, daily) so that it does not overlap PreferredMaintenanceWindow (UTC, weekly).",
        snippet: [
          "Database:",
          "  Type: AWS::RDS::DBInstance",
          "  Properties:",
          '    PreferredBackupWindow: "02:00-02:30"',
          "    PreferredMaintenanceWindow: sun:04:00-sun:04:30",
        ].join("\n"),
      },
      parameters: [],
      appliesTo: ["db-cluster", "db-instance"],
      tags: ["reliability"],
      sources: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"],
    },
    evaluate(resource) {
      if (resource.kind === "db-instance" && (resource.role === "aurora-member" || resource.role === "cluster-member")) {
        return [
          single(
            resource,
            judgement(
              "not-applicable",
              "the backup window of a cluster member is the DB cluster's: judged on the cluster",
              "PreferredBackupWindow",
              resource.loc,
            ),
          ),
        ];
      }
      return [
        judgeAcross(resource, [resource.preferredBackupWindow, resource.preferredMaintenanceWindow], ([b, m]) =>
          judgeWindows(resource, b, m),
        ),
      ];
    },
  }),
];
