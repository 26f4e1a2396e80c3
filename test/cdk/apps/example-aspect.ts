/**
 * The example app (examples/cdk) with the Aspect instead of the validation plugin, for `cdk synth` with the real
 * CDK CLI (test/cdk/cli.test.ts). Context rdsguard:validateOnSynthesis "true" synthesizes with
 * `app.synth({ validateOnSynthesis: true })`, which has the CLI validate the stacks inside the Stage too.
 */
import { Aspects } from "aws-cdk-lib";
import { RdsGuardAspect } from "rdsguard/cdk";
import { buildApp } from "../../../examples/cdk/lib/app.js";

const { app, prod } = buildApp();
Aspects.of(prod).add(new RdsGuardAspect());
app.synth({ validateOnSynthesis: app.node.tryGetContext("rdsguard:validateOnSynthesis") === "true" });
