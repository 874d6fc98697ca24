/**
 * The MMU of each simulated CPU: a TLB (vpn → pfn) and a paging-structure cache
 * (2 MiB region → PTE-table PFN, with the table's generation when cached), filled
 * by hardware walks. A CPU that runs (or lazily keeps) an mm may walk at any time,
 * speculatively; a walk through a cached PMD→table pointer does not re-read the
 * PMD. If that table was freed, the walk reads whatever the page holds now: the
 * "dirty page table" class of bug, which the sanitizer reports.
 */
import type { Kernel } from "../types/kernel.js";
import type { MmStruct } from "../types/mm_types.js";

export interface HwWalkResult {
  /** PFN the address translates to, or -1. */
  pfn: number;
  /** Whether the walk used a cached PMD→table pointer. */
  cached: boolean;
}

/** A hardware walk of `addr` on `cpu`, filling that CPU's caches. */
export function hw_walk(k: Kernel, cpu: number, mm: MmStruct, addr: number): HwWalkResult {
  const a = k.arch;
  const c = k.tlb.cpus[cpu];
  const region = Math.floor(addr / k.PMD_SIZE);
  const vpn = Math.floor(addr / 4096);
  let table = c.pwc.get(region);
  let cached = table !== undefined;
  if (cached && (!k.pt.is_table(table!) || k.frames.get_gen(table!) !== c.pwc_gen.get(region))) {
    k.sanitizer?.stale_walk(cpu, table!, addr);
  }
  if (!cached && k.rcu_upper) {
    // Kernel.rcu_upper: PMD tables may be freed while the mm lives, so the walk
    // goes through the PUD→PMD-table cache (x86's PDPTE cache) when it holds the
    // region; a cached pointer to a freed PMD table is a dirty walk.
    const r = hw_walk_pmd_cached(k, cpu, mm, addr);
    if (r === null) return { pfn: -1, cached: false };
    if (typeof r === "object") return r;
    table = r;
    c.pwc.set(region, table);
    c.pwc_gen.set(region, k.frames.get_gen(table));
  } else if (!cached) {
    let e = k.pt.get(k.pt.entry(mm.pgd, Math.floor(addr / k.PGDIR_SIZE) % 512));
    // The levels below the PGD: P4D (unless folded), PUD, PMD (no array per walk: this runs at every user access explored).
    for (let level = a.p4d_folded ? 1 : 0; level < 3; level++) {
      if (a.pxd_none(e) || !a.pxd_present(e)) return { pfn: -1, cached: false };
      const size = level === 0 ? k.P4D_SIZE : level === 1 ? k.PUD_SIZE : k.PMD_SIZE;
      e = k.pt.get(k.pt.entry(a.pxd_pfn(e), Math.floor(addr / size) % 512));
    }
    // Bit 0 (x86 P, arm64 VALID): the MMU does not walk an entry pmdp_invalidate() left
    // (pmd_present() to software, not to the hardware).
    if (a.pxd_none(e) || !a.pxd_present(e) || ((e >>> 0) & 1) === 0) return { pfn: -1, cached: false };
    if (a.pmd_leaf(e)) {
      const pfn = a.pxd_pfn(e) + (vpn % 512);
      c.entries.set(vpn, pfn);
      c.huge_regions.add(region);
      return { pfn, cached: false };
    }
    table = a.pxd_pfn(e);
    c.pwc.set(region, table);
    c.pwc_gen.set(region, k.frames.get_gen(table));
    cached = false;
  }
  const pte = k.pt.get(k.pt.slot(table!) * 512 + (vpn % 512));
  if (!a.pte_present(pte) || ((pte >>> 0) & 1) === 0) return { pfn: -1, cached };
  const pfn = a.pte_pfn(pte);
  c.entries.set(vpn, pfn);
  return { pfn, cached };
}

/**
 * The walk below the PGD with the PUD→PMD-table cache (Kernel.rcu_upper only):
 * returns the PTE table's PFN, a finished result (a huge PMD), or null when a
 * level is not present. Fills the cache on a miss.
 */
function hw_walk_pmd_cached(k: Kernel, cpu: number, mm: MmStruct, addr: number): number | HwWalkResult | null {
  const a = k.arch;
  const c = k.tlb.cpus[cpu];
  const gregion = Math.floor(addr / k.PUD_SIZE);
  const vpn = Math.floor(addr / 4096);
  let pmd_table = c.pwc_pud.get(gregion);
  if (pmd_table !== undefined && (!k.pt.is_table(pmd_table) || k.frames.get_gen(pmd_table) !== c.pwc_pud_gen.get(gregion))) {
    k.sanitizer?.stale_walk(cpu, pmd_table, addr, "PUD");
  }
  if (pmd_table === undefined) {
    let e = k.pt.get(k.pt.entry(mm.pgd, Math.floor(addr / k.PGDIR_SIZE) % 512));
    const levels: number[] = a.p4d_folded ? [k.PUD_SIZE] : [k.P4D_SIZE, k.PUD_SIZE];
    for (const size of levels) {
      if (a.pxd_none(e) || !a.pxd_present(e)) return null;
      e = k.pt.get(k.pt.entry(a.pxd_pfn(e), Math.floor(addr / size) % 512));
    }
    if (a.pxd_none(e) || !a.pxd_present(e)) return null;
    pmd_table = a.pxd_pfn(e);
    c.pwc_pud.set(gregion, pmd_table);
    c.pwc_pud_gen.set(gregion, k.frames.get_gen(pmd_table));
  }
  const e = k.pt.get(k.pt.slot(pmd_table) * 512 + (Math.floor(addr / k.PMD_SIZE) % 512));
  if (a.pxd_none(e) || !a.pxd_present(e) || ((e >>> 0) & 1) === 0) return null;
  if (a.pmd_leaf(e)) {
    const pfn = a.pxd_pfn(e) + (vpn % 512);
    c.entries.set(vpn, pfn);
    c.huge_regions.add(Math.floor(addr / k.PMD_SIZE));
    return { pfn, cached: false };
  }
  return a.pxd_pfn(e);
}
