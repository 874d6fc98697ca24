/**
 * Where this package's own files are: helper/ and corpus/ sit next to src/ and
 * dist/, so both are `..` from this module, from source and from either build
 * (tsup's shims give the CJS build its import.meta.url).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's root directory (packages/host in the repository). */
export function packageDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..");
}
