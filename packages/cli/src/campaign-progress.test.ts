/**
 * The progress bars of the kit and of an explore shard: which check / execution
 * of how many, on the terminal only. The bar appears once a run has gone on for
 * $MMSIM_PROGRESS_DELAY_MS (default 1 s); these runs set it to 0, so that a fast
 * machine still draws it.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { barsWithoutDelay } from "./testing.js";
import { main } from "./cli.js";
import { bufferIo, type Io } from "./io.js";

class FakeTty extends Writable {
  readonly isTTY = true;
  readonly columns = 120;
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** `mmsim ...argv` with a terminal for the bar; resolves to what was drawn and printed. */
async function withTty(argv: string[]): Promise<{ tty: string; stdout: string; code: number }> {
  const tty = new FakeTty();
  const buf = bufferIo();
  const io: Io = { out: buf.out, err: buf.err, progress: tty, cwd: buf.cwd };
  const code = await main(argv, io);
  return { tty: tty.text, stdout: buf.stdout, code };
}

describe("campaign progress bars", () => {
  barsWithoutDelay();

  it("conformance: the kit's checks, counted; stdout as without a terminal", async () => {
    const argv = ["conformance", "pt-reclaim", "--budget", "3", "--fuzz-runs", "2", "--shard", "1/3"];
    const r = await withTty(argv);
    expect(r.tty).toMatch(/conformance pt-reclaim shard 1\/3 \[.*\| \d+\/\d+ checks \|/);
    const plain = bufferIo();
    await main(argv, plain);
    expect(r.stdout).toBe(plain.stdout);
  }, 600_000);

  it("explore: the exploration's executions, counted (as --shard's); stdout as without a terminal", async () => {
    const argv = ["explore", "fault-vs-dontneed", "--reclaim", "pt-reclaim", "--budget", "30"];
    const r = await withTty(argv);
    expect(r.code).toBe(0);
    expect(r.tty).toMatch(/explore fault-vs-dontneed \[.*\| 30\/30 executions \|/);
    const plain = bufferIo();
    await main(argv, plain);
    expect(r.stdout).toBe(plain.stdout);
    expect((await withTty([...argv, "--json"])).tty).toBe(""); // never with --json
  }, 600_000);

  it("explore --shard: the shard's executions, counted", async () => {
    const r = await withTty(["explore", "fault-vs-dontneed", "--reclaim", "pt-reclaim", "--strategy", "random", "--budget", "400", "--shard", "2/2"]);
    expect(r.code).toBe(0);
    expect(r.tty).toMatch(/explore fault-vs-dontneed shard 2\/2 \[.*\| \d+\/200 executions \|/);
  }, 600_000);
});
