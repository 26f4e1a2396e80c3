import { describe, expect, it } from "vitest";
import { rule } from "../../src/rules/ca-certificate.js";
import {
  absent,
  at,
  cluster,
  fromParamDefault,
  fromUserParam,
  ifCond,
  importValue,
  instance,
  known,
  liveCertificates,
  member,
  model,
  run,
  verdicts,
} from "./build-model.js";

const P = "CACertificateIdentifier";

describe("ca-certificate", () => {
  it("passes the default CA when the property is absent, and cites it", () => {
    const db = instance("Db", { caCertificateIdentifier: absent(undefined, "none", at(2, 3)) });
    expect(run(rule, model([db]), "Db")).toEqual([
      {
        verdict: "pass",
        property: P,
        loc: at(2, 3),
        message:
          "CACertificateIdentifier is not set: AWS default rds-ca-rsa2048-g1 for new instances (RDS User Guide, Using SSL/TLS to encrypt a connection: new DB instances use rds-ca-rsa2048-g1 by default since January 2024; DescribeCertificates DefaultCertificateForNewLaunches): CA rds-ca-rsa2048-g1 is valid until 2061-05-24 (rdsguard CA table)",
      },
    ]);
  });

  it("fails rds-ca-2019 (expired 2024-08-22), at the value", () => {
    const db = instance("Db", { caCertificateIdentifier: known("rds-ca-2019", at(9, 32)) });
    expect(run(rule, model([db]), "Db")).toEqual([
      {
        verdict: "fail",
        property: P,
        loc: at(9, 32),
        message:
          "CACertificateIdentifier is rds-ca-2019 (literal): CA rds-ca-2019 expired on 2024-08-22 (rdsguard CA table)",
      },
    ]);
  });

  it("fails a CA expiring within the window, judged against ctx.now", () => {
    const db = instance("Db", { caCertificateIdentifier: known("rds-ca-rsa2048-g1") });
    const nearEnd = new Date("2061-04-01T00:00:00Z");
    expect(run(rule, model([db]), "Db", {}, nearEnd)[0]?.message).toContain(
      "in 53 days, within the policy window of 90 days",
    );
    expect(verdicts(run(rule, model([db]), "Db", { expiryWindowDays: 30 }, nearEnd))).toEqual([`${P}:pass`]);
  });

  it("is unknown for a CA it does not know (never 'expired' without data)", () => {
    const db = instance("Db", { caCertificateIdentifier: known("rds-ca-future-g2") });
    const [r] = run(rule, model([db]), "Db");
    expect(r?.verdict).toBe("unknown");
    expect(r?.message).toContain("cannot be told");
  });

  it("judges Aurora members: the CA is per instance", () => {
    const m = member("Writer", "Cluster", { caCertificateIdentifier: known("rds-ca-2019") });
    expect(verdicts(run(rule, model([cluster("Cluster"), m]), "Writer"))).toEqual([`${P}:fail`]);
  });

  it("uses live DescribeCertificates data and the instance's server certificate", () => {
    const db = instance("arn:db", {
      origin: { source: "live", arn: "arn:db" },
      caCertificateIdentifier: known("rds-ca-rsa4096-g1"),
      certificateDetails: { caIdentifier: "rds-ca-rsa4096-g1", validTill: "2026-12-10T00:00:00Z" },
    });
    const certs = liveCertificates([{ id: "rds-ca-rsa4096-g1", validTill: "2121-05-24T23:03:20Z" }]);
    const results = run(rule, model([db], { source: "live", certificates: certs }), "arn:db");
    expect(verdicts(results)).toEqual([`${P}:pass`, "CertificateDetails:pass"]);
    expect(results[0]?.message).toContain("(DescribeCertificates)");
    expect(results[1]?.message).toContain("rotates server certificates of rds-ca-rsa4096-g1 automatically");

    const old = instance("arn:old", {
      caCertificateIdentifier: known("rds-ca-2019"),
      certificateDetails: { caIdentifier: "rds-ca-2019", validTill: "2024-08-22T17:08:50Z" },
    });
    expect(verdicts(run(rule, model([old], { source: "live" }), "arn:old"))).toEqual([
      `${P}:fail`,
      "CertificateDetails:fail",
    ]);
  });

  it("uses the region's default CA for new launches when the live answer names one", () => {
    const db = instance("Db", { caCertificateIdentifier: absent(undefined, "none") });
    const certs = liveCertificates([
      { id: "rds-ca-ecc384-g1", validTill: "2121-05-24T23:06:59Z", defaultForNewLaunches: true },
    ]);
    expect(run(rule, model([db], { certificates: certs }), "Db")[0]?.message).toContain(
      "AWS default rds-ca-ecc384-g1 for new instances (DescribeCertificates DefaultCertificateForNewLaunches)",
    );
  });

  it("judges read replicas and snapshot restores like any instance", () => {
    const replica = instance("R", { role: "read-replica", caCertificateIdentifier: known("rds-ca-2019") });
    const restored = instance("S", { snapshotIdentifier: known("snap") });
    const mdl = model([replica, restored]);
    expect(verdicts(run(rule, mdl, "R"))).toEqual([`${P}:fail`]);
    expect(verdicts(run(rule, mdl, "S"))).toEqual([`${P}:pass`]);
  });

  it("names parameter origins, the failing condition and imports", () => {
    const a = instance("A", { caCertificateIdentifier: fromParamDefault("rds-ca-2019", "Ca") });
    expect(run(rule, model([a]), "A")[0]?.message).toContain("rds-ca-2019 (default of parameter Ca)");
    const b = instance("B", { caCertificateIdentifier: fromUserParam("rds-ca-ecc384-g1", "Ca") });
    expect(verdicts(run(rule, model([b]), "B"))).toEqual([`${P}:pass`]);
    const c = instance("C", {
      caCertificateIdentifier: ifCond("Legacy", known("rds-ca-2019"), known("rds-ca-rsa2048-g1")),
    });
    expect(verdicts(run(rule, model([c]), "C"))).toEqual([`${P}:fail when Legacy=true`]);
    const d = instance("D", { caCertificateIdentifier: importValue("ca") });
    expect(verdicts(run(rule, model([d]), "D"))).toEqual([`${P}:unknown`]);
  });
});

describe("ca-certificate: live instances without a reported CA", () => {
  it("is unknown, not 'the default for new instances', when the API reported neither the CA nor CertificateDetails", () => {
    const db = instance("arn:db", {
      origin: { source: "live", arn: "arn:db" },
      caCertificateIdentifier: absent(undefined, "DescribeDBInstances returned no CACertificateIdentifier"),
    });
    const certs = liveCertificates([
      { id: "rds-ca-rsa2048-g1", validTill: "2061-05-24T22:59:00Z", defaultForNewLaunches: true },
    ]);
    const [r] = run(rule, model([db], { source: "live", certificates: certs }), "arn:db");
    expect(r?.verdict).toBe("unknown");
    expect(r?.message).toContain("the instance's CA cannot be told");
  });

  it("passes each current G1 CA", () => {
    for (const ca of ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"]) {
      expect(verdicts(run(rule, model([instance("Db", { caCertificateIdentifier: known(ca) })]), "Db")), ca).toEqual([
        `${P}:pass`,
      ]);
    }
  });
});
