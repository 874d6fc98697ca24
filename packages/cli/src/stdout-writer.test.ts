/**
 * io.ts's stdoutWriter(): standard output written to its file descriptor with
 * fs.writeSync, no process.stdout. Checked: every byte in order to a file; a
 * descriptor that would block (a non-blocking FIFO, full) hands the rest to the
 * stream, and every later write too, in order (mutant "no-fallback": the
 * EAGAIN escapes); a reader gone is OutputClosed; the built bin's plain run
 * makes no process.stdout (no internal/fs/sync_write_stream for a file, no
 * net.Socket for a pipe) and prints the same bytes to a file and to a pipe; with
 * stderr a pipe, core loads once, from its real path (the check of stderr for a
 * terminal once left Node's realpath of the symlinked package unresolved: io.ts
 * stderrIsTerminal(); caught with a plain fstatSync there).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, constants, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { OutputClosed, set_stdout_mutant, stdoutWriter } from "./io.js";
import { tempDir } from "./testing.js";

const MMSIM = fileURLToPath(new URL("../dist/mmsim.js", import.meta.url));
const built = existsSync(MMSIM);

/** A stand-in for process.stdout that keeps what is written to it. */
function fakeStream(): { stream: NodeJS.WriteStream; chunks: string[] } {
  const chunks: string[] = [];
  const stream = {
    destroyed: false,
    listenerCount: () => 1,
    on: () => stream,
    write: (chunk: string | Uint8Array) => chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")),
  } as unknown as NodeJS.WriteStream;
  return { stream, chunks };
}

afterEach(() => set_stdout_mutant(null));

describe.skipIf(process.platform === "win32")("stdoutWriter", () => {
  it("writes every byte, in order, to the descriptor (a file), and makes no stream", () => {
    const file = join(tempDir(), "out.txt");
    const fd = openSync(file, "w");
    let made = 0;
    const out = stdoutWriter(fd, () => (made++, fakeStream().stream));
    const text = ["status a\n", "é → §\n", "x".repeat(200_000), "\n", ""];
    for (const t of text) out(t);
    closeSync(fd);
    expect(readFileSync(file, "utf8")).toBe(text.join(""));
    expect(made).toBe(0);
  });

  it("hands the rest of a write that would block, and every later write, to the stream (mutant no-fallback caught)", () => {
    const fifo = join(tempDir(), "fifo");
    execFileSync("mkfifo", [fifo]);
    const run = (mutant: boolean): { direct: string; queued: string } => {
      set_stdout_mutant(mutant ? "no-fallback" : null);
      // Read-write and non-blocking: the FIFO takes 64 KiB, then a write throws EAGAIN.
      const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
      try {
        const { stream, chunks } = fakeStream();
        const out = stdoutWriter(fd, () => stream);
        for (let i = 0; i < 40; i++) out(`${String(i).padStart(2, "0")}:${"y".repeat(4093)}\n`); // 4 KiB a line, 160 KiB in all
        let direct = "";
        const buf = Buffer.alloc(1 << 16);
        for (;;) {
          try {
            const n = readSync(fd, buf);
            if (n === 0) break;
            direct += buf.toString("latin1", 0, n);
          } catch {
            break; // EAGAIN: drained
          }
        }
        return { direct, queued: chunks.join("") };
      } finally {
        closeSync(fd);
      }
    };
    const { direct, queued } = run(false);
    const all = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(2, "0")}:${"y".repeat(4093)}\n`).join("");
    expect(direct.length).toBeGreaterThan(0);
    expect(queued.length).toBeGreaterThan(0);
    expect(direct + queued).toBe(all);
    expect(() => run(true)).toThrow(/EAGAIN/);
  });

  it("a reader gone (EPIPE) is OutputClosed", () => {
    const fifo = join(tempDir(), "fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const fd = openSync(fifo, constants.O_WRONLY);
    closeSync(reader);
    try {
      const out = stdoutWriter(fd, () => fakeStream().stream);
      expect(() => out("lost\n")).toThrow(OutputClosed);
    } finally {
      closeSync(fd);
    }
  });

  it.skipIf(!existsSync("/dev/full"))("a descriptor that cannot take the bytes (ENOSPC) is a one-line CliError, not an internal error", () => {
    const fd = openSync("/dev/full", "w");
    try {
      const out = stdoutWriter(fd, () => fakeStream().stream);
      let thrown: unknown;
      try {
        out("lost\n");
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CliError);
      expect((thrown as CliError).message).toBe("cannot write standard output: no space left on device");
      expect((thrown as CliError).exitCode).toBe(1);
    } finally {
      closeSync(fd);
    }
  });
});

describe.skipIf(!built || process.platform === "win32")("the bin's standard output", () => {
  it("a plain run makes no process.stdout, and prints the same bytes to a file and to a pipe", () => {
    const dir = tempDir({ "hook.cjs": "process.on('exit', () => require('node:fs').writeSync(2, 'MODULES ' + process.moduleLoadList.join(',') + '\\n'));\n" });
    const args = ["--require", join(dir, "hook.cjs"), MMSIM, "run", "seed-small", "--reclaim", "pt-reclaim"];
    const fd = openSync(join(dir, "out.txt"), "w");
    const toFile = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", fd, "pipe"] });
    closeSync(fd);
    const toPipe = spawnSync(process.execPath, args, { encoding: "utf8" });
    expect([toFile.status, toPipe.status]).toEqual([0, 0]);
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe(toPipe.stdout);
    expect(toPipe.stdout).toMatch(/^before dVmSize=[\s\S]*\ncounters:\npgfault: /);
    const modules = (r: typeof toFile) => r.stderr.split("\n").find((l) => l.startsWith("MODULES "))!.split(",");
    expect(modules(toFile)).toContain("NativeModule fs"); // the list is there
    expect(modules(toFile)).not.toContain("NativeModule internal/fs/sync_write_stream");
    expect(modules(toPipe)).not.toContain("NativeModule net");
  });

  it("with stderr a pipe, core loads once, from its real path (not node_modules' symlink), for `run` and `compare`", () => {
    for (const args of [["run", "seed-small", "--reclaim", "pt-reclaim"], ["compare", "seed-small", "--reclaim", "none,pt-reclaim"]]) {
      const r = spawnSync(process.execPath, [MMSIM, ...args], { encoding: "utf8", env: { ...process.env, MMSIM_CODE_CACHE_DEBUG: "1" } });
      expect(r.status).toBe(0);
      const loads = r.stderr.split("\n").filter((l) => l.startsWith("mmsim code cache: "));
      expect(loads).toHaveLength(1);
      expect(loads[0]).not.toMatch(/node_modules/);
    }
  });
});
