/**
 * Minimal XML writer for the AWS Query protocol answers the fake endpoint sends. List element names follow
 * the service models (e.g. DescribeGlobalClusters really wraps each global cluster in <GlobalClusterMember>).
 */

/** Wrapper element name -> member element name, as in the RDS / CloudFormation / STS models. */
const LIST_MEMBERS: Record<string, string> = {
  DBClusters: "DBCluster",
  DBInstances: "DBInstance",
  DBClusterMembers: "DBClusterMember",
  AvailabilityZones: "AvailabilityZone",
  TagList: "Tag",
  GlobalClusters: "GlobalClusterMember",
  GlobalClusterMembers: "GlobalClusterMember",
  Readers: "member",
  Certificates: "Certificate",
  ReadReplicaDBInstanceIdentifiers: "ReadReplicaDBInstanceIdentifier",
  ReadReplicaDBClusterIdentifiers: "ReadReplicaDBClusterIdentifier",
  ReadReplicaIdentifiers: "ReadReplicaIdentifier",
  StagesAvailable: "member",
  VpcSecurityGroups: "VpcSecurityGroupMembership",
  DBMajorEngineVersions: "DBMajorEngineVersion",
  SupportedEngineLifecycles: "SupportedEngineLifecycle",
  Parameters: "Parameter",
  DBParameterGroups: "DBParameterGroup",
};

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (Array.isArray(value)) {
    const member = LIST_MEMBERS[name] ?? "member";
    return `<${name}>${value.map((v) => element(member, v)).join("")}</${name}>`;
  }
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<{Action}Response xmlns><{Action}Result>...</{Action}Result><ResponseMetadata/></{Action}Response>` */
export function queryResponse(
  action: string,
  namespace: string,
  result: Record<string, unknown>,
  requestId: string,
): string {
  const inner = Object.entries(result)
    .map(([k, v]) => element(k, v))
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryError(
  namespace: string,
  code: string,
  message: string,
  requestId: string,
  type = "Sender",
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** EC2 speaks its own flavour: lower-camel elements, <item> list members, <Response><Errors> for errors. */
export function ec2Error(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}
