import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, NO_PROGRESS } from "./progress.js";

/** A fake terminal that records what is drawn. */
class FakeTty extends Writable {
  readonly isTTY = true;
  readonly columns = 100;
  text = "";

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe("progress bar", () => {
  it("is off without a terminal", () => {
    expect(createProgress(null, { label: "x" })).toBe(NO_PROGRESS);
  });

  it("starts only after the delay, then draws and clears on stop", () => {
    const tty = new FakeTty();
    let now = 0;
    const p = createProgress(tty, { label: "pt-reclaim", now: () => now });
    p.update(1024, 51200);
    now = 999;
    p.update(2048, 51200);
    expect(tty.text).toBe("");
    now = 1000;
    p.update(3072, 51200);
    expect(tty.text).toContain("pt-reclaim [");
    expect(tty.text).toContain("6% | 3072/51200 ops");
    const drawn = tty.text.length;
    p.clear();
    expect(tty.text.slice(drawn)).toBe("\r\x1b[2K\x1b[?7h"); // erased, and auto-wrap back on for the text after it (progress-terminal.test.ts)
    const cleared = tty.text.length;
    p.stop();
    expect(tty.text.slice(cleared)).toContain("\x1b[2K"); // clearOnComplete erases the line
    const stopped = tty.text.length;
    p.stop();
    p.clear();
    expect(tty.text.length).toBe(stopped);
  });

  it("never draws for a run shorter than the delay", () => {
    const tty = new FakeTty();
    const p = createProgress(tty, { label: "none", delayMs: 60_000 });
    p.update(10, 20);
    p.update(20, 20);
    p.stop();
    expect(tty.text).toBe("");
  });

  it("counts what it is told to (the kit's checks, an exploration's executions)", () => {
    const tty = new FakeTty();
    let now = 0;
    const p = createProgress(tty, { label: "conformance pt-reclaim", unit: "checks", now: () => now });
    now = 2000;
    p.update(3, 17);
    expect(tty.text).toContain("| 3/17 checks |");
    p.stop();
  });
});
