/**
 * aws-cdk-lib and constructs are optional peer dependencies: only rdsguard/cdk may load them, so the CLI works
 * where they are not installed. The example CDK app type-checks against the published declarations.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo } from "./synth.js";

const CDK_PACKAGES = /^(aws-cdk-lib|constructs)(\/|$)/;
/** Module specifiers of static and dynamic imports and re-exports. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

function specifiers(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(SPECIFIER)].map((m) => m[1] as string);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
}

describe("rdsguard/cdk packaging", () => {
  it("no module outside src/cdk imports aws-cdk-lib or constructs", () => {
    const src = path.join(repo, "src");
    const offenders = sourceFiles(src)
      .filter((f) => !f.startsWith(path.join(src, "cdk") + path.sep))
      .filter((f) => specifiers(f).some((s) => CDK_PACKAGES.test(s)))
      .map((f) => path.relative(repo, f));
    expect(offenders).toEqual([]);
    expect(specifiers(path.join(src, "cdk/aspect.ts"))).toContain("aws-cdk-lib");
  });

  it("the built CLI's module graph never reaches aws-cdk-lib or constructs", () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const s of specifiers(file)) {
        if (s.startsWith(".")) visit(path.resolve(path.dirname(file), s));
        else packages.add(s);
      }
    };
    // The bundled CLI (dist/cli.js and its chunks) and tsc's modules, where the cdk.out scanner is its own file.
    visit(path.join(repo, "dist/cli.js"));
    expect([...seen].some((f) => f.includes(`${path.sep}chunks${path.sep}scan-`))).toBe(true);
    visit(path.join(repo, "dist/commands/scan.js"));
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].some((f) => f.includes(`${path.sep}scanners${path.sep}cdk${path.sep}`))).toBe(true);
    expect([...packages].filter((p) => CDK_PACKAGES.test(p))).toEqual([]);
  });

  it("exports rdsguard/cdk through the package exports, with aws-cdk-lib and constructs as optional peers", () => {
    const pkg = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
    expect(pkg.exports["./cdk"]).toEqual({ types: "./dist/cdk/index.d.ts", default: "./dist/cdk/index.js" });
    for (const name of ["aws-cdk-lib", "constructs"]) {
      expect(pkg.dependencies[name]).toBeUndefined();
      expect(pkg.devDependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
      expect(pkg.peerDependencies[name]).toBeDefined();
      expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true });
    }
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const m = await import("rdsguard/cdk"); console.log(Object.keys(m).sort().join(","))',
      ],
      { cwd: repo, encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(
      "DEFAULT_ANNOTATION_LEVELS,DEFAULT_CDK_FAIL_ON,RdsGuardAspect,RdsGuardValidationPlugin,addRdsGuardWaiver,annotationLevels",
    );
  });

  // The example passes the plugin to Validations.of(app).addPlugins (IPolicyValidationPlugin); the CLI test app
  // passes it as policyValidationBeta1 (IPolicyValidationPluginBeta1): the plugin has both shapes.
  it.each(["examples/cdk/tsconfig.json", "test/cdk/apps/tsconfig.json"])(
    "the CDK app of %s type-checks against rdsguard/cdk's declarations",
    (project) => {
      const tsc = path.join(repo, "node_modules/typescript/bin/tsc");
      const r = spawnSync(process.execPath, [tsc, "-p", project], { cwd: repo, encoding: "utf8" });
      expect(r.stdout).toBe("");
      expect(r.status).toBe(0);
    },
    120_000,
  );
});
