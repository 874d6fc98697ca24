/** A full, deterministic dump of an mm's page tables and counters, for differential tests. */
import type { Kernel } from "../kernel.js";
import type { MmStruct } from "../mm/mm_struct.js";

export function dump_mm(k: Kernel, mm: MmStruct): string {
  const out: string[] = [];
  const visit = (pfn: number, level: number, path: string) => {
    const s = k.pt.slot(pfn) * 512;
    if (k.pt.is_empty(pfn)) return;
    for (let i = 0; i < 512; i++) {
      const e = k.pt.get(s + i);
      if (e === 0) continue;
      out.push(`${path}${i}:${e}`);
      const leaf = level === 1 || (level === 2 && k.arch.pmd_leaf(e));
      if (!leaf && k.arch.pxd_present(e)) visit(k.arch.pxd_pfn(e), level === 5 && k.arch.p4d_folded ? 3 : level - 1, `${path}${i}/`);
    }
  };
  visit(mm.pgd, 5, "");
  const vmas = mm.mm_mt.list.map((v) => `${v.vm_start}-${v.vm_end}:${v.vm_flags}:${v.vm_pgoff}`);
  return JSON.stringify({ tables: out, vmas, rss: [...mm.rss_stat], bytes: mm.pgtables_bytes, vm: mm.total_vm, tlb: k.tlb.counters, frames: k.frames.nr_used });
}
