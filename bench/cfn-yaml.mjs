/**
 * The parse floor, one for every benchmark: JSON.parse for a JSON body, js-yaml with its core schema and
 * CloudFormation's short-form tags otherwise, so the floor parses the same documents rdsguard does (as plain data,
 * without positions).
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

/** A body that starts with a bracket is JSON, as the floor reads it. */
export const isJsonText = (text) => /^\s*[{[]/.test(text);

/** The floor's parse of one template's text. */
export const parseFloor = (text) => (isJsonText(text) ? JSON.parse(text) : yaml.load(text, { schema: CFN_SCHEMA }));
