/**
 * Invariants over a quiescent engine (no kernel path in flight), each named after
 * the kernel rule it checks. check_mm() returns the violations found; an empty list
 * means the state is consistent.
 */
import type { Kernel } from "../kernel.js";
import type { MmStruct } from "../mm/mm_struct.js";
import { MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS } from "../mm/mm.js";
import { SWAP_HAS_CACHE, swap_count } from "../mm/swapfile.js";
import { is_pte_marker, pte_marker_get, PTE_MARKER_GUARD } from "../mm/pte_marker.js";
import { PG_ANON, PG_SHMEM, PG_TAIL, PG_ZERO } from "../mm/page_alloc.js";
import { VM_ACCOUNT } from "../pgtable/arch.js";
import { P4D_LEVEL, PGD_LEVEL, PMD_LEVEL, PTE_LEVEL, PUD_LEVEL } from "../pgtable/store.js";

export interface Violation {
  rule: string;
  detail: string;
}

interface Reach {
  tables: Map<number, number>;
  anon: number;
  shmem: number;
  /** Swap PTEs, and how many hold each slot offset. */
  swap: number;
  swap_refs: Map<number, number>;
  vmas_ok: boolean;
}

/**
 * A deliberately broken walk, for the test that must catch it
 * (invariants.test.ts): "stop-one-early" leaves a table one non-zero entry
 * before its last.
 */
export type WalkMutant = "stop-one-early";

/**
 * Walk every table reachable from mm->pgd, counting tables and mapped pages. A
 * table's walk ends after its last non-zero entry: the store's occupancy count
 * (PtStore.nr_used, the entries not 0) says how many there are, and an entry 0
 * is pte_none and pxd_none, which the walk passes over anyway.
 */
function reachable(k: Kernel, mm: MmStruct, out: Violation[], mutant: WalkMutant | null = null): Reach {
  const a = k.arch;
  const r: Reach = { tables: new Map(), anon: 0, shmem: 0, swap: 0, swap_refs: new Map(), vmas_ok: true };
  const visit = (pfn: number, level: number, base: number): void => {
    if (!k.pt.is_table(pfn)) {
      out.push({ rule: "page-table use after free", detail: `${level}-level entry at va 0x${base.toString(16)} points at freed pfn ${pfn}` });
      return;
    }
    if (r.tables.has(pfn)) {
      out.push({ rule: "table reachable twice", detail: `pfn ${pfn}` });
      return;
    }
    r.tables.set(pfn, level);
    const s = k.pt.slot(pfn) * 512;
    const span = level === PTE_LEVEL ? 4096 : level === PMD_LEVEL ? k.PMD_SIZE : level === PUD_LEVEL ? k.PUD_SIZE : level === P4D_LEVEL ? k.P4D_SIZE : k.PGDIR_SIZE;
    let left = k.pt.nr_used(pfn) - (mutant === "stop-one-early" ? 1 : 0); // non-zero entries not seen yet
    for (let i = 0; i < 512 && left > 0; i++) {
      const e = k.pt.get(s + i);
      if (e !== 0) left--;
      const va = base + i * span;
      if (level === PTE_LEVEL) {
        if (a.pte_none(e)) continue;
        if (!a.pte_present(e)) {
          // A swap entry or a guard marker: not none, not present (a table holding one is not empty).
          if (is_pte_marker(k, e)) {
            if (pte_marker_get(k, e) !== PTE_MARKER_GUARD) out.push({ rule: "PTE marker other than a guard marker", detail: `va 0x${va.toString(16)} pte ${e}` });
          } else if (!a.is_swap_pte(e) || k.swap_info === null || a.pte_to_swp_type(e) !== k.swap_info.type)
            out.push({ rule: "PTE neither none, present nor swap", detail: `va 0x${va.toString(16)} pte ${e}` });
          else {
            const off = a.pte_to_swp_offset(e);
            r.swap++;
            r.swap_refs.set(off, (r.swap_refs.get(off) ?? 0) + 1);
            if (swap_count(k, off) === 0) out.push({ rule: "swap entry on a free slot", detail: `va 0x${va.toString(16)} swap offset ${off}` });
          }
          if (!mm.mm_mt.vma_lookup(va)) out.push({ rule: "PTE outside any VMA", detail: `va 0x${va.toString(16)}` });
          continue;
        }
        const ty = k.frames.get_type(a.pte_pfn(e));
        if (ty === PG_ANON || ty === PG_TAIL) r.anon++;
        else if (ty === PG_SHMEM) r.shmem++;
        else if (ty !== PG_ZERO) out.push({ rule: "PTE maps a freed page", detail: `va 0x${va.toString(16)} pfn ${a.pte_pfn(e)} type ${ty}` });
        if (!mm.mm_mt.vma_lookup(va)) out.push({ rule: "PTE outside any VMA", detail: `va 0x${va.toString(16)}` });
        continue;
      }
      if (a.pxd_none(e)) continue;
      if (level === PMD_LEVEL && a.pmd_trans_huge(e)) {
        if (a.pxd_pfn(e) !== k.frames.huge_zero_pfn) r.anon += 512;
        continue;
      }
      const child = level === P4D_LEVEL + 1 && a.p4d_folded ? PUD_LEVEL : level - 1;
      visit(a.pxd_pfn(e), child, va);
    }
  };
  visit(mm.pgd, PGD_LEVEL, 0);
  return r;
}

/**
 * check_mm(): pgtables_bytes equals the PTE+PMD+PUD tables reachable plus THP
 * deposits (mm_pgtables_bytes vs the tables that exist); RSS counters equal the
 * pages mapped; no PTE maps a freed page; every reachable table is live.
 */
