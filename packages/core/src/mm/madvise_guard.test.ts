/**
 * Guard regions (MADV_GUARD_INSTALL / MADV_GUARD_REMOVE, Linux 6.13+). The
 * VmPTE figures are Linux 6.18's on our machines (a C program over a fresh
 * 64 MiB mapping; the same sequence with pt-reclaim is the host corpus's
 * guard-regions.wl, which the simulator matches line for line).
 */
import { describe, expect, it } from "vitest";
import { check_exit, check_mm } from "../check/invariants.js";
import { Engine } from "../engine.js";
import { arch, engine } from "../test/arch.js";
import { K, M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { EFAULT, EINVAL, ENOMEM } from "./errno.js";
import { MADV_COLD, MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_WIPEONFORK } from "./madvise.js";
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from "./madvise_guard.js";
import { MREMAP_FIXED, MREMAP_MAYMOVE } from "./mremap.js";
import { PROT_READ } from "./mmap.js";
import { MADV_POPULATE_READ, MADV_POPULATE_WRITE } from "./populate.js";
import { is_guard_pte_marker, make_pte_marker, PTE_MARKER_GUARD } from "./pte_marker.js";
import { VM_LOCKED } from "../pgtable/arch.js";
import { walk_pte } from "../pgtable/walk.js";
import type { Process } from "../engine.js";

const PROT_RW = 3;

function guarded64() {
  const e = engine();
  const p = e.spawn();
  mmapFixed(p, SLOT, 64 * M);
  return { e, p };
}

/** Every 2 MiB slice's first page guarded, the rest written. */
function guardEach2M(p: Process) {
  for (let o = 0; o < 64 * M; o += 2 * M) expect(p.madvise(SLOT + o, 4 * K, MADV_GUARD_INSTALL)).toBe(0);
  for (let o = 0; o < 64 * M; o += 2 * M) expect(p.touch(SLOT + o + 4 * K, 2 * M - 4 * K, true)).toBe("ok");
}

describe("MADV_GUARD_INSTALL / MADV_GUARD_REMOVE", () => {
  it("installing allocates the tables the markers need (Linux: +12 kB for one page, +136 kB for one per 2 MiB) and charges no RSS", () => {
    const { e, p } = guarded64();
    expect(p.madvise(SLOT, 4 * K, MADV_GUARD_INSTALL)).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 64 * K, VmRSS: 0, VmPTE: 12 });
    for (let o = 2 * M; o < 64 * M; o += 2 * M) p.madvise(SLOT + o, 4 * K, MADV_GUARD_INSTALL);
    expect(vm(p)).toEqual({ VmSize: 64 * K, VmRSS: 0, VmPTE: 136 });
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("an access to a guarded page raises SIGSEGV; MADV_POPULATE_* over it is -EFAULT; its neighbours are ordinary memory", () => {
    const { p } = guarded64();
    p.madvise(SLOT + 8 * K, 4 * K, MADV_GUARD_INSTALL);
    expect(p.access(SLOT + 8 * K, false)).toBe("SIGSEGV");
    expect(p.access(SLOT + 8 * K + 100, true)).toBe("SIGSEGV");
    expect(p.access(SLOT + 4 * K, true)).toBe("ok");
    expect(p.access(SLOT + 12 * K, true)).toBe("ok");
    expect(p.madvise(SLOT, 16 * K, MADV_POPULATE_READ)).toBe(-EFAULT);
    expect(p.madvise(SLOT, 16 * K, MADV_POPULATE_WRITE)).toBe(-EFAULT);
  });

  it("MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT and mprotect keep the markers; MADV_GUARD_REMOVE clears them (the tables stay)", () => {
    const { e, p } = guarded64();
    guardEach2M(p);
    expect(vm(p)).toEqual({ VmSize: 64 * K, VmRSS: 65408, VmPTE: 136 });
    for (const a of [MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT]) expect(p.madvise(SLOT, 64 * M, a)).toBe(0);
    expect(p.mprotect(SLOT, 64 * M, PROT_READ)).toBe(0);
    expect(p.mprotect(SLOT, 64 * M, PROT_RW)).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 64 * K, VmRSS: 0, VmPTE: 136 });
    expect(p.access(SLOT + 6 * M, false)).toBe("SIGSEGV");
    expect(check_mm(e.k, p.mm)).toEqual([]);
    expect(p.madvise(SLOT, 64 * M, MADV_GUARD_REMOVE)).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 64 * K, VmRSS: 0, VmPTE: 136 });
    expect(p.load(SLOT + 6 * M)).toBe(0);
    // Removing where there is no guard is a no-op.
    expect(p.madvise(SLOT, 64 * M, MADV_GUARD_REMOVE)).toBe(0);
  });

  it("a guard over written pages zaps them first (RSS back to 0), then guards them", () => {
    const { e, p } = guarded64();
    p.touch(SLOT + 16 * M, 8 * M, true);
    expect(vm(p).VmRSS).toBe(8 * K);
    expect(p.madvise(SLOT + 16 * M, 8 * M, MADV_GUARD_INSTALL)).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 64 * K, VmRSS: 0, VmPTE: 8 + 4 * 4 });
    expect(p.access(SLOT + 20 * M, false)).toBe("SIGSEGV");
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("a THP in the way is zapped too", () => {
    const e = new Engine({ arch, thp: "always" });
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.access(SLOT, true);
    // PUD + PMD + the THP's deposited PTE table, which the split then uses.
    expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 2 * K, VmPTE: 12 });
    expect(p.madvise(SLOT + 4 * K, 4 * K, MADV_GUARD_INSTALL)).toBe(0);
    expect(p.access(SLOT + 4 * K, false)).toBe("SIGSEGV");
    expect(p.access(SLOT + 8 * K, false)).toBe("ok");
    expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 2 * K - 4, VmPTE: 12 });
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("munmap and exit drop the markers and their tables", () => {
    const { e, p } = guarded64();
    p.madvise(SLOT + 8 * M, 16 * M, MADV_GUARD_INSTALL);
    expect(vm(p).VmPTE).toBe(8 + 8 * 4);
    expect(p.munmap(SLOT + 8 * M, 16 * M)).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 48 * K, VmRSS: 0, VmPTE: 8 });
    p.madvise(SLOT, 4 * K, MADV_GUARD_INSTALL);
    p.exit();
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("fork copies the markers, in private and in shared memory (6.13-6.18 give both an anon_vma); not under MADV_WIPEONFORK", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    mmapFixed(p, SLOT + 8 * M, 4 * M, { shared: true });
    mmapFixed(p, SLOT + 16 * M, 4 * M);
    p.access(SLOT + 8 * M, true);
    for (const o of [0, 8 * M, 16 * M]) expect(p.madvise(SLOT + o, 4 * K, MADV_GUARD_INSTALL)).toBe(0);
    expect(p.madvise(SLOT + 16 * M, 4 * M, MADV_WIPEONFORK)).toBe(0);
    const c = p.fork();
    // The wiped range's table is not copied: the child has one PTE table fewer.
    expect(vm(c).VmPTE).toBe(vm(p).VmPTE - 4);
    expect(c.access(SLOT, false)).toBe("SIGSEGV");
    expect(c.access(SLOT + 8 * M, false)).toBe("SIGSEGV");
    expect(c.access(SLOT + 16 * M, false)).toBe("ok");
    expect(check_mm(e.k, c.mm)).toEqual([]);
  });

  it("mremap moves the markers with the range", () => {
    const { p } = guarded64();
    p.madvise(SLOT + 4 * K, 4 * K, MADV_GUARD_INSTALL);
    const to = SLOT + 128 * M;
    expect(p.mremap(SLOT, 2 * M, 2 * M, MREMAP_MAYMOVE | MREMAP_FIXED, to)).toBe(to);
    expect(p.access(to + 4 * K, false)).toBe("SIGSEGV");
    expect(p.access(to, false)).toBe("ok");
  });

  it("over a hole the mapped part is guarded and the call returns -ENOMEM; an mlocked VMA is -EINVAL (removal is allowed)", () => {
    const { p } = guarded64();
    expect(p.madvise(SLOT + 60 * M, 8 * M, MADV_GUARD_INSTALL)).toBe(-ENOMEM);
    expect(p.access(SLOT + 63 * M, false)).toBe("SIGSEGV");
    p.mm.mm_mt.list[0].vm_flags |= VM_LOCKED; // as mlock() would (not a syscall of the model)
    expect(p.madvise(SLOT, 4 * K, MADV_GUARD_INSTALL)).toBe(-EINVAL);
    expect(p.madvise(SLOT, 64 * M, MADV_GUARD_REMOVE)).toBe(0);
    expect(p.access(SLOT + 63 * M, false)).toBe("ok");
  });

  it("before 6.13 (the 5.14, 5.18 and 6.10 eras) both advice are -EINVAL", () => {
    for (const era of ["5.14", "5.18", "6.10"] as const) {
      const p = new Engine({ arch, era }).spawn();
      mmapFixed(p, SLOT, 2 * M);
      expect(p.madvise(SLOT, 4 * K, MADV_GUARD_INSTALL)).toBe(-EINVAL);
      expect(p.madvise(SLOT, 4 * K, MADV_GUARD_REMOVE)).toBe(-EINVAL);
    }
  });

  it("the marker is a swap entry of type SWP_PTE_MARKER with PTE_MARKER_GUARD; check_mm flags any other marker", () => {
    const { e, p } = guarded64();
    p.madvise(SLOT, 4 * K, MADV_GUARD_INSTALL);
    expect(arch.pte_to_swp_type(make_pte_marker(e.k, PTE_MARKER_GUARD))).toBe(31);
    expect(is_guard_pte_marker(e.k, make_pte_marker(e.k, PTE_MARKER_GUARD))).toBe(true);
    expect(is_guard_pte_marker(e.k, make_pte_marker(e.k, 1))).toBe(false);
    // A uffd-wp marker (which the model never makes) written into the guarded table.
    e.k.pt.set(walk_pte(e.k, p.mm, SLOT + 4 * K), make_pte_marker(e.k, 1));
    expect(check_mm(e.k, p.mm).map((x) => x.rule)).toContain("PTE marker other than a guard marker");
  });
});
