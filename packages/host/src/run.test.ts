import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED } from "@mmsim/core";
import { ADVICE, parseScript, PROT_BITS, resolveScript, runScript, type Prot, type Script } from "@mmsim/core/workload";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, test } from "vitest";
import { HostProtocolError } from "./errors.js";
import { HELLO } from "./protocol.js";
import { linesFromResponses, runOnHost, type HelperOutput } from "./run.js";

const script = (text: string): Script => parseScript(text, "t.wl");
const ops = (text: string) => [...resolveScript(script(text))];

/**
 * A helper that speaks the protocol in TypeScript over a simulated process,
 * with the C helper's semantics (MAP_FAILED is -1; syscalls on it are made at
 * -1 + OFFSET; touches of it answer segv).
 */
function simHelper(input: string): HelperOutput {
  const p = new Engine({ arch: x86_64(), reclaim: ptReclaim() }).spawn();
  const names = new Map<string, number>();
  const out = [HELLO];
  const rc = (r: number) => (r < 0 ? `err ${-r}` : "ok");
  for (const line of input.split("\n")) {
    if (line === "") continue;
    const f = line.split(" ");
    switch (f[0]) {
      case "mmap": {
        const [, name, size, prot, shared, thp, addr] = f;
        const flags = MAP_ANONYMOUS | (shared === "1" ? MAP_SHARED : MAP_PRIVATE) | (addr !== "-" ? MAP_FIXED_NOREPLACE : 0);
        const r = p.mmap(addr === "-" ? 0 : Number(addr), Number(size), PROT_BITS[prot as Prot], flags);
        names.set(name, r < 0 ? -1 : r);
        if (r < 0) out.push(`err ${-r}`);
        else if (thp !== "-") {
          const m = p.madvise(r, Number(size), ADVICE[thp as "hugepage"]);
          out.push(m < 0 ? `err-madvise ${-m}` : "ok");
        } else out.push("ok");
        break;
      }
      case "touch": {
        const base = names.get(f[1])!;
        const r = base === -1 ? "SIGSEGV" : p.touch(base + Number(f[2]), Number(f[3]), f[4] === "1", Number(f[5]));
        out.push(r === "ok" ? "ok" : r === "SIGBUS" ? "sigbus" : "segv");
        break;
      }
      case "madvise":
        out.push(rc(p.madvise(names.get(f[1])! + Number(f[2]), Number(f[3]), Number(f[4]))));
        break;
      case "munmap":
        out.push(rc(p.munmap(names.get(f[1])! + Number(f[2]), Number(f[3]))));
        break;
      case "mprotect":
        out.push(rc(p.mprotect(names.get(f[1])! + Number(f[2]), Number(f[3]), PROT_BITS[f[4] as Prot])));
        break;
      case "status": {
        const s = p.status();
        out.push(`status ${s.VmSize} ${s.VmRSS} ${s.VmPTE} ${s.VmSwap}`);
        break;
      }
      default:
        out.push("bad unknown operation");
    }
  }
  return { status: 0, signal: null, stdout: out.join("\n") + "\n", stderr: "" };
}

const SCRIPT = `
mmap heap 8M @0x200000000000
status before
repeat 4
  touch heap i*2M 2M
  madvise heap i*2M 2M dontneed
end
status after
mmap clash 4K @0x200000000000
touch clash 0 4K
madvise clash 0 4K dontneed
munmap heap 1 4K
mprotect heap 0 4K none
touch heap 0 4K read
mmap thp 4M hugepage @0x208000000000
touch thp 0 4M
status thp
madvise heap 0 16M dontneed
mmap big 4M shared @0x210000000000
touch big 0 4M read 64K
status end
`;

describe("runOnHost through a protocol-speaking fake helper", () => {
  test("prints exactly the simulator's lines", () => {
    const sent: string[] = [];
    const r = runOnHost(script(SCRIPT), {
      helper: "/fake/mmsim-host",
      exec: (helper, input) => {
        expect(helper).toBe("/fake/mmsim-host");
        sent.push(input);
        return simHelper(input);
      },
    });
    const sim = runScript(script(SCRIPT), new Engine({ arch: x86_64(), reclaim: ptReclaim() }).spawn());
    expect(r.lines).toEqual(sim.lines);
    expect(r.statuses).toEqual(sim.statuses);
    expect(r.lines).toContain("mmap-error File exists");
    expect(r.lines).toContain("touch-error Segmentation fault");
    expect(sent).toHaveLength(1);
    expect(sent[0].split("\n")[0]).toBe("mmap heap 8388608 rw 0 - 0x200000000000");
    expect(sent[0].endsWith("status end\n")).toBe(true);
  });
});

