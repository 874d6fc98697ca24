/**
 * The progress bar on a real terminal, where stdout, stderr and the bar share one
 * screen: with the bar, the screen must end up showing what it shows without one,
 * with the cursor in the same place (where the shell prints its next prompt).
 * cli-progress turns auto-wrap off while its bar is up and, when it stops, moves
 * the cursor back to where the bar started; `run` and `conformance` print lines
 * in between, so without care long lines (a replay command) were cut at the
 * terminal's width and the next prompt landed in the middle of the report.
 *
 * `Screen` is a small VT100 model of what these programs write: printable text,
 * \r, \n (the tty's onlcr: a new line at column 0), ESC 7 / ESC 8 (save and
 * restore the cursor), CSI ?7h / ?7l (auto-wrap), CSI n G, CSI 2K / 0K / K.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { barsWithoutDelay } from "./testing.js";
import { main } from "./cli.js";
import type { Io } from "./io.js";
import { createProgress } from "./progress.js";

class Screen {
  readonly rows: string[][] = [[]];
  row = 0;
  col = 0;
  private saved = { row: 0, col: 0 };
  private wrap = true;
  constructor(readonly cols: number) {}

  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === "\x1b") {
        const next = text[i + 1];
        if (next === "7") {
          this.saved = { row: this.row, col: this.col };
          i++;
        } else if (next === "8") {
          this.row = this.saved.row;
          this.col = this.saved.col;
          i++;
        } else if (next === "[") {
          const m = /^\[(\??)([0-9;]*)([A-Za-z])/.exec(text.slice(i + 1));
          if (!m) throw new Error(`unknown escape at ${JSON.stringify(text.slice(i, i + 8))}`);
          i += m[0].length;
          this.csi(m[1], m[2], m[3]);
        } else throw new Error(`unknown escape ESC ${next}`);
      } else if (c === "\r") this.col = 0;
      else if (c === "\n") {
        this.row++;
        this.col = 0;
        this.line();
      }
      else this.put(c);
    }
  }

  private csi(priv: string, params: string, final: string): void {
    if (priv === "?" && params === "7") this.wrap = final === "h";
    else if (final === "G") this.col = Math.max(0, Number(params || "1") - 1);
    else if (final === "K") {
      const line = this.line();
      if (params === "2") line.length = 0;
      else line.length = Math.min(line.length, this.col);
    }
  }

  private line(): string[] {
    while (this.rows.length <= this.row) this.rows.push([]);
    return this.rows[this.row];
  }

  private put(c: string): void {
    if (this.col >= this.cols) {
      if (this.wrap) {
        this.row++;
        this.col = 0;
      } else this.col = this.cols - 1; // auto-wrap off: the last column is overwritten
    }
    const line = this.line();
    while (line.length < this.col) line.push(" ");
    line[this.col++] = c;
  }

  /** The screen's text, one string per row, trailing blanks dropped; then the cursor's row and column. */
  dump(): string {
    return this.rows.map((r) => r.join("").trimEnd()).join("\n") + `\n@${this.row},${this.col}`;
  }
}

/** A terminal's file: everything written goes to the screen. */
class Tty extends Writable {
  readonly isTTY = true;
  constructor(readonly screen: Screen) {
    super();
  }
  get columns(): number {
    return this.screen.cols;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.screen.write(chunk.toString());
    done();
  }
}

/** `mmsim ...argv` with stdout, stderr and the bar all on one screen (`bar` false: no bar, as with a pipe). */
async function onScreen(argv: string[], cols: number, bar: boolean): Promise<string> {
  const screen = new Screen(cols);
  const tty = new Tty(screen);
  const io: Io = { out: (s) => screen.write(s), err: (s) => screen.write(s.replace(/\d+\.\d+ s/g, "T s")), progress: bar ? tty : null, cwd: process.cwd() };
  await main(argv, io);
  return screen.dump();
}

describe("the progress bar on a terminal shared with the output", () => {
  barsWithoutDelay();

  it("lines printed between updates wrap, and the cursor ends after the last one", () => {
    const screen = new Screen(40);
    const tty = new Tty(screen);
    let now = 0;
    const p = createProgress(tty, { label: "x", now: () => now, delayMs: 0 });
    p.update(1, 4);
    for (let i = 2; i <= 4; i++) {
      p.clear();
      screen.write(`line ${i}: ${"y".repeat(50)} end\n`);
      now += 10;
      p.update(i, 4);
    }
    p.stop();
    screen.write("$ ");
    const plain = new Screen(40);
    for (let i = 2; i <= 4; i++) plain.write(`line ${i}: ${"y".repeat(50)} end\n`);
    plain.write("$ ");
    expect(screen.dump()).toBe(plain.dump());
  });

  it("conformance: the report as without a bar, long lines whole, the prompt after it", async () => {
    const argv = ["conformance", "pt-reclaim", "--budget", "2", "--fuzz-runs", "2", "--shard", "1/3"];
    const withBar = await onScreen(argv, 100, true);
    expect(withBar).toContain("shard 1/3: 10 of 29 checks; 10 passed, 0 failed");
    expect(withBar).toBe(await onScreen(argv, 100, false));
  }, 600_000);

  it("run: status lines as without a bar", async () => {
    const argv = ["run", "seed-small", "--reclaim", "pt-reclaim"];
    expect(await onScreen(argv, 30, true)).toBe(await onScreen(argv, 30, false));
  }, 600_000);
});
