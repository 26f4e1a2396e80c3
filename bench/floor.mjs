/**
 * The floor of "read every template", run as a clean child process by bench/templates.mjs:
 *   node bench/floor.mjs FILE...
 * reads each file once and parses it once without positions (js-yaml with CloudFormation's short-form tags for YAML,
 * JSON.parse for JSON): the least any scanner of these bytes must do. The bench times the whole process, as it times
 * `rdsguard scan` of the same files.
 */
import { readFileSync } from "node:fs";
import { parseFloor } from "./cfn-yaml.mjs";

for (const file of process.argv.slice(2)) parseFloor(readFileSync(file, "utf8"));
