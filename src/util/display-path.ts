/**
 * How a file is shown in reports, messages and fingerprints: relative to `root` with forward slashes when it lies
 * inside it, else as given. One function, so that a template, a policy file and a plugin are shown alike.
 */
import path from "node:path";

export function displayPath(file: string, root: string): string {
  const rel = path.relative(root, file);
  // "..x.yaml" is a file inside the root; only ".." itself or a "../" prefix leaves it.
  const outside = rel === "" || rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  return (outside ? file : rel).split(path.sep).join("/");
}
