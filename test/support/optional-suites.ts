/**
 * The suites that need something outside the repository, and whether it is there. The suites skip themselves
 * when it is not (describe.skipIf), and test/support/skip-banner.ts says so loudly at the end of `npm test`, with
 * how to run them. One list, so the banner and the suites never disagree.
 */
import { existsSync } from "node:fs";
import path from "node:path";

export const MOTO_ENDPOINT = process.env.MOTO_ENDPOINT;
export const CORPUS_ROOT = path.resolve(__dirname, "../../../shared/corpus");
export const HAS_CORPUS = existsSync(path.join(CORPUS_ROOT, "aws-cloudformation-templates"));

export interface OptionalSuite {
  name: string;
  file: string;
  available: boolean;
  missing: string;
  howToRun: string;
}

export function optionalSuites(): OptionalSuite[] {
  return [
    {
      name: "live audit against moto",
      file: "test/live-moto/moto.test.ts",
      available: MOTO_ENDPOINT !== undefined && MOTO_ENDPOINT !== "",
      missing: "MOTO_ENDPOINT is not set",
      howToRun: "source .ci/moto.sh && npm test",
    },
    {
      name: "real-world template corpus",
      file: "test/scanner/corpus.test.ts",
      available: HAS_CORPUS,
      missing: `no corpus at ${CORPUS_ROOT}`,
      howToRun: "run from a checkout that has ../shared/corpus beside it (as on the project machines and CI)",
    },
    {
      name: "fast YAML reader against the exact path on the corpus",
      file: "test/scanner/fast-yaml.test.ts",
      available: HAS_CORPUS,
      missing: `no corpus at ${CORPUS_ROOT}`,
      howToRun: "run from a checkout that has ../shared/corpus beside it (as on the project machines and CI)",
    },
  ];
}
