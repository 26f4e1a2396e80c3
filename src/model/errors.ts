/**
 * A located error on an input (a template, policy file, parameter file or AWS response): the other thing scanning
 * produces beside the model. Reports list them with their place.
 */
export type ScanErrorKind = "parse" | "io" | "too-large" | "policy" | "parameters" | "aws" | "rule" | "internal";

export interface ScanError {
  kind: ScanErrorKind;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  account?: string;
  region?: string;
}
