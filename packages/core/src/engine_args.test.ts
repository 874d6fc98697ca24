/**
 * The Engine / Process API used wrongly from a user's program: each mistake is
 * an error naming the option or argument (a config error, or a RangeError for
 * the user loop's bounds), never a TypeError from deep inside, a hang or an
 * allocation that exhausts the host; and user accesses outside user space
 * raise SIGSEGV as on Linux.
 */
import { describe, expect, it } from "vitest";
import { isMmsimError } from "@mmsim/spec";
import { Engine, type EngineOptions } from "./engine.js";
import { MAX_NR_CPUS } from "./kernel.js";
import { arch } from "./test/arch.js";
import { M, RW } from "./test/helpers.js";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE } from "./mm/mmap.js";

function configError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isMmsimError(e, "config-error"), String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error("no error");
}

describe("Engine options", () => {
  it("refuses a missing or wrong arch, naming the option", () => {
    expect(configError(() => new Engine(undefined as unknown as EngineOptions))).toMatch(/^KernelOptions: undefined is not an options object/);
    expect(configError(() => new Engine({} as EngineOptions))).toMatch(/^KernelOptions\.arch: missing/);
    expect(configError(() => new Engine({ arch: null } as unknown as EngineOptions))).toMatch(/^KernelOptions\.arch: null is not an arch/);
    expect(configError(() => new Engine({ arch: "x86_64" } as unknown as EngineOptions))).toMatch(/^KernelOptions\.arch: "x86_64" is not an arch/);
  });

  it("refuses a number of CPUs that is not an integer from 1 to MAX_NR_CPUS (0 used to fail at the first syscall, 1e9 to exhaust the heap)", () => {
    for (const n of [0, -1, 1.5, NaN, MAX_NR_CPUS + 1, 1e9, "4"]) {
      expect(configError(() => new Engine({ arch, nr_cpus: n as number }))).toMatch(/^KernelOptions\.nr_cpus: .* is not a number of CPUs \(an integer from 1 to 8192\)$/);
    }
    const p = new Engine({ arch, nr_cpus: 1 }).spawn();
    expect(p.mmap(0, 4096, RW, MAP_ANONYMOUS | MAP_PRIVATE)).toBeGreaterThan(0);
  });

  it("refuses an unknown THP mode", () => {
    expect(configError(() => new Engine({ arch, thp: "sometimes" as "always" }))).toBe('KernelOptions.thp: "sometimes" is not "always", "madvise" or "never"');
  });

  it("spawn() refuses a CPU the engine does not have", () => {
    const e = new Engine({ arch, nr_cpus: 2 });
    for (const cpu of [2, 99, -1, 1.5, NaN]) expect(configError(() => e.spawn(cpu))).toMatch(/^Engine\.spawn\(\): cpu .* is not a CPU of this engine \(0 to 1: KernelOptions\.nr_cpus is 2\)$/);
    expect(e.spawn(1).task.cpu).toBe(1);
  });
});

describe("Process user accesses", () => {
  const S = 0x10000000;
  function mapped() {
    const p = new Engine({ arch }).spawn();
    p.mmap(S, 4 * M, RW, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED);
    expect(p.touch(S, 4096, true)).toBe("ok");
    return p;
  }

  it("an address outside user space is SIGSEGV, never a user page it aliases (the MMU's 9-bit indexes)", () => {
    const p = mapped();
    expect(p.load(S)).toBe(1);
    for (const a of [2 ** 48 + S, 2 ** 57 + S, 2 ** 63 + S, -4096, -1, -(2 ** 63) + S, 2 ** 64 + S, NaN, Infinity]) {
      expect(p.load(a), String(a)).toBe("SIGSEGV");
      expect(p.access(a, true), String(a)).toBe("SIGSEGV");
      expect(p.touch(a, 8192, true), String(a)).toBe("SIGSEGV");
    }
    expect(p.status().VmRSS).toBe(4);
  });

  it("touch() refuses a stride or length that is not a positive / non-negative integer (a stride of 0 used to loop forever)", () => {
    const p = mapped();
    for (const stride of [0, -1, NaN, 0.5, 1e-300, Infinity]) expect(() => p.touch(S, 4096, true, stride)).toThrow(/^Process\.touch\(\): stride .* is not a positive integer$/);
    for (const len of [-1, NaN, 0.5, Infinity]) expect(() => p.touch(S, len, true)).toThrow(/^Process\.touch\(\): len .* is not a length in bytes/);
    expect(p.touch(S, 0, true)).toBe("ok");
    expect(p.touch(S, 4096, true, 1)).toBe("ok");
  });
});