describe("linesFromResponses", () => {
  const o = ops("mmap a 4K hugepage\nstatus s0\ntouch a 0 4K\nmunmap a 1 4K\nstatus s1\ntouch a 0 8K");

  test("maps replies to runScript's lines", () => {
    const out = [HELLO, "err-madvise 22", "status 100 50 8 0", "ok", "err 22", "status 104 58 12 0", "sigbus", ""].join("\n");
    const r = linesFromResponses(o, out);
    expect(r.lines).toEqual([
      "madvise-error Invalid argument",
      "s0 dVmSize=0 dVmRSS=0 dVmPTE=0",
      "munmap-error Invalid argument",
      "s1 dVmSize=4 dVmRSS=8 dVmPTE=4",
      "touch-error Bus error",
    ]);
    expect(r.statuses).toEqual([
      { label: "s0", VmSize: 100, VmRSS: 50, VmPTE: 8 },
      { label: "s1", VmSize: 104, VmRSS: 58, VmPTE: 12 },
    ]);
  });

  test("errno text comes from core's strerror", () => {
    const r = linesFromResponses(ops("mmap a 4K"), `${HELLO}\nerr 95\n`);
    expect(r.lines).toEqual(["mmap-error Unknown error 95"]);
    expect(linesFromResponses(ops("mmap a 4K"), `${HELLO}\nerr 17\n`).lines).toEqual(["mmap-error File exists"]);
  });

  const bad: [string, string, RegExp][] = [
    ["no hello", "ok\n", /did not say "hello mmsim-host 2"/],
    ["empty output", "", /got no output/],
    ["short", `${HELLO}\nok\nstatus 1 2 3 0\n`, /replied 2 lines to 6 requests \(no reply to touch at t.wl:3:1\)/],
    ["long", `${HELLO}\nok\nstatus 1 2 3 0\nok\nok\nstatus 1 2 3 0\nok\nok\n`, /replied 7 lines to 6 requests/],
    ["garbage", `${HELLO}\nok\nstatus 1 2\nok\nok\nstatus 1 2 3 0\nok\n`, /unrecognised helper response "status 1 2" to status at t.wl:2:1/],
    ["wrong kind", `${HELLO}\nok\nok\nok\nok\nstatus 1 2 3 0\nok\n`, /replied "ok" to status at t.wl:2:1 \(expected status\)/],
    ["touch err", `${HELLO}\nok\nstatus 1 2 3 0\nerr 14\nok\nstatus 1 2 3 0\nok\n`, /replied "err 14" to touch/],
    ["bad", `${HELLO}\nbad mmap operands\nstatus 1 2 3 0\nok\nok\nstatus 1 2 3 0\nok\n`, /rejected request "mmap a 4096 rw 0 hugepage -" \(t.wl:1:1\): mmap operands/],
    ["no final newline", `${HELLO}\nok\nstatus 1 2 3 0\nok\nok\nstatus 1 2 3 0\nok`, /does not end with a newline/],
  ];
  test.each(bad)("%s is a clear protocol error", (_what, out, re) => {
    expect(() => linesFromResponses(o, out)).toThrow(HostProtocolError);
    expect(() => linesFromResponses(o, out)).toThrow(re);
  });
});

describe("runOnHost failures", () => {
  const s = script("mmap a 4K\nstatus s\ntouch a 0 4K");
  test("a helper that dies names the request it died on", () => {
    const exec = (): HelperOutput => ({ status: null, signal: "SIGKILL", stdout: `${HELLO}\nok\n`, stderr: "" });
    expect(() => runOnHost(s, { helper: "h", exec })).toThrow(/killed by SIGKILL.*no reply to status at t.wl:2:1/);
  });
  test("a non-zero exit with stderr", () => {
    const exec = (): HelperOutput => ({ status: 3, signal: null, stdout: "", stderr: "write failed\n" });
    expect(() => runOnHost(s, { helper: "h", exec })).toThrow(/exited with status 3: write failed/);
  });
  test("a helper that cannot start", () => {
    const exec = (): HelperOutput => ({ status: null, signal: null, stdout: "", stderr: "", error: new Error("spawn h ENOENT") });
    expect(() => runOnHost(s, { helper: "h", exec })).toThrow(/running the helper h failed: spawn h ENOENT/);
  });
  test("bad operands are ScriptErrors before anything runs", () => {
    let ran = false;
    const exec = (): HelperOutput => {
      ran = true;
      return { status: 0, signal: null, stdout: "", stderr: "" };
    };
    expect(() => runOnHost(script("repeat 2 as k\n mmap a 4K-k*8K\nend"), { helper: "h", exec })).toThrow(/t.wl:2/);
    expect(ran).toBe(false);
  });
});

describe("HostProtocolError", () => {
  test("is an Error with its name", () => {
    const e = new HostProtocolError("x");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("HostProtocolError");
  });
});
