/**
 * ca-certificate: each DB instance's server CA is current, not expired and not expiring within the policy window.
 * The CA is per instance, so Aurora members are judged too. Templates: CACertificateIdentifier, or the default CA
 * for new instances when it is not set. Live: the region's DescribeCertificates answer (ctx.model.certificates)
 * and the instance's CertificateDetails, whose server certificate expiry is judged as well.
 * A CA that is neither in the live answer nor in rdsguard's table is unknown, never "expired".
 */
import type { DbInstance, ModelResource, Resolved } from "../model/types.js";
import { CA_SOURCES, DEFAULT_CA_FOR_NEW_INSTANCES, DEFAULT_CA_SOURCE, KNOWN_CAS } from "./data/ca-certificates.js";
import { describe } from "./messages.js";
import { numberParam } from "./parameters.js";
import type { Rule, RuleContext, RuleMeta, RuleResult } from "./types.js";
import { type Judgement, judgeAcross, judgement, single } from "./verdicts.js";

const P = "CACertificateIdentifier";
const DAY_MS = 86_400_000;

export const meta: RuleMeta = {
  id: "ca-certificate",
  title: "Server certificate authority is current",
  severity: "high",
  description:
    "Each DB instance (including Aurora members) uses an RDS certificate authority that is not expired and does not expire within expiryWindowDays; live scans also check the instance's server certificate.",
  rationale:
    "Clients that verify the server certificate (sslmode=verify-full, --ssl-mode=VERIFY_IDENTITY) cannot connect once the CA or the server certificate expires; rds-ca-2019 expired in August 2024. The G1 CAs are valid for decades and let RDS rotate server certificates automatically.",
  remediation: {
    text: "Set CACertificateIdentifier to rds-ca-rsa2048-g1 (or rds-ca-rsa4096-g1 / rds-ca-ecc384-g1) on every DB instance, after adding the new CA bundle to your clients' trust store.",
    snippet: [
      "Resources:",
      "  Database:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      Engine: postgres",
      "      DBInstanceClass: db.r7g.large",
      '      AllocatedStorage: "100"',
      "      StorageEncrypted: true",
      "      CACertificateIdentifier: rds-ca-rsa2048-g1",
      "      MasterUsername: dbadmin",
      "      ManageMasterUserPassword: true",
    ].join("\n"),
  },
  parameters: [
    {
      name: "expiryWindowDays",
      type: "integer",
      default: 90,
      stricter: "higher",
      description: "Fail when the CA (or, live, the server certificate) expires within this many days.",
    },
  ],
  references: {
    securityHub: [],
    awsConfig: [],
    checkov: ["CKV_AWS_211 (Terraform)"],
    cfnNag: [],
    cfnGuard: [],
    cdkNag: [],
  },
  appliesTo: ["db-instance"],
  tags: ["security", "tls", "encryption-in-transit"],
  sources: [...CA_SOURCES],
};

function evaluate(resource: ModelResource, ctx: RuleContext): RuleResult[] {
  if (resource.kind !== "db-instance") {
    return [single(resource, judgement("not-applicable", "server certificates belong to DB instances"))];
  }
  const windowDays = numberParam(ctx, "expiryWindowDays", 90);
  const results = [
    judgeAcross<[string]>(resource, [resource.caCertificateIdentifier], ([attr]) =>
      judgeCa(resource, ctx, attr, windowDays),
    ),
  ];
  const server = judgeServerCertificate(resource, ctx, windowDays);
  if (server) results.push(server);
  return results;
}

interface CaFacts {
  validTill?: string;
  rotates?: boolean;
  from: string;
}

function caFacts(id: string, ctx: RuleContext): CaFacts | undefined {
  const live = ctx.model.certificates?.get(id);
  const known = KNOWN_CAS[id];
  if (live?.validTill) {
    const facts: CaFacts = { validTill: live.validTill, from: "DescribeCertificates" };
    if (known) facts.rotates = known.rotatesServerCertificate;
    return facts;
  }
  if (known) return { validTill: known.validTill, rotates: known.rotatesServerCertificate, from: "rdsguard CA table" };
  return undefined;
}

