import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findingFingerprint, fingerprintAt, fingerprintPlace } from "../../src/engine/fingerprint.js";
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

  it("places a live resource by its ARN, and gives the same fingerprint from a place computed once", () => {
    const db = liveInstance("orders", "111111111111");
    const model = liveModel("111111111111", "eu-west-1", [db]);
    const place = fingerprintPlace(db, model);
    expect(place).toBe(db.origin.arn);
    expect(fingerprintAt("iam-auth", place, db.id, undefined, undefined, 0)).toBe(
      findingFingerprint({ ruleId: "iam-auth", resource: db, model, occurrence: 0 }),
    );
  });
});
