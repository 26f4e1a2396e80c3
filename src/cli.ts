#!/usr/bin/env node
/**
 * Entry point: dispatches `rdsguard <command>` to src/commands/<command>.ts. Each command module exports
 * `run(argv): Promise<number>` returning the process exit code (0 clean, 1 findings, 2 usage/config/input errors).
 */
import { closestName } from "./util/suggest.js";
import { VERSION } from "./version.js";

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  scan: { summary: "scan CloudFormation templates and cdk.out", load: () => import("./commands/scan.js") },
  audit: { summary: "audit live RDS/Aurora state in AWS accounts", load: () => import("./commands/audit.js") },
  merge: { summary: "merge JSON reports from sharded audits", load: () => import("./commands/merge.js") },
  rules: { summary: "list the rule catalogue", load: () => import("./commands/rules.js") },
  explain: { summary: "explain one rule", load: () => import("./commands/explain.js") },
  test: {
    summary: "run a policy's own test cases (templates + expected verdicts)",
    load: () => import("./commands/test.js"),
  },
  init: { summary: "write a commented starter rdsguard.yaml", load: () => import("./commands/init.js") },
};

export const USAGE = `rdsguard ${VERSION}: compliance scanner for Amazon RDS and Aurora

Usage: rdsguard <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`)
  .join("\n")}

Run 'rdsguard help <command>' (or 'rdsguard <command> --help') for the options of a command.
Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage, configuration or input errors.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "help") {
    // `rdsguard help scan` is `rdsguard scan --help`.
    const topic = rest[0];
    if (topic === undefined) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const entry = COMMANDS[topic];
    if (!entry) return unknownCommand(topic);
    return (await entry.load()).run(["--help"]);
  }
  if (command === "--version" || command === "-V") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) return unknownCommand(command);
  const mod = await entry.load();
  return mod.run(rest);
}

function unknownCommand(command: string): number {
  const names = [...Object.keys(COMMANDS), "help"];
  const suggestion = closestName(command, names);
  const hint = command.startsWith("-") ? " (options come after the command: rdsguard scan --format json PATH)" : "";
  process.stderr.write(
    `rdsguard: unknown command '${command}'${suggestion ? ` (did you mean '${suggestion}'?)` : hint}\n` +
      `Commands: ${Object.keys(COMMANDS).join(", ")}. Run 'rdsguard --help' for more.\n`,
  );
  return 2;
}

// A closed pipe on standard output (`rdsguard scan . | head`) surfaces as an error event; the write that hit it
// is told through its callback, so the event itself needs no more than a listener.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `rdsguard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 2;
  },
);