describe("Process after exit()", () => {
  it("refuses syscalls, accesses and fork (mmap used to charge an exited mm: Committed_AS broken), keeps status() and idle()", async () => {
    const { check_mm } = await import("./check/invariants.js");
    const p = new Engine({ arch }).spawn();
    const a = p.mmap(0, 4 * M, RW, MAP_ANONYMOUS | MAP_PRIVATE);
    p.touch(a, 4 * M, true);
    p.exit();
    const calls: [string, () => unknown][] = [
      ["mmap", () => p.mmap(0, 4096, RW, MAP_ANONYMOUS | MAP_PRIVATE)],
      ["munmap", () => p.munmap(a, 4096)],
      ["mprotect", () => p.mprotect(a, 4096, 1)],
      ["madvise", () => p.madvise(a, 4096, 4)],
      ["mremap", () => p.mremap(a, 4096, 8192, 1)],
      ["brk", () => p.brk(0x20000000)],
      ["fork", () => p.fork()],
      ["access", () => p.access(a, true)],
      ["load", () => p.load(a)],
      ["touch", () => p.touch(a, 4096, true)],
    ];
    for (const [what, call] of calls) expect(call, what).toThrow(`Process ${p.pid}: ${what}() after exit(): the process has exited`);
    p.idle(100);
    expect(p.status().VmSize).toBe(0);
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });
});

describe("Process.set_brk()", () => {
  it("refuses a break that is not a user address (NaN used to let brk() insert a VMA over an existing mapping)", () => {
    const p = new Engine({ arch }).spawn();
    for (const v of [NaN, -4096, 2 ** 47, 1.5, Infinity]) expect(() => p.set_brk(v), String(v)).toThrow(/^Process\.set_brk\(\): start_brk .* is not a user address/);
    expect(() => p.set_brk(0x20000000, 0x1f000000)).toThrow(/^Process\.set_brk\(\): brk 520093696 is not a user address from start_brk 536870912/);
    p.set_brk(0x20000000);
    expect(p.brk(0x20010000)).toBe(0x20010000);
  });
});

describe("Process machine settings", () => {
  it("set_ram(), set_thp() and idle() refuse values they cannot mean (NaN RAM disabled overcommit checks, idle(Infinity) never returned)", () => {
    const p = new Engine({ arch }).spawn();
    for (const v of [NaN, -1, 0, 4095, 1.5, Infinity]) expect(() => p.set_ram(v), String(v)).toThrow(/^Process\.set_ram\(\): .* is not a RAM size/);
    expect(() => p.set_thp("sometimes" as "always")).toThrow('Process.set_thp(): "sometimes" is not "always", "madvise" or "never"');
    for (const v of [Infinity, NaN, -1]) expect(() => p.idle(v), String(v)).toThrow(/^Process\.idle\(\): .* is not a time in ms/);
    for (const v of [Infinity, NaN, -1, 0.5]) expect(() => p.reclaim(v), String(v)).toThrow(/^Process\.reclaim\(\): .* is not a number of bytes to reclaim/);
    expect(p.reclaim(0)).toEqual({ nr_reclaimed: 0, nr_scanned: 0, nr_pt_reclaimed: 0 });
    p.set_ram(1 << 30);
    p.set_thp("never");
    p.idle(0.5);
    expect(p.sysctl("vm.overcommit_memory", 2)).toBe(0);
    expect(p.mmap(0, 2 ** 30, RW, MAP_ANONYMOUS | MAP_PRIVATE)).toBe(-12); // CommitLimit: half of 1 GiB
  });
});
