import { execFileSync } from "node:child_process";
import {
  createReadStream,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type * as Sarif from "sarif";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  emitReport,
  exitCodeFor,
  OUTPUT_OPTIONS,
  OUTPUT_USAGE,
  type OutputIO,
  parseFailOn,
  parseFormatSpecs,
  parseOutputOptions,
  writeFileAtomic,
} from "../../src/commands/output.js";
import type { Finding, ScanReport } from "../../src/engine/types.js";
import { loadBaseline, parseBaseline } from "../../src/reporters/baseline.js";
import { finding, manyFindings, templateFindings, templateReport } from "./fixture.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rdsguard-output-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function collect(into: string[]) {
  return (s: string, cb?: (e?: Error | null) => void): boolean => {
    into.push(s);
    cb?.();
    return true;
  };
}

/** Start of an ANSI colour sequence. */
const ANSI = `${String.fromCharCode(27)}[`;

function fakeIO(env: Record<string, string | undefined> = {}, isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: OutputIO = {
    stdout: { isTTY, write: collect(out) },
    stderr: { write: collect(err) },
    env,
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

/** Values exactly as parseArgs produces them from a command line. */
function args(...argv: string[]): Record<string, unknown> {
  return parseArgs({ args: argv, options: OUTPUT_OPTIONS, allowPositionals: false }).values;
}

function noErrors(overrides: Partial<ScanReport> = {}): ScanReport {
  return templateReport({ errors: [], ...overrides });
}

function filesIn(d: string): string[] {
  return readdirSync(d, { recursive: true, withFileTypes: false }).map(String).sort();
}

const ALL_FORMATS = ["json", "sarif", "junit", "markdown", "github", "text"];

describe("exit codes", () => {
  it("2 when the report has errors", async () => {
    expect(await emitReport(templateReport(), args(), fakeIO().io)).toBe(2);
  });

  it("1 when an active finding is at or above --fail-on (default: any failing finding)", async () => {
    expect(await emitReport(noErrors(), args(), fakeIO().io)).toBe(1);
    expect(await emitReport(noErrors(), args("--fail-on", "critical"), fakeIO().io)).toBe(1);
  });

  it("0 when the failing findings are below --fail-on, or --fail-on none", async () => {
    const noCritical = noErrors({ findings: templateFindings().filter((f) => f.severity !== "critical") });
    expect(await emitReport(noCritical, args("--fail-on", "critical"), fakeIO().io)).toBe(0);
    expect(await emitReport(noCritical, args("--fail-on", "high"), fakeIO().io)).toBe(1);
    expect(await emitReport(noErrors(), args("--fail-on", "none"), fakeIO().io)).toBe(0);
  });

  it("0 when the only failures are suppressed, unknown or in the baseline", async () => {
    const quiet = templateFindings().filter((f) => f.suppression || f.verdict !== "fail");
    expect(quiet.some((f) => f.verdict === "fail")).toBe(true);
    expect(await emitReport(noErrors({ findings: quiet }), args(), fakeIO().io)).toBe(0);
    const inBaseline: Finding[] = templateFindings().map((f) => ({ ...f, baselineState: "unchanged" }));
    expect(exitCodeFor(noErrors({ findings: inBaseline }), "info")).toBe(0);
  });

  it("2 for a usage error, with a message", async () => {
    for (const [argv, message] of [
      [["--format", "pdf"], "unknown format 'pdf'"],
      [["--format", "json", "--format", "text"], "only one format can go to standard output"],
      [["--format", "json=a.json", "--format", "sarif=a.json"], "a.json is given twice"],
      [["--fail-on", "severe"], "--fail-on takes critical, high, medium, low, info, none; got 'severe'"],
      [["--markdown-limit", "100"], "--markdown-limit takes pr-comment, job-summary or a number of bytes >= 4096"],
      [["--sarif-suppressed", "maybe"], "--sarif-suppressed takes omit or include"],
    ] as const) {
      const { io, stderr } = fakeIO();
      expect(await emitReport(noErrors(), args(...argv), io)).toBe(2);
      expect(stderr()).toContain(message);
    }
  });
});

describe("option parsing", () => {
  it("parses FORMAT and FORMAT=PATH, defaulting to text on standard output", () => {
    expect(parseFormatSpecs(undefined)).toEqual([{ format: "text" }]);
    expect(parseFormatSpecs(["sarif=out/r.sarif", "markdown=-", "junit=a=b.xml"])).toEqual([
      { format: "sarif", path: "out/r.sarif" },
      { format: "markdown" },
      { format: "junit", path: "a=b.xml" },
    ]);
  });

  it("parses --fail-on", () => {
    expect(parseFailOn("HIGH")).toBe("high");
    expect(parseFailOn(undefined)).toBe("info");
    expect(parseFailOn("none")).toBe("none");
    expect(() => parseFailOn("bad")).toThrow(/--fail-on/);
  });

  it("defaults: fail-on info, SARIF omits suppressed findings, PR-comment Markdown limit", () => {
    expect(parseOutputOptions(args())).toEqual({
      targets: [{ format: "text" }],
      failOn: "info",
      sarifSuppressed: "omit",
      markdownLimit: 65_536,
      noColor: false,
      verbose: false,
      quiet: false,
    });
    expect(parseOutputOptions(args("--markdown-limit", "job-summary")).markdownLimit).toBe(1_048_576);
  });

  it("documents every option in the usage text", () => {
    for (const name of Object.keys(OUTPUT_OPTIONS)) expect(OUTPUT_USAGE).toContain(`--${name}`);
  });
});

describe("writing outputs", () => {
  it("writes every format to its file, atomically, leaving no temporary files, even when the exit code is 2", async () => {
    const argv = ALL_FORMATS.flatMap((f) => ["--format", `${f}=${join(dir, "reports", `report.${f}`)}`]);
    const { io, stdout } = fakeIO();
    expect(await emitReport(templateReport(), args(...argv), io)).toBe(2);
    expect(filesIn(dir)).toEqual(["reports", ...ALL_FORMATS.map((f) => `reports/report.${f}`).sort()]);
    const json = JSON.parse(readFileSync(join(dir, "reports", "report.json"), "utf8"));
    expect(json).toEqual(JSON.parse(JSON.stringify(templateReport())));
    const sarif = JSON.parse(readFileSync(join(dir, "reports", "report.sarif"), "utf8")) as Sarif.Log;
    expect(sarif.runs[0]?.invocations?.[0]?.executionSuccessful).toBe(false);
    expect(readFileSync(join(dir, "reports", "report.junit"), "utf8")).toMatch(/^<\?xml/);
    // The text view itself went to a file (as text=/dev/null keeps a log quiet): nothing else is printed.
    expect(stdout()).not.toContain("rdsguard: 5 failing findings");
  });

  it("prints the text view when every format goes to a file and none of them is text", async () => {
    const argv = ["json", "sarif"].flatMap((f) => ["--format", `${f}=${join(dir, "quiet", `report.${f}`)}`]);
    const { io, stdout } = fakeIO();
    expect(await emitReport(templateReport(), args(...argv), io)).toBe(2);
    expect(stdout()).toContain("rdsguard: 5 failing findings");
  });

  it("writes files when the exit code is 1, and replaces an existing file", async () => {
    const path = join(dir, "r.sarif");
    writeFileSync(path, "old");
    expect(await emitReport(noErrors(), args("--format", `sarif=${path}`), fakeIO().io)).toBe(1);
    expect(readFileSync(path, "utf8")).toMatch(/^\{\n {2}"\$schema"/);
    expect(filesIn(dir)).toEqual(["r.sarif"]);
  });

  it("reports an output it cannot write, writes the others, exits 2 and leaves no temporary file", async () => {
    mkdirSync(join(dir, "taken.sarif"));
    const { io, stderr } = fakeIO();
    const code = await emitReport(
      noErrors(),
      args("--format", `sarif=${join(dir, "taken.sarif")}`, "--format", `json=${join(dir, "ok.json")}`),
      io,
    );
    expect(code).toBe(2);
    expect(stderr()).toMatch(/io error: cannot write the sarif report to .*taken\.sarif/);
    expect(filesIn(dir)).toEqual(["ok.json", "taken.sarif"]);
  });

  it("prints the chosen format on standard output and the report's errors on standard error", async () => {
    const { io, stdout, stderr } = fakeIO();
    expect(await emitReport(templateReport(), args("--format", "json"), io)).toBe(2);
    expect(JSON.parse(stdout()).schemaVersion).toBe(1);
    expect(stderr()).toBe(
      "rdsguard: parse error at templates/broken.yaml:3:1: unexpected end of the stream within a flow collection\n",
    );
  });

  it("colours the text view only for a TTY without NO_COLOR, or with FORCE_COLOR", async () => {
    const tty = fakeIO({}, true);
    await emitReport(noErrors(), args(), tty.io);
    expect(tty.stdout()).toContain(ANSI);
    const noColor = fakeIO({ NO_COLOR: "1" }, true);
    await emitReport(noErrors(), args(), noColor.io);
    expect(noColor.stdout()).not.toContain(ANSI);
    const flag = fakeIO({}, true);
    await emitReport(noErrors(), args("--no-color"), flag.io);
    expect(flag.stdout()).not.toContain(ANSI);
    const forced = fakeIO({ FORCE_COLOR: "1" }, false);
    await emitReport(noErrors(), args(), forced.io);
    expect(forced.stdout()).toContain(ANSI);
    // Files never get colour.
    const file = join(dir, "out.txt");
    await emitReport(noErrors(), args("--format", `text=${file}`), fakeIO({ FORCE_COLOR: "1" }, true).io);
    expect(readFileSync(file, "utf8")).not.toContain(ANSI);
  });

  it("names the other outputs as the full report when the Markdown is truncated", async () => {
    const md = join(dir, "summary.md");
    const report = noErrors({ findings: manyFindings(2000) });
    await emitReport(
      report,
      args("--format", `markdown=${md}`, "--format", `sarif=${join(dir, "r.sarif")}`),
      fakeIO().io,
    );
    expect(readFileSync(md, "utf8")).toContain(`The full report: \`${join(dir, "r.sarif")}\`.`);
  });
});

describe("baselines", () => {
  const base = () => noErrors({ findings: templateFindings() });
  const newFinding = finding({
    rule: "deletion-protection",
    severity: "critical",
    verdict: "fail",
    message: "DeletionProtection is false.",
    name: "NewCluster",
    file: "templates/new.yaml",
    at: [5, 5],
    property: "DeletionProtection",
  });
  /** The same findings, every one moved 10 lines down. */
  const moved = () =>
    base().findings.map((f) => (f.location ? { ...f, location: { ...f.location, line: f.location.line + 10 } } : f));

  for (const kind of ["json", "sarif"] as const) {
    it(`a ${kind} baseline hides old findings (exit 0) and fails on a new one (exit 1)`, async () => {
      const baseline = join(dir, `baseline.${kind}`);
      expect(await emitReport(base(), args("--format", `${kind}=${baseline}`), fakeIO().io)).toBe(1);

      const same = join(dir, "same.sarif");
      expect(
        await emitReport(
          noErrors({ findings: moved() }),
          args("--baseline", baseline, "--format", `sarif=${same}`),
          fakeIO().io,
        ),
      ).toBe(0);
      const sameLog = JSON.parse(readFileSync(same, "utf8")) as Sarif.Log;
      const states = (sameLog.runs[0]?.results ?? []).map((r) => r.baselineState);
      expect(states.length).toBeGreaterThan(0);
      expect(new Set(states)).toEqual(new Set(["unchanged"]));

      const grown = join(dir, "grown.sarif");
      const { io, stdout } = fakeIO();
      const code = await emitReport(
        noErrors({ findings: [...moved(), newFinding] }),
        args("--baseline", baseline, "--format", `sarif=${grown}`),
        io,
      );
      expect(code).toBe(1);
      const grownLog = JSON.parse(readFileSync(grown, "utf8")) as Sarif.Log;
      const fresh = (grownLog.runs[0]?.results ?? []).filter((r) => r.baselineState === "new");
      expect(fresh.map((r) => r.partialFingerprints?.["rdsguard/v1"])).toEqual([newFinding.fingerprint]);
      expect(stdout()).toContain("rdsguard: 1 failing finding (1 critical)");
    });
  }

  it("treats a finding that passed or was waived in the baseline as new", () => {
    const waived = templateFindings().find((f) => f.suppression);
    const passed = templateFindings().find((f) => f.verdict === "pass");
    const result = parseBaseline(JSON.parse(JSON.stringify(base())), "b.json");
    expect(result.fingerprints?.has(waived?.fingerprint ?? "")).toBe(false);
    expect(result.fingerprints?.has(passed?.fingerprint ?? "")).toBe(false);
    expect(result.fingerprints?.size).toBe(
      templateFindings().filter((f) => (f.verdict === "fail" || f.verdict === "unknown") && !f.suppression).length,
    );
  });

  it("reports a missing baseline as an io error and a malformed one as a parameters error (exit 2), with the place", async () => {
    const missing = await loadBaseline(join(dir, "nope.json"));
    expect(missing.error).toMatchObject({ kind: "io", file: join(dir, "nope.json") });

    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{\n  "runs": [\n    {,}\n  ]\n}\n');
    const bad = await loadBaseline(broken);
    expect(bad.error).toMatchObject({ kind: "parameters", file: broken, line: 3, column: 6 });

    const foreign = join(dir, "other.sarif");
    writeFileSync(
      foreign,
      JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: "checkov" } }, results: [] }] }),
    );
    expect((await loadBaseline(foreign)).error?.message).toMatch(/without an rdsguard run/);

    const { io, stdout } = fakeIO();
    expect(await emitReport(noErrors(), args("--baseline", broken), io)).toBe(2);
    expect(stdout()).toMatch(/broken\.json:3:6 +parameters +baseline .* is not JSON/);
  });
});

