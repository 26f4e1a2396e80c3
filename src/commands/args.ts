/**
 * Command-line parsing for every command: node:util parseArgs, with its errors turned into one line a user can
 * act on ("unknown option --formt (did you mean --format?)") and a pointer to the command's help, instead of
 * Node's raw message and the whole usage text.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { closestName } from "../util/suggest.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

export class UsageError extends Error {
  override name = "UsageError";
}

/** parseArgs, throwing UsageError with a readable message. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(describeParseError(err, config.options ?? {}));
  }
}

function describeParseError(err: unknown, options: Options): string {
  const code = (err as NodeJS.ErrnoException).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const given = quoted.split("=")[0] ?? quoted;
      // A one-letter flag has no useful "closest" one; a long option does.
      const names = Object.keys(options).map((n) => `--${n}`);
      const suggestion = given.startsWith("--") ? closestName(given, names) : undefined;
      return `unknown option ${given}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(" ")[0] ?? quoted;
      return message.includes("argument missing")
        ? `option ${option} needs a value`
        : `option ${option} takes no value`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${quoted}': this command takes no positional arguments`;
    default:
      return message;
  }
}

/** "rdsguard scan: MESSAGE" and where the options are described; the caller returns exit code 2. */
export function usageFailure(command: string, message: string): string {
  return `rdsguard ${command}: ${message}\nRun 'rdsguard ${command} --help' for its options.\n`;
}
