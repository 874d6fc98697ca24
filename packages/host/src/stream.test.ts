/**
 * runOnHostStreaming(): a `repeat` of 10^12 iterations starts at once and is
 * never unrolled (a fake helper stops after 50,000 requests: the run ends
 * there, with the lines so far delivered as they came); on the real kernel its
 * lines are runOnHost()'s, byte for byte.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseScript } from "@mmsim/core/workload";
import { afterAll, describe, expect, test } from "vitest";
import { findSystemCompiler } from "./compile.js";
import { HELLO } from "./protocol.js";
import { runOnHost } from "./run.js";
import { runOnHostStreaming } from "./stream.js";

const tmp = mkdtempSync(join(tmpdir(), "mmsim-stream-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A helper in JavaScript: `ok` to everything, `status 4 8 12 0` to status; exits after `limit` requests. */
function fakeHelper(limit: number): string {
  const file = join(tmp, `fake-${limit}.mjs`);
  writeFileSync(
    file,
    `import { createInterface } from "node:readline";
let n = 0;
const out = [${JSON.stringify(HELLO)}];
const flush = () => { if (out.length) { process.stdout.write(out.join("\\n") + "\\n"); out.length = 0; } };
const rl = createInterface({ input: process.stdin });
rl.on("line", (l) => {
  out.push(l.startsWith("status") ? "status 4 8 12 0" : "ok");
  if (++n === ${limit}) { flush(); process.exit(0); }
  if (out.length > 512) flush();
});
rl.on("close", () => { flush(); process.exit(0); });
`,
  );
  return file;
}
const start = (file: string) => () => spawn(process.execPath, [file], { stdio: ["pipe", "pipe", "pipe"] });
const script = (text: string) => parseScript(text, "t.wl");

