import { describe, expect, it } from "vitest";
import { citationsIn } from "../../src/engine/citations.js";
import { DEFAULTS } from "../../src/model/defaults.js";

const multiAz = DEFAULTS.multiAZ.source;
const iam = DEFAULTS.iamAuth.source;

describe("citationsIn", () => {
  it("lists the quoted sources in the order the message quotes them, each once", () => {
    const message = `IAM is not set: AWS default false (${iam}); MultiAZ is not set (${multiAz}); again (${iam})`;
    expect(citationsIn(message)).toEqual([iam, multiAz]);
    expect(citationsIn(`MultiAZ (${multiAz}) then IAM (${iam})`)).toEqual([multiAz, iam]);
  });

  it("finds nothing in a message without a quoted source, or with a source not in parentheses", () => {
    expect(citationsIn("StorageEncrypted is false (literal)")).toEqual([]);
    expect(citationsIn(`no parentheses: ${iam}`)).toEqual([]);
    expect(citationsIn(`unclosed (${iam}`)).toEqual([]);
    expect(citationsIn("")).toEqual([]);
  });

  it("finds the rdsguard CA table and a source quoted right after another opening parenthesis", () => {
    expect(citationsIn("CA expired ((rdsguard CA table))")).toEqual(["rdsguard CA table"]);
  });
});
