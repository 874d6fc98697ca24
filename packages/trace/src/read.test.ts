import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readTrace } from "./read.js";
import { fixture, tempDir } from "./testing.js";

describe("readTrace", () => {
  const text = fixture("snippets/events.trace");

  it("reads plain text, and gzip whether or not the name ends in .gz (gzip's magic bytes decide too)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.trace"), text);
    writeFileSync(join(dir, "b.trace.gz"), gzipSync(text));
    writeFileSync(join(dir, "c.trace"), gzipSync(text)); // gzipped, then renamed
    expect(readTrace(join(dir, "a.trace"))).toBe(text);
    expect(readTrace(join(dir, "b.trace.gz"))).toBe(text);
    expect(readTrace(join(dir, "c.trace"))).toBe(text);
    writeFileSync(join(dir, "d.trace.gz"), "not gzip");
    expect(() => readTrace(join(dir, "d.trace.gz"))).toThrow(/incorrect header check/);
  });

  it("perf record's binary data file (perf.data, --keep-data's <file>.data) is refused with the perf script command that converts it", () => {
    const dir = tempDir();
    const data = join(dir, "t.trace.data");
    writeFileSync(data, Buffer.concat([Buffer.from("PERFILE2"), Buffer.from([0x68, 0, 0, 0, 0, 0, 0, 0, 0x90, 0, 0xff])]));
    expect(() => readTrace(data)).toThrow(
      `it is perf record's binary data file (perf.data), not perf script text: convert it with \`perf script -i ${data} --show-lost-events -F comm,pid,tid,cpu,time,event,trace > ${data}.trace\` (what mmsim record does), or record with mmsim record`,
    );
    writeFileSync(join(dir, "p.gz"), gzipSync(Buffer.from("PERFILE2\0\0")));
    expect(() => readTrace(join(dir, "p.gz"))).toThrow(/binary data file \(perf\.data\)/);
  });
});