describe("runOnHostStreaming", () => {
  test("repeat 1000000000000: starts at once, never unrolled; the helper stopping early is reported with the request it left", async () => {
    const seen: string[] = [];
    let sent = 0;
    const t0 = performance.now();
    const run = runOnHostStreaming(script("mmap a 4K\nstatus s0\nrepeat 1000000000000\n  touch a 0 4K\nend\nstatus s1\n"), {
      helper: "fake",
      start: start(fakeHelper(50_000)),
      onLine: (l) => seen.push(l),
      onRequest: (n) => void (sent = n),
    });
    await expect(run).rejects.toThrow(/^helper replied 50000 lines to \d+ requests \(no reply to touch at t\.wl:4:3\)$/);
    expect(seen).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0"]);
    expect(sent).toBeGreaterThanOrEqual(50_000);
    expect(sent).toBeLessThan(1_000_000); // bounded by the pipes, not the script
    expect(performance.now() - t0).toBeLessThan(60_000);
  }, 600_000);

  test("a whole run of 200,000 requests: the lines of runOnHost with the same helper", async () => {
    const text = "mmap a 4K\nstatus s0\nrepeat 100000\n  touch a 0 4K\n  madvise a 0 4K dontneed\nend\nstatus s1\n";
    const streamed = await runOnHostStreaming(script(text), { helper: "fake", start: start(fakeHelper(-1)) });
    const exec = (_h: string, input: string) => ({
      status: 0,
      signal: null,
      stdout: [HELLO, ...input.trimEnd().split("\n").map((l) => (l.startsWith("status") ? "status 4 8 12 0" : "ok"))].join("\n") + "\n",
      stderr: "",
    });
    expect(streamed).toEqual(runOnHost(script(text), { helper: "fake", exec }));
    expect(streamed.lines).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=0 dVmRSS=0 dVmPTE=0"]);
  }, 600_000);

  test("an operand bad only in the middle of a loop: the lines before it are printed, as `mmsim run` prints them, then the ScriptError", async () => {
    const seen: string[] = [];
    // OFFSET 500000 + i*i - 2000*i is fine at i = 0 and i = 2000 (what resolveScript checks first) and negative at i = 1000.
    const run = runOnHostStreaming(script("mmap a 1G\nstatus s0\nrepeat 2001\n  touch a 500000+i*i-2000*i 4K\n  status t\nend\nstatus s1\n"), {
      helper: "fake",
      start: start(fakeHelper(-1)),
      onLine: (l) => seen.push(l),
    });
    await expect(run).rejects.toThrow(/^t\.wl:4:11: OFFSET must not be negative$/);
    // s0, then t after each touch of i = 0..292 (the OFFSET first goes negative at i = 293).
    expect(seen).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", ...Array<string>(293).fill("t dVmSize=0 dVmRSS=0 dVmPTE=0")]);
  });

  test('keep "ends": every line goes to onLine, the result keeps no line and the first and last status line only', async () => {
    const text = "mmap a 4K\nstatus s0\nrepeat 100000\n  status s\nend\nstatus s1\n";
    const seen: string[] = [];
    const r = await runOnHostStreaming(script(text), { helper: "fake", start: start(fakeHelper(-1)), keep: "ends", onLine: (l) => seen.push(l) });
    const all = await runOnHostStreaming(script(text), { helper: "fake", start: start(fakeHelper(-1)) });
    expect(seen).toEqual(all.lines);
    expect(seen.length).toBe(100_002);
    expect(r.lines).toEqual([]);
    expect(r.statuses.map((s) => s.label)).toEqual(["s0", "s1"]);
  }, 600_000);

  test("a helper that is not one: no hello", async () => {
    const file = join(tmp, "mute.mjs");
    writeFileSync(file, `process.stdin.resume(); process.stdin.on("end", () => process.stdout.write("hi\\n"));\n`);
    await expect(runOnHostStreaming(script("status s0\n"), { helper: "x", start: start(file) })).rejects.toThrow(`helper did not say ${JSON.stringify(HELLO)} (got "hi")`);
  });

  test.skipIf(process.platform !== "linux" || findSystemCompiler() === null)("on this kernel: the same lines as runOnHost", async () => {
    const opts = { compile: { cacheDir: tmp } };
    const text = "mmap a 8M @0x200000000000 nohugepage\nstatus s0\nrepeat 2000 as i\n  touch a i*4K 4K\n  madvise a i*4K 4K dontneed\nend\nstatus s1\nmadvise a 0 8M dontneed\nstatus s2\nmunmap a 8M 4K\n";
    const streamed = await runOnHostStreaming(script(text), opts);
    const synced = runOnHost(script(text), opts);
    expect(streamed.lines.join("\n")).toBe(synced.lines.join("\n"));
    expect(streamed.lines.length).toBe(3);
  }, 600_000);
});

describe("checkHostStreaming", () => {
  test.skipIf(process.platform !== "linux" || findSystemCompiler() === null)("on this kernel: the report checkHost gives, for corpus scripts and a large repeat", async () => {
    const { checkHost, checkHostStreaming } = await import("./check.js");
    const { ptReclaim } = await import("@mmsim/reclaim-pt-reclaim");
    const scripts = [
      script("mmap a 8M @0x200000000000 nohugepage\nstatus s0\nrepeat 2048 as i\n  touch a i*4K 4K\nend\nstatus s1\nmadvise a 0 8M dontneed\nstatus s2\nrepeat 20000\n  touch a 0 4K\n  madvise a 0 4K dontneed\nend\nstatus s3\n"),
      parseScript("mmap a 4K @0x200000000000\nstatus s0\nmunmap a 4K 4K\ntouch a 8K 4K\nstatus s1\n", "errors.wl"),
    ];
    // Fixed addresses: under ASLR an 8M mapping may straddle a 1G boundary in one run and not the next (one more PMD table).
    const opts = { reclaim: () => ptReclaim(), host: { compile: { cacheDir: tmp } } };
    expect(await checkHostStreaming(scripts, opts)).toEqual(checkHost(scripts, opts));
  }, 600_000);
});
