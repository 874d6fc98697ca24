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
  if (cached && (!k.pt.is_table(table!) || k.frames.gen[table!] !== c.pwc_gen.get(region))) {
    k.sanitizer?.stale_walk(cpu, table!, addr);
  }
  if (!cached) {
    let e = k.pt.ent[k.pt.entry(mm.pgd, Math.floor(addr / k.PGDIR_SIZE) % 512)];
    // The levels below the PGD: P4D (unless folded), PUD, PMD (no array per walk: this runs at every user access explored).
    for (let level = a.p4d_folded ? 1 : 0; level < 3; level++) {
      if (a.pxd_none(e) || !a.pxd_present(e)) return { pfn: -1, cached: false };
      const size = level === 0 ? k.P4D_SIZE : level === 1 ? k.PUD_SIZE : k.PMD_SIZE;
      e = k.pt.ent[k.pt.entry(a.pxd_pfn(e), Math.floor(addr / size) % 512)];
    }
    if (a.pxd_none(e) || !a.pxd_present(e)) return { pfn: -1, cached: false };
    if (a.pmd_leaf(e)) {
      const pfn = a.pxd_pfn(e) + (vpn % 512);
      c.entries.set(vpn, pfn);
      c.huge_regions.add(region);
      return { pfn, cached: false };
    }
    table = a.pxd_pfn(e);
    c.pwc.set(region, table);
    c.pwc_gen.set(region, k.frames.gen[table]);
    cached = false;
  }
  const pte = k.pt.ent[k.pt.slot(table!) * 512 + (vpn % 512)];
  if (!a.pte_present(pte) || ((pte >>> 0) & 1) === 0) return { pfn: -1, cached };
  const pfn = a.pte_pfn(pte);
  c.entries.set(vpn, pfn);
  return { pfn, cached };
}
