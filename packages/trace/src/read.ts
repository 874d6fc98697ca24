/** Reading a trace file: plain perf script text, or gzip-compressed when its name ends in .gz. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export function readTrace(path: string): string {
  const buf = readFileSync(path);
  return path.endsWith(".gz") ? gunzipSync(buf).toString("utf8") : buf.toString("utf8");
}
