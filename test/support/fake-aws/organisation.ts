/**
 * The benchmark's organisation for comparing the two live sources on the same data: `accounts` accounts with an
 * audit role, each with `regions` regions holding one Aurora cluster (two members) and three standalone instances,
 * one customer-managed key per account and region; and the AWS Config aggregator that has collected all of it.
 */
import { configItemsFrom } from "./config.js";
import { cluster, instance, keyArn, ROLE_NAME } from "./fixtures.js";
import type { FakeAccount, FakeAwsState } from "./server.js";

export const AGGREGATOR_ACCOUNT = "999999999999";
export const ORG_AGGREGATOR = "org-aggregator";

export function organisationState(options: { accounts: number; regions: string[]; capturedAt: string }): FakeAwsState {
  const accounts: FakeAccount[] = [];
  for (let a = 0; a < options.accounts; a++) {
    const id = String(100_000_000_000 + a);
    const account: FakeAccount = { id, regions: {}, globalClusters: [], keys: [], roles: { [ROLE_NAME]: {} } };
    for (const region of options.regions) {
      const cmk = keyArn(id, region, `org-cmk-${a}-${region}`);
      account.keys.push({
        arn: cmk,
        keyId: `org-cmk-${a}-${region}`,
        manager: "CUSTOMER",
        enabled: true,
        rotation: a % 2 === 0,
      });
      const members = ["app-1", "app-2"];
      account.regions[region] = {
        clusters: [
          cluster(id, region, "app", {
            KmsKeyId: cmk,
            DeletionProtection: a % 5 !== 0,
            members: members.map((m, n) => ({ id: m, writer: n === 0 })),
            TagList: [{ Key: "env", Value: a % 2 ? "prod" : "dev" }],
          }),
        ],
        instances: [
          ...members.map((m) => instance(id, region, m, { DBClusterIdentifier: "app", KmsKeyId: cmk })),
          ...[0, 1, 2].map((i) =>
            instance(id, region, `db${i}`, {
              Engine: i % 2 ? "mysql" : "postgres",
              EngineVersion: i % 2 ? "8.0.39" : "16.3",
              DBInstanceClass: i === 2 ? "db.t3.medium" : "db.m6g.large",
              KmsKeyId: cmk,
              MultiAZ: i === 0,
              BackupRetentionPeriod: i * 7,
            }),
          ),
        ],
        certificates: [],
        defaultCertificate: "rds-ca-rsa2048-g1",
      };
    }
    accounts.push(account);
  }
  const state: FakeAwsState = {
    accounts: [...accounts, { id: AGGREGATOR_ACCOUNT, regions: {}, globalClusters: [], keys: [] }],
    defaultAccount: AGGREGATOR_ACCOUNT,
  };
  state.aggregators = [
    {
      name: ORG_AGGREGATOR,
      account: AGGREGATOR_ACCOUNT,
      items: configItemsFrom(state, { capturedAt: options.capturedAt }),
    },
  ];
  return state;
}
