/**
 * Relationships between model resources, as AWS defines them: the DB cluster of a member, the source of a read
 * replica, the members of a cluster, the KMS key a KmsKeyId names, the tags a resource carries. Scanners record the
 * links (clusterId, sourceId, memberIds, refersTo); everything downstream follows them through these functions.
 */
import type { DbCluster, DbInstance, KmsKey, Model, ModelResource, Resolved } from "./types.js";

/** A member of an Aurora or Multi-AZ DB cluster: the cluster owns its storage, backups and authentication. */
export function isClusterMember(instance: DbInstance): boolean {
  return instance.role === "aurora-member" || instance.role === "cluster-member";
}

export function clusterOf(instance: DbInstance, model: Model): DbCluster | undefined {
  if (!instance.clusterId) return undefined;
  const r = model.resources.get(instance.clusterId);
  return r?.kind === "db-cluster" ? r : undefined;
}

export function sourceOf(replica: DbInstance, model: Model): DbInstance | undefined {
  if (!replica.sourceId) return undefined;
  const r = model.resources.get(replica.sourceId);
  return r?.kind === "db-instance" ? r : undefined;
}

export function membersOf(cluster: DbCluster, model: Model): DbInstance[] {
  const out: DbInstance[] = [];
  for (const id of cluster.memberIds) {
    const r = model.resources.get(id);
    if (r?.kind === "db-instance") out.push(r);
  }
  return out;
}

/** DB instances in the model that are read replicas of this one (their sourceId links to it). */
export function replicasOf(source: DbInstance, model: Model): DbInstance[] {
  const out: DbInstance[] = [];
  for (const r of model.resources.values()) if (r.kind === "db-instance" && r.sourceId === source.id) out.push(r);
  return out;
}

/**
 * The KMS key a known KmsKeyId names: by the scanner's link (refersTo), else by matching key id, ARN or alias
 * (live keys carry their aliases).
 */
export function kmsKeyFor(attr: Resolved<string>, model: Model): KmsKey | undefined {
  if (attr.state === "unknown" && attr.refersTo) {
    const r = model.resources.get(attr.refersTo);
    return r?.kind === "kms-key" ? r : undefined;
  }
  if (attr.state !== "known") return undefined;
  if (attr.refersTo) {
    const r = model.resources.get(attr.refersTo);
    if (r?.kind === "kms-key") return r;
  }
  const wanted = attr.value;
  for (const r of model.resources.values()) {
    if (r.kind !== "kms-key") continue;
    if (r.id === wanted || r.keyId === wanted || r.aliases.includes(wanted)) return r;
    if (r.aliases.some((alias) => wanted.endsWith(`:${alias}`))) return r;
    if (wanted.endsWith(`:key/${r.keyId}`) || r.keyId.endsWith(`:key/${wanted}`)) return r;
  }
  return undefined;
}

/** Names the AWS-managed RDS key (alias/aws/rds or any alias/aws/... alias). */
export function isAwsManagedKeyName(value: string): boolean {
  return /(^|:)alias\/aws\//.test(value);
}

/** A resource's tags; an Aurora member is usually tagged only on its cluster, so it takes the cluster's under its own. */
export function resourceTags(resource: ModelResource, model: Model): Record<string, string> {
  if (resource.kind === "db-instance" && resource.clusterId !== undefined) {
    const cluster = model.resources.get(resource.clusterId);
    if (cluster) return { ...cluster.tags, ...resource.tags };
  }
  return resource.tags;
}
