/** What the running kernel is configured with, as far as the comparison cares. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** CONFIG_PT_RECLAIM of the running kernel from /proc/config.gz, or null if unknown. */
export function kernelHasPtReclaim(configGz = "/proc/config.gz"): boolean | null {
  try {
    const text = gunzipSync(readFileSync(configGz)).toString("utf8");
    return /^CONFIG_PT_RECLAIM=y$/m.test(text);
  } catch {
    return null;
  }
}

/** The transparent hugepage mode (`always`, `madvise`, `never`), or "?" if unknown. */
export function thpMode(file = "/sys/kernel/mm/transparent_hugepage/enabled"): string {
  try {
    return /\[(\w+)\]/.exec(readFileSync(file, "utf8"))?.[1] ?? "?";
  } catch {
    return "?";
  }
}
