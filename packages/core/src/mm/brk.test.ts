/** Process.brk() / set_brk(): the heap as sys_brk and do_brk_flags make it. */
import { describe, expect, it } from "vitest";
import { check_mm } from "../check/invariants.js";
import { engine } from "../test/arch.js";
import { K, M, mmapFixed, vm } from "../test/helpers.js";
import { VM_BRK_FLAGS } from "./brk.js";

const HEAP = 0x555555600000;

describe("brk", () => {
  it("grows the heap VMA from start_brk and shrinks it by unmapping; brk(0) returns the break", () => {
    const e = engine();
    const p = e.spawn();
    p.set_brk(HEAP);
    expect(p.brk(0)).toBe(HEAP);
    expect(p.brk(HEAP + 4 * M)).toBe(HEAP + 4 * M);
    expect(p.access(HEAP, true)).toBe("ok");
    expect(p.access(HEAP + 3 * M, true)).toBe("ok");
    expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 8, VmPTE: 16 });
    expect(p.brk(HEAP + 5 * M)).toBe(HEAP + 5 * M);
    expect(p.mm.map_count).toBe(1); // the heap's VMA grew (vma_merge_new_range, just_expand)
    expect(p.mm.mm_mt.list[0]).toMatchObject({ vm_start: HEAP, vm_end: HEAP + 5 * M, vm_flags: VM_BRK_FLAGS });
    expect(p.brk(HEAP + M + 100)).toBe(HEAP + M + 100);
    expect(p.brk(0)).toBe(HEAP + M + 100);
    expect(vm(p)).toEqual({ VmSize: M / K + 4, VmRSS: 4, VmPTE: 12 });
    expect(p.brk(HEAP + M + 200)).toBe(HEAP + M + 200); // the same page: only mm->brk moves
    expect(vm(p).VmSize).toBe(M / K + 4);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("fails, returning the old break, below start_brk, without set_brk, or when a mapping is within a page of the new break", () => {
    const p = engine().spawn();
    expect(p.brk(HEAP)).toBe(0); // no heap yet: the ELF loader has not run
    p.set_brk(HEAP);
    expect(p.brk(HEAP - 4 * K)).toBe(HEAP);
    mmapFixed(p, HEAP + 2 * M, 4 * K);
    expect(p.brk(HEAP + 2 * M - 4 * K + 1)).toBe(HEAP); // no page would be left free before the mapping
    expect(p.brk(HEAP + 2 * M - 4 * K)).toBe(HEAP + 2 * M - 4 * K);
    expect(p.mm.map_count).toBe(2);
  });

  it("is copied by fork", () => {
    const p = engine().spawn();
    p.set_brk(HEAP);
    p.brk(HEAP + 64 * K);
    p.access(HEAP, true);
    const c = p.fork();
    expect(c.brk(0)).toBe(HEAP + 64 * K);
    expect(c.brk(HEAP + 128 * K)).toBe(HEAP + 128 * K);
    expect(vm(c)).toEqual({ VmSize: 128, VmRSS: 4, VmPTE: 12 });
  });
});