describe("writing a report from its chunks", () => {
  it("writes the bytes of the joined text: split surrogate pairs, multi-byte text, chunks past the 1 MiB block", async () => {
    const chunks = [
      "plain ",
      "\ud83d", // the first half of 🔒, the second half starts the next chunk
      "\udd12 é ≥ ",
      "x".repeat(400_000),
      "ü".repeat(200_000), // fills the block past its 3-bytes-per-unit bound
      "b".repeat(1_500_000), // larger than the block
      "end \ud83d",
      "\ude00",
      "\ud800", // a lone high surrogate last: replaced as in the joined text
    ];
    const file = join(dir, "chunks.txt");
    await writeFileAtomic(file, chunks);
    expect(readFileSync(file).equals(Buffer.from(chunks.join("")))).toBe(true);
  });
});

describe("writing to what is already at PATH", () => {
  it("writes where a symlink points and keeps the link", async () => {
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "report.json"), "old");
    symlinkSync(join(dir, "real", "report.json"), join(dir, "link.json"));
    await writeFileAtomic(join(dir, "link.json"), '{"new":true}');
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "real", "report.json"), "utf8")).toBe('{"new":true}');
    expect(readdirSync(join(dir, "real"))).toEqual(["report.json"]);
  });

  it.skipIf(process.platform === "win32")("writes through a FIFO instead of replacing it with a file", async () => {
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const received = new Promise<string>((resolveRead) => {
      let text = "";
      createReadStream(fifo, "utf8")
        .on("data", (chunk) => {
          text += chunk;
        })
        .on("end", () => resolveRead(text));
    });
    await writeFileAtomic(fifo, "through the pipe");
    expect(await received).toBe("through the pipe");
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(["pipe"]);
  });
});
