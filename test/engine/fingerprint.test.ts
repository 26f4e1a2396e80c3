import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findingFingerprint, fingerprintOf, fingerprintSubject } from "../../src/engine/fingerprint.js";
import { instance, liveInstance, liveModel, templateModel } from "./helpers.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("findingFingerprint", () => {
  it("is the SHA-256 hex of the identity as JSON, as rdsguard 0.1.0 computed it with createHash", () => {
    const db = instance("Db", { origin: { source: "template", file: "./stacks\\db.yaml", logicalId: "Db" } });
    const model = templateModel("./stacks\\db.yaml", [db]);
    expect(findingFingerprint({ ruleId: "multi-az", resource: db, model })).toBe(
      sha256(JSON.stringify(["multi-az", "stacks/db.yaml", "Db", "", ""])),
    );
    expect(
      findingFingerprint({
        ruleId: "multi-az",
        resource: db,
        model,
        property: "MultiAZ",
        when: "IsProd",
        occurrence: 2,
      }),
    ).toBe(sha256(JSON.stringify(["multi-az", "stacks/db.yaml", "Db", "MultiAZ", "IsProd", "2"])));
  });

  it("places a live resource by its ARN, and gives the same fingerprint from a subject computed once", () => {
    const db = liveInstance("orders", "111111111111");
    const model = liveModel("111111111111", "eu-west-1", [db]);
    const subject = fingerprintSubject(db, model);
    expect(subject).toBe(JSON.stringify([db.origin.arn, db.id]).slice(1, -1));
    expect(fingerprintOf("iam-auth", subject, undefined, undefined, 0)).toBe(
      sha256(JSON.stringify(["iam-auth", db.origin.arn, db.id, "", ""])),
    );
  });

  it("escapes as JSON.stringify does: quotes, backslashes, control characters, lone surrogates", () => {
    const odd = 'a"b\\c\nd\u0001e\ud800';
    const db = instance(odd, { origin: { source: "template", file: `x${odd}.yaml`, logicalId: odd } });
    const model = templateModel(`x${odd}.yaml`, [db]);
    expect(findingFingerprint({ ruleId: "r", resource: db, model, property: odd, when: odd, occurrence: 12 })).toBe(
      // The file is placed with forward slashes.
      sha256(JSON.stringify(["r", `x${odd.replace("\\", "/")}.yaml`, odd, odd, odd, "12"])),
    );
  });
});
