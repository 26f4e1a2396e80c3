/**
 * A CDK app with one ordinary top-level stack holding a DatabaseInstance, for `cdk synth` with the real CDK CLI
 * (test/cdk/cli.test.ts). Context chooses what it does:
 *   rdsguard:mode        plugin (the validation plugin, Validations.of(app).addPlugins), beta1 (the plugin as
 *                        policyValidationBeta1, the form of aws-cdk-lib before 2.251), aspect (the Aspect on the
 *                        App), or both (plugin and Aspect)
 *   rdsguard:compliant   "true": an instance that passes every rule; else aws-cdk-lib's defaults on a db.t3.micro
 *   rdsguard:failOn      the Aspect's and the plugin's failOn (default: theirs)
 *   rdsguard:acknowledge a rule id whose warnings the app acknowledges on the instance
 *   rdsguard:messages    a JSON file { rules, findings } (an rdsguard JSON report): each finding is annotated, as
 *                        the Aspect annotates, once as an error, a warning and an info, on constructs of its own
 * Rule plugins: test/cdk/apps/hostile-rules.mjs, whose messages are shaped like CDK rule ids, unless compliant.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Annotations, App, Aspects, Duration, Stack, Validations } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import { Construct } from "constructs";
import { RdsGuardAspect, RdsGuardValidationPlugin } from "rdsguard/cdk";
import { addAnnotation } from "../../../dist/cdk/aspect.js";
import { annotationId, annotationMessage } from "../../../dist/cdk/messages.js";
import type { Finding } from "../../../src/engine/types.js";
import type { RuleMeta } from "../../../src/rules/types.js";

/** The CLI hands context to the app in CDK_CONTEXT_JSON; read it before the App exists, to build its plugins. */
const cliContext = JSON.parse(process.env.CDK_CONTEXT_JSON ?? "{}") as Record<string, unknown>;
const context = (key: string): string | undefined => cliContext[`rdsguard:${key}`] as string | undefined;
const mode = context("mode") ?? "plugin";
const compliant = context("compliant") === "true";
const failOn = context("failOn") as "critical" | "high" | "medium" | "low" | "info" | "none" | undefined;
const options = {
  cwd: path.resolve("."),
  ...(compliant ? {} : { plugins: [path.join(import.meta.dirname, "hostile-rules.mjs")] }),
  ...(failOn !== undefined ? { failOn } : {}),
};
const plugin = mode === "aspect" ? undefined : await RdsGuardValidationPlugin.load(options);

const app = new App(mode === "beta1" && plugin ? { policyValidationBeta1: [plugin] } : {});
if (plugin && mode !== "beta1") Validations.of(app).addPlugins(plugin);
if (mode === "aspect" || mode === "both") Aspects.of(app).add(await RdsGuardAspect.load(options));

const stack = new Stack(app, "Db", { env: { account: "123456789012", region: "eu-west-1" } });
const vpc = ec2.Vpc.fromVpcAttributes(stack, "Vpc", {
  vpcId: "vpc-0123456789abcdef0",
  availabilityZones: ["eu-west-1a", "eu-west-1b"],
  isolatedSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
});
const database = new rds.DatabaseInstance(stack, "Database", {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  ...(compliant
    ? {
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
        storageEncrypted: true,
        multiAz: true,
        deletionProtection: true,
        iamAuthentication: true,
        backupRetention: Duration.days(7),
        caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      }
    : { instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO) }),
});

const acknowledge = context("acknowledge");
if (acknowledge !== undefined) {
  Annotations.of(database).acknowledgeWarning(annotationId(acknowledge), "Accepted for this test (ADR-0)");
}

const messages = context("messages");
if (messages !== undefined) {
  const report = JSON.parse(readFileSync(messages, "utf8")) as { rules: RuleMeta[]; findings: Finding[] };
  const holder = new Construct(stack, "Messages");
  const levels = ["error", "warning", "info"] as const;
  const byLevel = Object.fromEntries(levels.map((level) => [level, new Construct(holder, level)]));
  for (const f of report.findings) {
    const text = annotationMessage(
      f,
      report.rules.find((r) => r.id === f.ruleId),
    );
    for (const level of levels) addAnnotation(byLevel[level] as Construct, level, annotationId(f.ruleId), text);
  }
}

app.synth();
