/**
 * What is wrong with a `--parameter` flag that is not KEY=VALUE, without echoing it: the text may be a password
 * typed in the wrong shape (`--parameter hunter2`, `--parameter =hunter2`), and CI logs keep stderr.
 */
export function describeBadParameterFlag(flag: string): string {
  const eq = flag.indexOf("=");
  const shape = eq === 0 ? "it has no KEY before '='" : "it has no '='";
  return `${shape} (${flag.length} characters, not shown: the text may be a secret)`;
}
