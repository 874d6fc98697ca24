/**
 * Syscall arguments a JS caller can pass that no C caller can (negative, NaN,
 * fractions, 2^64 and past) and the flag bits Linux ignores or refuses. The
 * expected errno of every row is what Linux 6.18 (6.18.44, x86_64) returned for
 * the same call from a C program (`syscall(SYS_x, ...)` with the negative
 * numbers as `(unsigned long)`), in a process with [SLOT, SLOT + 4M) mapped and
 * written; the model must give the same and change nothing where Linux refused.
 */
import { describe, expect, it } from "vitest";
import { engine } from "../test/arch.js";
import { M, RW } from "../test/helpers.js";
import { check_mm } from "../check/invariants.js";
import { EBADF, EEXIST, EFAULT, EINVAL, ENOMEM } from "./errno.js";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED } from "./mmap.js";
import { is_ulong, page_align_ulong, ulong_of_aligned } from "./ulong.js";
import type { Process } from "../engine.js";

const S = 0x10000000;
const A = MAP_ANONYMOUS | MAP_PRIVATE;

function fresh(): Process {
  const p = engine().spawn();
  expect(p.mmap(S, 4 * M, RW, A | MAP_FIXED)).toBe(S);
  expect(p.touch(S, 4 * M, true)).toBe("ok");
  return p;
}

