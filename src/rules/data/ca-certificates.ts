/**
 * The certificate authorities Amazon RDS signs server certificates with. Used when a template names a CA (or
 * leaves it to the default) and no live DescribeCertificates answer is available. Live scans prefer the
 * region's own answer, since validity dates differ slightly per region.
 */

export interface KnownCa {
  id: string;
  keyAlgorithm: string;
  /** ISO timestamp of the earliest ValidFrom seen across regions. */
  validFrom: string;
  /** ISO timestamp of the earliest ValidTill seen across regions (regions differ by hours or days). */
  validTill: string;
  /** The G1 CAs rotate each instance's server certificate automatically before it expires. */
  rotatesServerCertificate: boolean;
  note: string;
}

export const KNOWN_CAS: Readonly<Record<string, KnownCa>> = {
  "rds-ca-2015": {
    id: "rds-ca-2015",
    keyAlgorithm: "RSA2048 / SHA256",
    validFrom: "2015-02-05T00:00:00Z",
    validTill: "2020-03-05T00:00:00Z",
    rotatesServerCertificate: false,
    note: "retired; replaced by rds-ca-2019 in 2019-2020",
  },
  "rds-ca-2019": {
    id: "rds-ca-2019",
    keyAlgorithm: "RSA2048 / SHA256",
    validFrom: "2019-08-22T17:08:50Z",
    // 2024-08-22 in most regions (me-south-1 earlier, af-south-1 later).
    validTill: "2024-08-22T17:08:50Z",
    rotatesServerCertificate: false,
    note: "expired in August 2024 in most regions; switch to rds-ca-rsa2048-g1 (same key type) or another G1 CA",
  },
  "rds-ca-rsa2048-g1": {
    id: "rds-ca-rsa2048-g1",
    keyAlgorithm: "RSA2048 / SHA256 (SHA384 in GovCloud)",
    validFrom: "2021-05-24T21:59:00Z",
    // us-west-2 2061-05-24T22:59:00Z, us-east-1 2061-05-25T23:34:57Z: the earlier is kept.
    validTill: "2061-05-24T22:59:00Z",
    rotatesServerCertificate: true,
    note: "default CA for new DB instances",
  },
  "rds-ca-rsa4096-g1": {
    id: "rds-ca-rsa4096-g1",
    keyAlgorithm: "RSA4096 / SHA384",
    validFrom: "2021-05-24T22:03:20Z",
    validTill: "2121-05-24T23:03:20Z",
    rotatesServerCertificate: true,
    note: "",
  },
  "rds-ca-ecc384-g1": {
    id: "rds-ca-ecc384-g1",
    keyAlgorithm: "ECC384 / SHA384",
    validFrom: "2021-05-24T22:06:59Z",
    validTill: "2121-05-24T23:06:59Z",
    rotatesServerCertificate: true,
    note: "",
  },
};

/** CA that new DB instances get when CACertificateIdentifier is not set (since January 2024). */
export const DEFAULT_CA_FOR_NEW_INSTANCES = "rds-ca-rsa2048-g1";

export const DEFAULT_CA_SOURCE =
  "RDS User Guide, Using SSL/TLS to encrypt a connection: new DB instances use rds-ca-rsa2048-g1 by default since January 2024; DescribeCertificates DefaultCertificateForNewLaunches";

export const CA_SOURCES: readonly string[] = [
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL-certificate-rotation.html",
  "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeCertificates.html",
  // Example output with ValidFrom/ValidTill per CA (us-west-2) and DefaultCertificateForNewLaunches.
  "https://github.com/aws/aws-cli/blob/develop/awscli/examples/rds/describe-certificates.rst",
];
