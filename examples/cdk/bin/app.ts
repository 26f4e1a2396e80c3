#!/usr/bin/env node
/**
 * `cdk synth` entry: the example app, with rdsguard's policy-validation plugin on the App. After synthesis it judges
 * the template of every stack, those of the Prod stage included; a failing finding of high or critical severity
 * fails synthesis with the CDK's validation report, medium and low ones are listed as warnings.
 */
import { Validations } from "aws-cdk-lib";
import { RdsGuardValidationPlugin } from "rdsguard/cdk";
import { buildApp } from "../lib/app.js";

const { app } = buildApp();
Validations.of(app).addPlugins(new RdsGuardValidationPlugin());
app.synth({ validateOnSynthesis: true });