function defaultCa(ctx: RuleContext): { id: string; source: string } {
  for (const cert of ctx.model.certificates?.values() ?? []) {
    if (cert.defaultForNewLaunches)
      return { id: cert.id, source: "DescribeCertificates DefaultCertificateForNewLaunches" };
  }
  return { id: DEFAULT_CA_FOR_NEW_INSTANCES, source: DEFAULT_CA_SOURCE };
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

function judgeCa(instance: DbInstance, ctx: RuleContext, attr: Resolved<string>, windowDays: number): Judgement {
  const loc = attr.loc ?? instance.loc;
  let id: string;
  let what: string;
  if (attr.state === "unknown") return judgement("unknown", describe(P, attr), P, loc);
  if (attr.state === "absent") {
    const live = instance.certificateDetails?.caIdentifier;
    if (attr.default !== undefined) {
      // Template: the scanner wrote the default CA for new instances, and where it is documented.
      id = attr.default;
      what = describe(P, attr);
    } else if (live) {
      id = live;
      what = `CA is ${live} (live, DescribeDBInstances CertificateDetails)`;
    } else if (ctx.model.source === "live" || instance.origin.source === "live") {
      // An existing instance keeps the CA it was given; the default for new launches says nothing about it.
      return judgement(
        "unknown",
        `${describe(P, attr)}, and no CertificateDetails were returned: the instance's CA cannot be told`,
        P,
        loc,
      );
    } else {
      const d = defaultCa(ctx);
      id = d.id;
      what = `${P} is not set: AWS default ${d.id} for new instances (${d.source})`;
    }
  } else {
    id = attr.value;
    what = describe(P, attr);
  }
  const facts = caFacts(id, ctx);
  if (!facts?.validTill) {
    return judgement(
      "unknown",
      `${what}: CA ${id} is not in the region's certificate list or rdsguard's CA table, so its validity cannot be told`,
      P,
      loc,
    );
  }
  const till = Date.parse(facts.validTill);
  if (Number.isNaN(till))
    return judgement("unknown", `${what}: validity date ${facts.validTill} cannot be read`, P, loc);
  const now = ctx.now.getTime();
  if (till <= now)
    return judgement("fail", `${what}: CA ${id} expired on ${day(facts.validTill)} (${facts.from})`, P, loc);
  const days = Math.floor((till - now) / DAY_MS);
  if (days < windowDays) {
    return judgement(
      "fail",
      `${what}: CA ${id} expires on ${day(facts.validTill)}, in ${days} days, within the policy window of ${windowDays} days (${facts.from})`,
      P,
      loc,
    );
  }
  return judgement("pass", `${what}: CA ${id} is valid until ${day(facts.validTill)} (${facts.from})`, P, loc);
}

function judgeServerCertificate(instance: DbInstance, ctx: RuleContext, windowDays: number): RuleResult | undefined {
  const details = instance.certificateDetails;
  if (!details?.validTill) return undefined;
  const property = "CertificateDetails";
  const till = Date.parse(details.validTill);
  if (Number.isNaN(till)) {
    return single(
      instance,
      judgement("unknown", `server certificate validity ${details.validTill} cannot be read`, property),
    );
  }
  const now = ctx.now.getTime();
  const days = Math.floor((till - now) / DAY_MS);
  const base = `server certificate (issued by ${details.caIdentifier}) is valid until ${day(details.validTill)}`;
  if (till <= now) return single(instance, judgement("fail", `${base}: expired`, property));
  if (days < windowDays) {
    if (caFacts(details.caIdentifier, ctx)?.rotates) {
      return single(
        instance,
        judgement(
          "pass",
          `${base}, within ${windowDays} days, but RDS rotates server certificates of ${details.caIdentifier} automatically before they expire`,
          property,
        ),
      );
    }
    return single(
      instance,
      judgement("fail", `${base}: expires in ${days} days, within the policy window of ${windowDays} days`, property),
    );
  }
  return single(instance, judgement("pass", base, property));
}

export const rule: Rule = { meta, evaluate };
export default rule;