/** [call, Linux's result: -errno, 0, "addr" (some new address) or "S"] */
type Row = [string, (p: Process) => number, number | "addr" | "S"];
const rows: Row[] = [
  ["mmap(0, -4096)", (p) => p.mmap(0, -4096, RW, A), -ENOMEM],
  ["mmap(0, -1)", (p) => p.mmap(0, -1, RW, A), -ENOMEM],
  ["mmap(0, -4097)", (p) => p.mmap(0, -4097, RW, A), -ENOMEM],
  ["mmap(0, 2^53)", (p) => p.mmap(0, 2 ** 53, RW, A), -ENOMEM],
  ["mmap(-4096 hint)", (p) => p.mmap(-4096, 4096, RW, A), "addr"],
  ["mmap(-4096, MAP_FIXED)", (p) => p.mmap(-4096, 4096, RW, A | MAP_FIXED), -ENOMEM],
  ["mmap(TASK_SIZE, MAP_FIXED)", (p) => p.mmap(0x7ffffffff000, 4096, RW, A | MAP_FIXED), -ENOMEM],
  ["mmap off -4096", (p) => p.mmap(0, 4096, RW, A, -4096), "addr"],
  ["mmap prot PROT_SEM", (p) => p.mmap(0, 4096, 0x8, A), "addr"],
  ["mmap prot 0x10", (p) => p.mmap(0, 4096, 0x10, A), "addr"],
  ["mmap prot PROT_GROWSDOWN", (p) => p.mmap(0, 4096, 0x1000000, A), "addr"],
  ["mmap prot -1", (p) => p.mmap(0, 4096, -1, A), "addr"],
  ["mmap MAP_SHARED_VALIDATE anonymous", (p) => p.mmap(0, 4096, RW, MAP_ANONYMOUS | 0x03), -EINVAL],
  ["mmap MAP_SHARED_VALIDATE | 0x8000000 anonymous", (p) => p.mmap(0, 4096, RW, MAP_ANONYMOUS | 0x03 | 0x8000000), -EINVAL],
  ["mmap MAP_PRIVATE | unknown 0x8000000", (p) => p.mmap(0, 4096, RW, A | 0x8000000), "addr"],
  ["mmap MAP_SHARED_VALIDATE | MAP_FIXED, no MAP_ANONYMOUS", (p) => p.mmap(0, 4096, RW, 0x13), -EBADF],
  ["mmap MAP_FIXED_NOREPLACE over SLOT", (p) => p.mmap(S + 4096, 4096, RW, A | 0x100000), -EEXIST],
  ["munmap(S, -4096)", (p) => p.munmap(S, -4096), -EINVAL],
  ["munmap(S, -1)", (p) => p.munmap(S, -1), -EINVAL],
  ["munmap(-4096, 4096)", (p) => p.munmap(-4096, 4096), -EINVAL],
  ["munmap(S, 2^64)", (p) => p.munmap(S, 2 ** 64), -EINVAL],
  ["munmap(TASK_SIZE, 4096)", (p) => p.munmap(0x7ffffffff000, 4096), -EINVAL],
  ["mprotect(S, -4096)", (p) => p.mprotect(S, -4096, 1), -ENOMEM],
  ["mprotect(S, -1)", (p) => p.mprotect(S, -1, 1), -ENOMEM],
  ["mprotect(-4096, 4096)", (p) => p.mprotect(-4096, 4096, 1), -ENOMEM],
  ["mprotect(-4096, 0)", (p) => p.mprotect(-4096, 0, 1), 0],
  ["mprotect(-4095, 0)", (p) => p.mprotect(-4095, 0, 1), -EINVAL],
  ["mprotect(S, -S)", (p) => p.mprotect(S, -S, 1), -ENOMEM],
  ["mprotect prot PROT_SEM", (p) => p.mprotect(S, 4096, 0x8), 0],
  ["mprotect prot 0x10", (p) => p.mprotect(S, 4096, 0x10), -EINVAL],
  ["mprotect prot -1", (p) => p.mprotect(S, 4096, -1), -EINVAL],
  ["mprotect prot PROT_GROWSDOWN | PROT_READ", (p) => p.mprotect(S, 4096, 0x1000001), -EINVAL],
  ["mprotect prot 0x4000000", (p) => p.mprotect(S, 4096, 0x4000000), -EINVAL],
  ["madvise(S, -4096, DONTNEED)", (p) => p.madvise(S, -4096, 4), -EINVAL],
  ["madvise(S, -1, DONTNEED)", (p) => p.madvise(S, -1, 4), -EINVAL],
  ["madvise(S, -4095, DONTNEED)", (p) => p.madvise(S, -4095, 4), -EINVAL],
  ["madvise(S, -4097, DONTNEED)", (p) => p.madvise(S, -4097, 4), -EINVAL],
  ["madvise(S, -S, DONTNEED)", (p) => p.madvise(S, -S, 4), -EINVAL],
  ["madvise(4096, -4096, DONTNEED)", (p) => p.madvise(0x1000, -0x1000, 4), -EINVAL],
  ["madvise(-4096, 4096, DONTNEED)", (p) => p.madvise(-4096, 4096, 4), -EINVAL],
  ["madvise(-4096, 0, DONTNEED)", (p) => p.madvise(-4096, 0, 4), 0],
  ["madvise(S, -4096, FREE)", (p) => p.madvise(S, -4096, 8), -EINVAL],
  ["madvise(S, -4096, POPULATE_READ)", (p) => p.madvise(S, -4096, 22), -EINVAL],
  ["madvise(S, -S, POPULATE_READ)", (p) => p.madvise(S, -S, 22), -EINVAL],
  ["madvise(-4096, 4096, POPULATE_READ)", (p) => p.madvise(-4096, 4096, 22), -EINVAL],
  ["madvise(4096, -8192, POPULATE_READ): no wrap, walks to a hole", (p) => p.madvise(0x1000, -0x2000, 22), -ENOMEM],
  ["madvise(S, 2^64 - S - 4096, POPULATE_READ): ends below 2^64", (p) => p.madvise(S, 0xffffffffeffff000, 22), -ENOMEM],
  ["madvise(S, 2^64 - S, POPULATE_READ): ends at 2^64, wraps to 0", (p) => p.madvise(S, 0xfffffffff0000000, 22), -EINVAL],
  ["madvise(S, 2^64 - S, DONTNEED): ends at 2^64, wraps to 0", (p) => p.madvise(S, 0xfffffffff0000000, 4), -EINVAL],
  ["mremap(S, -4096, 8192)", (p) => p.mremap(S, -4096, 8192, 1), -EINVAL],
  ["mremap(S, 4096, -4096)", (p) => p.mremap(S, 4096, -4096, 1), -EINVAL],
  ["mremap(-4096, 4096, 8192)", (p) => p.mremap(-4096, 4096, 8192, 1), -EFAULT],
  ["mremap(2^47, 4096, 8192)", (p) => p.mremap(0x800000000000, 4096, 8192, 1), -EFAULT],
  ["mremap(TASK_SIZE, 8192, 8192)", (p) => p.mremap(0x7ffffffff000, 8192, 8192, 1), -EFAULT],
  ["mremap(S, 2^47, 8192)", (p) => p.mremap(S, 0x800000000000, 8192, 1), -EINVAL],
  ["mremap(S, TASK_SIZE, 8192)", (p) => p.mremap(S, 0x7ffffffff000, 8192, 1), -EINVAL],
  ["mremap(S, 4096, 2^47)", (p) => p.mremap(S, 4096, 0x800000000000, 1), -EINVAL],
  ["mremap(S, 4096, TASK_SIZE)", (p) => p.mremap(S, 4096, 0x7ffffffff000, 1), -ENOMEM],
  ["mremap(S, -8192, 8192, 0)", (p) => p.mremap(S, -8192, 8192, 0), -EINVAL],
  ["mremap(S, 4096, 8192, MAYMOVE | FIXED, -4096)", (p) => p.mremap(S, 4096, 8192, 3, -4096), -EINVAL],
  ["mremap(S, 0, 8192) of a private mapping", (p) => p.mremap(S, 0, 8192, 1), -EINVAL],
];

