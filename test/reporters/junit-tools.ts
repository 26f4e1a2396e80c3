/** JUnit validation for tests: the Jenkins junit-10 XSD (extended with file/line), through xmllint-wasm. */
import { readFileSync } from "node:fs";
import { validateXML } from "xmllint-wasm";

const XSD = readFileSync(new URL("../fixtures/schemas/junit-10.xsd", import.meta.url), "utf8");

/** xmllint's messages for a JUnit document; empty when it is valid. */
export async function xsdErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: "report.xml", contents: xml }],
    schema: [{ fileName: "junit-10.xsd", contents: XSD }],
  });
  return result.errors.map((e) => e.rawMessage);
}
