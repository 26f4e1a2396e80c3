#!/usr/bin/env node
/**
 * `cdk synth` entry: the example app, with rdsguard checking every stack of the Prod stage as it synthesizes.
 * Failing findings of high or critical severity are errors (synthesis stops), medium and low are warnings.
 */
import { Aspects } from "aws-cdk-lib";
import { RdsGuardAspect } from "rdsguard/cdk";
import { buildApp } from "../lib/app.js";

const { app, prod } = buildApp();
// Aspects do not cross Stage boundaries: add it to each Stage that holds stacks (and to the App for its own).
Aspects.of(prod).add(new RdsGuardAspect());
app.synth();
