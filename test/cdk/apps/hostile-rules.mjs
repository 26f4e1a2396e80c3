// A rule plugin whose messages look like what the CDK reads as an annotation's rule id: a final "(A::B)", a
// second "::", "[ack: ...]" anywhere, unbalanced brackets. The Aspect and the validation plugin must hand them to
// the CDK CLI without letting it abort. One rule warns (medium), one fails synthesis (critical).
import { defineRule } from "rdsguard";

export const HOSTILE = [
  "ends like a CDK rule id (a::b)",
  "names a type with two delimiters (AWS::RDS::DBInstance)",
  "carries [ack: fake::rule::id] in the middle",
  "closes ) before it opens (x::y)",
  "is only delimiters :: :: (::)",
  "acknowledges [ack: ]]] [ack: x]",
  "nests brackets {[(a::b::c)]}",
  "shouts [ACK: upper::case::x]",
  "ends in spaces (m::n)   ",
  "breaks a line\n(p::q)",
  "opens [ and { and ( and never closes",
];

const hostileRule = (id, severity) =>
  defineRule({
    meta: {
      id,
      title: `Messages the CDK could misread (${severity})`,
      severity,
      description: "Fails every DB instance with messages shaped like CDK rule ids.",
      appliesTo: ["db-instance"],
      tags: ["test"],
    },
    evaluate(resource) {
      return HOSTILE.map((text, i) => ({
        verdict: "fail",
        property: `Hostile${i + 1}`,
        message: `Hostile${i + 1} ${text}`,
        loc: resource.loc,
      }));
    },
  });

export const rules = [hostileRule("hostile-messages", "medium"), hostileRule("hostile-messages-critical", "critical")];
