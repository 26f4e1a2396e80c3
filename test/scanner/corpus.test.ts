import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildTemplateModel } from "../../src/scanners/template/build-model.js";
import { discoverFiles, scanTemplateFiles } from "../../src/scanners/template/index.js";
import { parseTemplateText } from "../../src/scanners/template/parse.js";

// ~300 public templates written by people who never heard of rdsguard (see ../shared/corpus/README.md).
// The clone's sibling (CI) or the workspace's shared folder (a worktree one level deeper).
const corpusRoot =
  [path.resolve(__dirname, "../../../shared/corpus"), path.resolve(__dirname, "../../../../shared/corpus")].find((d) =>
    existsSync(d),
  ) ?? path.resolve(__dirname, "../../../shared/corpus");
const hasCorpus = existsSync(path.join(corpusRoot, "aws-cloudformation-templates"));

describe.skipIf(!hasCorpus)("real-world corpus", () => {
  it("parses every template and builds a model of each without throwing", async () => {
    const { files } = await discoverFiles(["aws-cloudformation-templates"], corpusRoot);
    expect(files.length).toBeGreaterThan(250);
    const failures: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const parsed = parseTemplateText(text);
      if (parsed.ok) buildTemplateModel(parsed.root, file);
      else failures.push(path.relative(corpusRoot, file));
    }
    // Only the two files that are not CloudFormation templates fail: a licence and a multi-document k8s manifest.
    expect(failures.sort()).toEqual([
      "aws-cloudformation-templates/EKS/manifest.yml",
      "aws-cloudformation-templates/LICENSE.txt",
    ]);
  });

  it("scans the corpus with no error and finds the Aurora cluster and its member in the DMS templates", async () => {
    const { files } = await discoverFiles(["aws-cloudformation-templates"], corpusRoot);
    const found: string[] = [];
    const errors: unknown[] = [];
    for await (const r of scanTemplateFiles(files, corpusRoot)) {
      if (r.error) errors.push(r.error);
      for (const res of r.model?.resources.values() ?? []) {
        found.push(`${r.file}#${res.id}:${res.kind}${res.kind === "db-instance" ? `/${res.role}` : ""}`);
      }
    }
    expect(errors).toEqual([]);
    expect(found.sort()).toEqual([
      "aws-cloudformation-templates/DMS/DMSAuroraToS3FullLoadAndOngoingReplication.json#AuroraCluster:db-cluster",
      "aws-cloudformation-templates/DMS/DMSAuroraToS3FullLoadAndOngoingReplication.json#AuroraDB:db-instance/aurora-member",
      "aws-cloudformation-templates/DMS/DMSAuroraToS3FullLoadAndOngoingReplication.yaml#AuroraCluster:db-cluster",
      "aws-cloudformation-templates/DMS/DMSAuroraToS3FullLoadAndOngoingReplication.yaml#AuroraDB:db-instance/aurora-member",
    ]);
  });
});
