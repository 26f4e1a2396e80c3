/**
 * Engine lifecycles and parameter groups, read with as few calls as answer the rules:
 * - DescribeDBMajorEngineVersions once per region and engine in use (every major version of the engine in one
 *   answer), for engine-version;
 * - DescribeDBParameters / DescribeDBClusterParameters once per distinct parameter group in use per region, with
 *   Source=user (only what the group changes; everything else keeps the engine default), for encryption-in-transit.
 *   AWS default groups (default.*) cannot be modified, so they are not asked about at all.
 */
import {
  type DBMajorEngineVersion,
  type Parameter,
  paginateDescribeDBClusterParameters,
  paginateDescribeDBMajorEngineVersions,
  paginateDescribeDBParameters,
  type RDSClient,
} from "@aws-sdk/client-rds";
import { LIFECYCLE_ENGINES } from "../../model/engines.js";
import type { EngineLifecycle, ParameterGroup } from "../../model/types.js";
import { parameterGroupKey } from "../../model/types.js";
import { describeAwsError } from "./aws.js";
import { mapLimit } from "./limiter.js";

const PAGE_SIZE = 100;
const CONCURRENCY = 4;

export async function collectPages<P, T>(pages: AsyncIterable<P>, pick: (page: P) => T[] | undefined): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) for (const item of pick(page) ?? []) items.push(item);
  return items;
}

function day(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const iso = d instanceof Date ? d.toISOString() : new Date(d).toISOString();
  return iso.slice(0, 10);
}

/** Lifecycle dates from a DescribeDBMajorEngineVersions answer, keyed `engine:major`. */
export function mapLifecycles(versions: readonly DBMajorEngineVersion[]): Map<string, EngineLifecycle> {
  const out = new Map<string, EngineLifecycle>();
  for (const v of versions) {
    if (!v.Engine || !v.MajorEngineVersion) continue;
    const lifecycle: EngineLifecycle = { engine: v.Engine, majorVersion: v.MajorEngineVersion };
    for (const l of v.SupportedEngineLifecycles ?? []) {
      const end = day(l.LifecycleSupportEndDate);
      if (!end) continue;
      if (l.LifecycleSupportName === "open-source-rds-standard-support") lifecycle.standardSupportEnd = end;
      if (l.LifecycleSupportName === "open-source-rds-extended-support") lifecycle.extendedSupportEnd = end;
    }
    out.set(`${v.Engine}:${v.MajorEngineVersion}`, lifecycle);
  }
  return out;
}

export interface LifecycleAnswer {
  lifecycles: Map<string, EngineLifecycle>;
  /** engine -> why it could not be read (the rule falls back to rdsguard's table and says so). */
  errors: Map<string, string>;
}

export async function readEngineLifecycles(rds: RDSClient, engines: Iterable<string>): Promise<LifecycleAnswer> {
  const lifecycles = new Map<string, EngineLifecycle>();
  const errors = new Map<string, string>();
  const wanted = [...new Set(engines)].filter((e) => LIFECYCLE_ENGINES.has(e)).sort();
  await mapLimit(wanted, CONCURRENCY, async (engine) => {
    try {
      const versions = await collectPages(
        paginateDescribeDBMajorEngineVersions({ client: rds, pageSize: PAGE_SIZE }, { Engine: engine }),
        (p) => p.DBMajorEngineVersions,
      );
      for (const [k, v] of mapLifecycles(versions)) lifecycles.set(k, v);
    } catch (err) {
      errors.set(engine, describeAwsError(`rds:DescribeDBMajorEngineVersions ${engine}`, err));
    }
  });
  return { lifecycles, errors };
}

/** A group in use: its scope and name as the database reports it. */
export interface GroupInUse {
  scope: "db" | "cluster";
  name: string;
}

function mapGroup(scope: "db" | "cluster", name: string, parameters: readonly Parameter[]): ParameterGroup {
  const api = scope === "db" ? "DescribeDBParameters" : "DescribeDBClusterParameters";
  const group: ParameterGroup = {
    id: parameterGroupKey(scope, name),
    scope,
    name,
    family: { state: "absent", default: undefined, defaultSource: `${api} does not report the family` },
    parameters: {},
  };
  for (const p of parameters) {
    if (!p.ParameterName) continue;
    group.parameters[p.ParameterName] =
      p.ParameterValue === undefined
        ? { state: "absent", default: undefined, defaultSource: `${api}: no value set (the engine default applies)` }
        : { state: "known", value: p.ParameterValue, origin: { kind: "live", api } };
  }
  return group;
}

/**
 * Reads each distinct non-default group once. A group that cannot be read is still returned, with
 * parametersUnknown saying why, and the error is passed to `onError`.
 */
export async function readParameterGroups(
  rds: RDSClient,
  groups: Iterable<GroupInUse>,
  onError: (message: string) => void,
): Promise<ParameterGroup[]> {
  const distinct = new Map<string, GroupInUse>();
  for (const g of groups) {
    if (g.name.toLowerCase().startsWith("default.")) continue;
    distinct.set(parameterGroupKey(g.scope, g.name), g);
  }
  return mapLimit([...distinct.values()], CONCURRENCY, async ({ scope, name }) => {
    try {
      const parameters =
        scope === "db"
          ? await collectPages(
              paginateDescribeDBParameters(
                { client: rds, pageSize: PAGE_SIZE },
                { DBParameterGroupName: name, Source: "user" },
              ),
              (p) => p.Parameters,
            )
          : await collectPages(
              paginateDescribeDBClusterParameters(
                { client: rds, pageSize: PAGE_SIZE },
                { DBClusterParameterGroupName: name, Source: "user" },
              ),
              (p) => p.Parameters,
            );
      return mapGroup(scope, name, parameters);
    } catch (err) {
      const operation = scope === "db" ? "rds:DescribeDBParameters" : "rds:DescribeDBClusterParameters";
      const message = describeAwsError(`${operation} ${name}`, err);
      onError(`${message} (encryption-in-transit is unknown for the databases using it)`);
      return { ...mapGroup(scope, name, []), parametersUnknown: `its parameters could not be read: ${message}` };
    }
  });
}
