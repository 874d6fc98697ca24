/** The machine statements (`ram`, `sysctl vm.overcommit_*`, `thp`) and `mmap ... noreserve`: parsing, errors with their location, and their effect. */
import { x86_64 } from "@mmsim/arch-x86_64";
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import { parseScript } from "./parser.js";
import { resolveScript } from "./resolve.js";
import { runScript, type Backend } from "./runner.js";

const engine = () => new Engine({ arch: x86_64() });
const run = (text: string, e = engine()) => runScript(parseScript(text, "t.wl"), e.spawn()).lines;
const parseError = (text: string) => {
  try {
    void [...resolveScript(parseScript(text, "t.wl"))];
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
};

describe("ram, sysctl, thp and noreserve", () => {
  it("resolve to what the engine is given", () => {
    const ops = [...resolveScript(parseScript("ram 1T\nsysctl vm.overcommit_memory=2\nthp never\nmmap a 2M noreserve\n", "t.wl"))];
    expect(ops.map(({ loc: _, ...o }) => o)).toEqual([
      { op: "ram", size: 2 ** 40 },
      { op: "sysctl", name: "vm.overcommit_memory", value: 2 },
      { op: "thp", mode: "never" },
      { op: "mmap", name: "a", size: 2 * 2 ** 20, prot: "rw", shared: false, thp: null, addr: null, noreserve: true },
    ]);
  });

  it("refuse bad operands with file:line:col", () => {
    expect(parseError("sysctl vm.swappiness=10\n")).toBe("t.wl:1:8: sysctl: unknown or unsupported sysctl 'vm.swappiness' (expected vm.overcommit_memory, vm.overcommit_ratio, vm.overcommit_kbytes)");
    expect(parseError("sysctl vm.overcommit_memory\n")).toBe("t.wl:1:8: sysctl: expected NAME=VALUE, found 'vm.overcommit_memory'");
    expect(parseError("sysctl vm.overcommit_memory=\n")).toBe("t.wl:1:29: sysctl: expected a value after 'vm.overcommit_memory='");
    expect(parseError("thp sometimes\n")).toBe("t.wl:1:5: thp: unknown THP mode 'sometimes' (expected always|madvise|never)");
    expect(parseError("mmap a 4K\nram 1G\n")).toBe("t.wl:2:1: ram: must come before the first mmap (it sizes the machine the script runs on)");
    expect(parseError("ram 1G\nram 1G\n")).toBe("t.wl:2:1: ram: given twice (the machine's RAM is set once)");
    expect(parseError("ram 4097\n")).toBe("t.wl:1:5: ram: SIZE 4097 must be a positive multiple of 4096");
    expect(parseError("mmap a 4K noreserve noreserve\n")).toBe("t.wl:1:21: mmap: 'noreserve' given twice ('noreserve')");
  });

  it("change what the kernel decides: RAM and the overcommit mode decide a large mapping, noreserve skips the charge, a bad value is EINVAL", () => {
    const big = "mmap a 300G\nmmap b 300G noreserve\n";
    expect(run(big)).toEqual(["mmap-error Cannot allocate memory"]); // 256 GiB of RAM by default
    expect(run(`ram 1T\n${big}`)).toEqual([]);
    expect(run(`sysctl vm.overcommit_memory=1\n${big}`)).toEqual([]);
    // Mode 2: CommitLimit is half of 1 TiB; the second 300 GiB is refused, MAP_NORESERVE being ignored.
    expect(run(`ram 1T\nsysctl vm.overcommit_memory=2\n${big}`)).toEqual(["mmap-error Cannot allocate memory"]);
    expect(run(`ram 1T\nsysctl vm.overcommit_memory=2\nsysctl vm.overcommit_ratio=100\n${big}`)).toEqual([]);
    expect(run("sysctl vm.overcommit_memory=3\n")).toEqual(["sysctl-error Invalid argument"]);
  });

  it("thp sets the machine's THP mode for the mappings after it", () => {
    const e = engine();
    run("thp always\nmmap a 4M\ntouch a 0 4K\nstatus s\n", e);
    expect(e.k.thp.enabled).toBe("always");
    // A huge page: 2 MiB resident, and VmPTE counts the PTE table deposited for it.
    expect(run("thp always\nmmap a 4M @0x200000000000\nstatus s0\ntouch a 0 4K\nstatus s1\n")).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=0 dVmRSS=2048 dVmPTE=12"]);
    expect(run("thp never\nmmap a 4M @0x200000000000\nstatus s0\ntouch a 0 4K\nstatus s1\n")).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=0 dVmRSS=4 dVmPTE=12"]);
  });

  it("a backend that cannot change the machine says so, at the statement", () => {
    const p = engine().spawn();
    const bare: Backend = { mmap: p.mmap.bind(p), munmap: p.munmap.bind(p), mprotect: p.mprotect.bind(p), madvise: p.madvise.bind(p), touch: p.touch.bind(p), status: p.status.bind(p) };
    expect(() => runScript(parseScript("mmap a 4K\nsysctl vm.overcommit_memory=1\n", "t.wl"), bare)).toThrow("t.wl:2:1: sysctl: this backend cannot write sysctls");
  });
});
