/** scripts/refresh-engine-lifecycles.mjs turns a DescribeDBMajorEngineVersions answer into rows of the table. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINE_LIFECYCLES } from "../../src/rules/data/engine-lifecycles.js";

// The AWS CLI's own example answer (aws/aws-cli, awscli/examples/rds/describe-db-major-engine-versions.rst).
const ANSWER = {
  DBMajorEngineVersions: [
    {
      Engine: "postgres",
      MajorEngineVersion: "17",
      SupportedEngineLifecycles: [
        {
          LifecycleSupportName: "open-source-rds-standard-support",
          LifecycleSupportStartDate: "2024-11-14T00:00:00+00:00",
          LifecycleSupportEndDate: "2030-02-28T23:59:59.999000+00:00",
        },
        {
          LifecycleSupportName: "open-source-rds-extended-support",
          LifecycleSupportStartDate: "2030-03-01T00:00:00+00:00",
          LifecycleSupportEndDate: "2033-02-28T23:59:59.999000+00:00",
        },
      ],
    },
  ],
};

describe("scripts/refresh-engine-lifecycles.mjs", () => {
  it("prints the table's rows from the CLI's answer, and they agree with the shipped table", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rdsguard-lifecycle-"));
    try {
      const file = path.join(dir, "postgres.json");
      writeFileSync(file, JSON.stringify(ANSWER));
      const out = execFileSync(process.execPath, ["scripts/refresh-engine-lifecycles.mjs", file], { encoding: "utf8" });
      expect(out).toContain(
        '{ engine: "postgres", majorVersion: "17", standardSupportEnd: "2030-02-28", extendedSupportEnd: "2033-02-28", source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBMajorEngineVersions.html", retrieved: ',
      );
      const shipped = ENGINE_LIFECYCLES.find((r) => r.engine === "postgres" && r.majorVersion === "17");
      expect(shipped).toMatchObject({ standardSupportEnd: "2030-02-28", extendedSupportEnd: "2033-02-28" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 with usage when given nothing", () => {
    expect(() => execFileSync(process.execPath, ["scripts/refresh-engine-lifecycles.mjs"], { stdio: "pipe" })).toThrow(
      expect.objectContaining({ status: 2 }),
    );
  });
});
