/**
 * The parse floor's YAML schema, one for every benchmark: js-yaml's core schema with CloudFormation's short-form
 * tags, so the floor parses the same documents rdsguard does (as plain data, without positions).
 */
import yaml from "js-yaml";

const TAGS = [
  "Ref",
  "Condition",
  "GetAtt",
  "Sub",
  "If",
  "Join",
  "Select",
  "Split",
  "FindInMap",
  "Equals",
  "Not",
  "And",
  "Or",
  "ImportValue",
  "Base64",
  "Cidr",
  "GetAZs",
  "Transform",
  "Length",
  "ToJsonString",
];

export const CFN_SCHEMA = yaml.CORE_SCHEMA.extend(
  TAGS.flatMap((t) =>
    ["scalar", "sequence", "mapping"].map(
      (kind) =>
        new yaml.Type(`!${t}`, {
          kind,
          construct: (data) => ({ [t === "Ref" || t === "Condition" ? t : `Fn::${t}`]: data }),
        }),
    ),
  ),
);