describe("syscall arguments as Linux receives them (unsigned long)", () => {
  it.each(rows)("%s", (_name, call, linux) => {
    const p = fresh();
    const before = p.status();
    const r = call(p);
    if (linux === "addr") expect(r).toBeGreaterThan(0);
    else if (linux === "S") expect(r).toBe(S);
    else expect(r).toBe(linux);
    if (typeof linux === "number" && linux < 0) expect(p.status()).toEqual(before); // refused: nothing changed
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("a huge madvise range that does not wrap applies to every VMA from start, then -ENOMEM at the hole (Linux zaps its libraries too)", () => {
    const p = fresh();
    expect(p.madvise(S, -(2 ** 48), 4)).toBe(-ENOMEM);
    expect(p.status().VmRSS).toBe(0);
    expect(p.mm.map_count).toBe(1);
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("a value no unsigned long has (NaN, ±Infinity, a fraction, 2^64 and past, not a number) is -EINVAL and changes nothing", () => {
    const bad: unknown[] = [NaN, Infinity, -Infinity, 0.5, S + 0.5, 2 ** 64, -(2 ** 64), String(S)];
    for (const x of bad) {
      const p = fresh();
      const before = p.status();
      const v = x as number;
      const calls: [string, () => number][] = [
        ["mmap addr", () => p.mmap(v, 4096, RW, A | MAP_FIXED)],
        ["mmap len", () => p.mmap(0, v, RW, A)],
        ["mmap prot", () => p.mmap(0, 4096, v, A)],
        ["mmap flags", () => p.mmap(0, 4096, RW, v)],
        ["mmap off", () => p.mmap(0, 4096, RW, A, v)],
        ["munmap addr", () => p.munmap(v, 4096)],
        ["munmap len", () => p.munmap(S, v)],
        ["mprotect addr", () => p.mprotect(v, 4096, 1)],
        ["mprotect len", () => p.mprotect(S, v, 1)],
        ["mprotect prot", () => p.mprotect(S, 4096, v)],
        ["madvise addr", () => p.madvise(v, 4096, 4)],
        ["madvise len", () => p.madvise(S, v, 4)],
        ["madvise POPULATE addr", () => p.madvise(v, 4096, 22)],
        ["madvise POPULATE len", () => p.madvise(S, v, 22)],
        ["mremap addr", () => p.mremap(v, 4096, 8192, 1)],
        ["mremap old_len", () => p.mremap(S, v, 8192, 1)],
        ["mremap new_len", () => p.mremap(S, 4096, v, 1)],
        ["mremap flags", () => p.mremap(S, 4096, 8192, v)],
        ["mremap new_addr", () => p.mremap(S, 4096, 8192, 3, v)],
      ];
      for (const [what, call] of calls) expect(call(), `${what} ${String(x)}`).toBe(-EINVAL);
      expect(p.status()).toEqual(before);
      expect(check_mm(p.k, p.mm)).toEqual([]);
    }
  });

  it("MAP_SHARED stays valid for anonymous memory", () => {
    const p = fresh();
    expect(p.mmap(0, 4096, RW, MAP_ANONYMOUS | MAP_SHARED)).toBeGreaterThan(0);
  });
});

describe("mm/ulong.ts", () => {
  it("reads JS numbers as the unsigned longs they stand for", () => {
    expect(is_ulong(0)).toBe(true);
    expect(is_ulong(-1)).toBe(true);
    expect(is_ulong(2 ** 64 - 4096)).toBe(true);
    for (const x of [NaN, Infinity, 0.5, 2 ** 64, -(2 ** 64), "1", null, undefined]) expect(is_ulong(x)).toBe(false);
    expect(ulong_of_aligned(-4096)).toBe(2 ** 64 - 4096);
    expect(ulong_of_aligned(S)).toBe(S);
    expect(page_align_ulong(-1)).toBe(0);
    expect(page_align_ulong(-4095)).toBe(0);
    expect(page_align_ulong(-4096)).toBe(2 ** 64 - 4096);
    expect(page_align_ulong(-4097)).toBe(2 ** 64 - 4096);
    expect(page_align_ulong(-8192)).toBe(2 ** 64 - 8192);
    expect(page_align_ulong(1)).toBe(4096);
    expect(page_align_ulong(2 ** 64 - 2048)).toBe(0);
  });
});