export function check_mm(k: Kernel, mm: MmStruct, mutant: WalkMutant | null = null): Violation[] {
  const out: Violation[] = [];
  const r = reachable(k, mm, out, mutant);
  let counted = 0;
  for (const level of r.tables.values()) if (level <= PUD_LEVEL) counted++;
  let deposits = 0;
  for (const pmdp of k.deposit.keys()) {
    const pfn = k.pt.table_of(pmdp);
    if (r.tables.has(pfn)) deposits++;
  }
  const expect = (counted + deposits) * 4096;
  if (mm.pgtables_bytes !== expect)
    out.push({ rule: "mm_pgtables_bytes", detail: `pgtables_bytes ${mm.pgtables_bytes} but ${counted} PTE/PMD/PUD tables + ${deposits} deposits are live (${expect})` });
  if (mm.rss_stat[MM_ANONPAGES] !== r.anon) out.push({ rule: "MM_ANONPAGES", detail: `counter ${mm.rss_stat[MM_ANONPAGES]}, mapped ${r.anon}` });
  if (mm.rss_stat[MM_SHMEMPAGES] !== r.shmem) out.push({ rule: "MM_SHMEMPAGES", detail: `counter ${mm.rss_stat[MM_SHMEMPAGES]}, mapped ${r.shmem}` });
  if (mm.rss_stat[MM_SWAPENTS] !== r.swap) out.push({ rule: "MM_SWAPENTS", detail: `counter ${mm.rss_stat[MM_SWAPENTS]}, swap entries ${r.swap}` });
  let vm = 0;
  for (const v of mm.mm_mt.list) vm += v.pages;
  if (vm !== mm.total_vm) out.push({ rule: "total_vm", detail: `total_vm ${mm.total_vm}, VMAs span ${vm} pages` });
  out.push(...check_committed_as(k));
  return out;
}

/**
 * check_committed_as(): the machine's Committed_AS (vm_committed_as) equals what
 * is charged: the VM_ACCOUNT VMAs of every live mm, and every shmem object still
 * mapped that shmem_acct_size() charged. A path that charges and forgets to
 * uncharge (or the reverse) leaves them apart.
 */
export function check_committed_as(k: Kernel): Violation[] {
  let pages = 0;
  const files = new Set<{ acct_pages: number }>();
  for (const m of k.mms.values()) {
    if (m.exited) continue;
    for (const v of m.mm_mt.list) {
      if (v.vm_flags & VM_ACCOUNT) pages += v.pages;
      if (v.vm_file) files.add(v.vm_file);
    }
  }
  for (const f of files) pages += f.acct_pages;
  const c = k.vm_commit.committed_as;
  return c === pages ? [] : [{ rule: "Committed_AS", detail: `vm_committed_as ${c} pages, but ${pages} pages are charged (VM_ACCOUNT VMAs and shmem objects)` }];
}

/**
 * check_exit(): after exit_mmap and the grace periods, only the PGD is left of the
 * mm's tables (no table leaked) and pgtables_bytes is 0.
 */
export function check_exit(k: Kernel, mm: MmStruct): Violation[] {
  const out: Violation[] = [];
  if (mm.pgtables_bytes !== 0) out.push({ rule: "pgtables_bytes at exit", detail: `${mm.pgtables_bytes} bytes still counted` });
  for (const { pfn } of k.pt.tables())
    if (k.frames.get_owner(pfn) === mm.id && pfn !== mm.pgd) out.push({ rule: "table leaked at exit", detail: `pfn ${pfn} (level ${k.pt.level_of(pfn)})` });
  if (mm.rss_stat[MM_SWAPENTS] !== 0) out.push({ rule: "MM_SWAPENTS at exit", detail: `${mm.rss_stat[MM_SWAPENTS]} swap entries still counted` });
  out.push(...check_swap(k));
  return out;
}

/**
 * check_swap(): every allocated swap slot's count (swap_map) equals the swap
 * PTEs holding it in all the machine's mms, and no slot is left in the swap
 * cache by a quiescent kernel (the model's cache is only transient): a zap that
 * forgets free_swap_and_cache() leaks the slot, one that frees it twice
 * underflows. Nothing to check without swap.
 */
export function check_swap(k: Kernel): Violation[] {
  const si = k.swap_info;
  if (si === null) return [];
  const out: Violation[] = [];
  const refs = new Map<number, number>();
  for (const mm of k.mms.values()) {
    if (mm.exited) continue;
    for (const [off, n] of reachable(k, mm, []).swap_refs) refs.set(off, (refs.get(off) ?? 0) + n);
  }
  let inuse = 0;
  for (let off = 1; off <= si.highest_bit; off++) {
    const v = si.map(off);
    if (v === 0) continue;
    inuse++;
    if (v & SWAP_HAS_CACHE) out.push({ rule: "swap slot left in the swap cache", detail: `swap offset ${off} (swap_map 0x${v.toString(16)})` });
    const want = refs.get(off) ?? 0;
    if ((v & ~SWAP_HAS_CACHE) !== want) out.push({ rule: want === 0 ? "swap slot leaked" : "swap_map count", detail: `swap offset ${off}: swap_map ${v & ~SWAP_HAS_CACHE}, held by ${want} swap PTEs` });
  }
  for (const [off] of refs) if (si.map(off) === 0) out.push({ rule: "swap entry on a free slot", detail: `swap offset ${off}` });
  if (inuse !== si.inuse_pages) out.push({ rule: "swap inuse_pages", detail: `inuse_pages ${si.inuse_pages}, ${inuse} slots allocated` });
  return out;
}
