/**
 * jsonWithStreamedArray (src/reporters/source.ts) writes the JSON and SARIF reports' big arrays in batches: the
 * text must be JSON.stringify(whole, null, 2) byte for byte, whatever the count (batch edges included), the depth of
 * the array and the items (nested objects, strings with newlines and control characters, numbers).
 */
import { describe, expect, it } from "vitest";
import { joinChunks, jsonWithStreamedArray } from "../../src/reporters/source.js";

const item = (n: number) => ({
  id: `R${n}`,
  nested: { list: [n, { deep: [`line\nbreak ${n}`, "\u0007bell"] }], empty: [], none: {} },
  n: n / 3,
});

describe("jsonWithStreamedArray", () => {
  it.each([0, 1, 255, 256, 257, 600])("%i items at depth 1 and 3: the bytes of JSON.stringify", (count) => {
    const items = Array.from({ length: count }, (_, n) => item(n));
    const shallow = { schemaVersion: 1, findings: [] as unknown[], after: { x: 1 } };
    expect(joinChunks(jsonWithStreamedArray(shallow, "findings", 2, items))).toBe(
      JSON.stringify({ ...shallow, findings: items }, null, 2),
    );
    const deep = { runs: [{ tool: { name: "t" }, results: [] as unknown[], tail: "z" }] };
    expect(joinChunks(jsonWithStreamedArray(deep, "results", 6, items))).toBe(
      JSON.stringify({ runs: [{ tool: { name: "t" }, results: items, tail: "z" }] }, null, 2),
    );
  });

  it("takes the items lazily, a batch at a time", () => {
    let taken = 0;
    function* items() {
      for (let n = 0; n < 1000; n++) {
        taken++;
        yield item(n);
      }
    }
    const chunks = jsonWithStreamedArray({ findings: [] }, "findings", 2, items());
    chunks.next();
    expect(taken).toBeLessThan(1000);
    expect(taken).toBeGreaterThan(0);
  });

  it("refuses a key that is not there at that depth", () => {
    expect(() => joinChunks(jsonWithStreamedArray({ findings: [] }, "findings", 4, []))).toThrow(/no findings/);
  });
});
