/**
 * Builds the example app: a production Stage "Prod" holding the DatabaseStack. Kept apart from bin/app.ts so that
 * tests can synthesize it in-process into a directory of their choosing.
 */
import { App, type AppProps, Stage, Tags } from "aws-cdk-lib";
import { DatabaseStack } from "./database-stack.js";

export interface ExampleApp {
  app: App;
  prod: Stage;
  database: DatabaseStack;
}

const env = { account: "123456789012", region: "eu-west-1" };

/** The Vpc looks up the region's AZs; recorded here so that synthesis needs no AWS credentials or network. */
const AVAILABILITY_ZONES = {
  [`availability-zones:account=${env.account}:region=${env.region}`]: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
};

export function buildApp(props: AppProps = {}): ExampleApp {
  const app = new App({ ...props, context: { ...AVAILABILITY_ZONES, ...props.context } });
  const prod = new Stage(app, "Prod", { env });
  const database = new DatabaseStack(prod, "Database");
  // Selects rdsguard's production profile (stricter backups, no burstable classes).
  Tags.of(prod).add("environment", "production");
  return { app, prod, database };
}
