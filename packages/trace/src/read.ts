/**
 * Reading a trace file: plain perf script text, or gzip-compressed (its name
 * ends in .gz, or it starts with gzip's magic bytes and gunzips, whatever its name).
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { PERF_SCRIPT_FIELDS } from "./record.js";

/** perf record's binary data file (perf.data) starts with these bytes. */
const PERF_DATA_MAGIC = "PERFILE2";

/** The text of the trace file at `path`; `shown` is how an error names it (default `path`). */
export function readTrace(path: string, shown = path): string {
  const buf = readFileSync(path);
  // A .gz name must be gzip; other names are gzip when they start with its magic
  // bytes and gunzip (a gzipped trace renamed), else text as they are.
  let bytes = path.endsWith(".gz") ? gunzipSync(buf) : buf;
  if (bytes === buf && buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      bytes = gunzipSync(buf);
    } catch {
      // not gzip after all: read as text (and refused as no trace events)
    }
  }
  if (bytes.subarray(0, PERF_DATA_MAGIC.length).toString("latin1") === PERF_DATA_MAGIC) {
    throw new Error(
      `it is perf record's binary data file (perf.data), not perf script text: convert it with ` +
        `\`perf script -i ${shown} --show-lost-events -F ${PERF_SCRIPT_FIELDS} > ${shown}.trace\` (what mmsim record does), or record with mmsim record`,
    );
  }
  return bytes.toString("utf8");
}
