import { readFileSync } from "node:fs";
import { packagePath } from "./util/package-root.js";

interface PackageJson {
  version: string;
  repository: { url: string };
}

/** The package's package.json, read once. */
const PACKAGE = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as PackageJson;

/** Package version. */
export const VERSION: string = PACKAGE.version;

/**
 * The project's home (https://github.com/OWNER/NAME), from package.json `repository`: the one place the project
 * URL is written. Rule documentation links, SARIF informationUri and the schema URL are built from it.
 */
export const PROJECT_URL: string = PACKAGE.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");

/** The policy schema of this version, in the repository at the release tag (resolves through npx too). */
export const POLICY_SCHEMA_URL: string = `${PROJECT_URL.replace("https://github.com/", "https://raw.githubusercontent.com/")}/v${VERSION}/schema/policy.schema.json`;
