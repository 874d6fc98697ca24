/**
 * @mmsim/reclaim-refcount — the 2021 atomic `pte_refcount` design (Qi Zheng,
 * "Free user PTE page table pages", seeds 004 v1 / 003 v2; v3 2021-11), never
 * merged: every entry and every walker holds a reference on its PTE table, and
 * the last put frees the table. v2 final (RCU + mmu_gather) by default.
 */
import type { KPath, PteMapKind, PteMapping, ReclaimPlugin, kernel_t, mm_struct, mmu_gather, pmd_ptr, pte_ptr, task_struct } from "@mmsim/core/kernel";
import { MmsimError, validate_options, pmdp_get_lockless, pmdp_peek, pte_offset_kernel, virt_to_page } from "@mmsim/core/kernel";
import { PteRefState, hex, pte_get_unless_zero, pte_page_ctor, pte_put_many, pte_ref_init, pte_track, pte_tryget_map, type RefcountVersion } from "./pte_ref.js";

export { PteRefState, free_pte_table, pte_get_unless_zero, pte_put_many, pte_ref_init, pte_try_get, pte_tryget_map, type PteTablePage, type RefcountVersion } from "./pte_ref.js";

export interface RefcountOptions {
  /** Which posting: "v1" (pmd_lock, immediate pte_free), "v2" (RCU + mmu_gather, default), "v3" (flush inside pmd_lock). */
  version?: RefcountVersion;
}

/** The plugin, with its state (the tables' pte_refcount) for tests and reports. */
export type RefcountPlugin = ReclaimPlugin & { readonly state: PteRefState };

const MODELS: Record<RefcountVersion, string> = {
  v1: "2021 'Free user PTE page table pages' v1 (Qi Zheng, next-20210708, seed 004): atomic pte_refcount, pte_try_get under pmd_lock, immediate pte_free",
  v2: "2021 'Free user PTE page table pages' v2 8/9 + 9/9 (Qi Zheng, next-20210812, seed 003): atomic pte_refcount, RCU pte_try_get, call_rcu / mmu_gather free",
  v3: "2021 'Free user PTE page table pages' v3 (Qi Zheng, 2021-11): pte_tryget_map, free_user_pte_table flushing inside pmd_lock",
};

export function refcount(opts: RefcountOptions = {}): RefcountPlugin {
  validate_options("refcount(options)", opts, ["version"]);
  const version = opts.version ?? "v2";
  if (!(version in MODELS)) throw new MmsimError("config-error", `refcount: unknown version ${JSON.stringify(version)} (known: "v1", "v2", "v3")`);
  const st = new PteRefState(version);
  return {
    specificationVersion: "v1",
    name: version === "v2" ? "refcount" : `refcount-${version}`,
    version: "0.1.0",
    models: MODELS[version],
    era: "5.14",
    supports: { madv_dontneed: true, madv_free: true, async_scan: false, rcu_table_free: version !== "v1", walker_refcount: "atomic" },
    state: st,

    pte_table_ctor(_k: kernel_t, mm: mm_struct, pfn: number): void {
      pte_page_ctor(st, mm, pfn);
    },
    pte_table_dtor(_k: kernel_t, _mm: mm_struct, pfn: number): void {
      st.pages.delete(pfn);
      st.visitors.delete(pfn);
    },
    /* pte_get(pmd) right after set_pte_at() of a none entry. */
    track_pte_set(k: kernel_t, ptep: pte_ptr, old: number, pte: number): void {
      pte_track(st, k, ptep, old, pte);
    },
    /* nr_put++ at each ptep_get_and_clear{,_full}() / pte_clear_not_present_full(). */
    track_pte_clear(k: kernel_t, ptep: pte_ptr, old: number): void {
      pte_track(st, k, ptep, old, 0);
    },

    *pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind): KPath<PteMapping | null> {
      if (kind === "tryget") return yield* pte_tryget_map(st, t, pmdp, addr);
      // GUP-fast (IRQs off) and the stable callers take no reference: x86_64's
      // pte_offset_map() of 5.14 is pte_offset_kernel(), no kmap, no RCU.
      const a = t.k.arch;
      const pmdval = yield* pmdp_get_lockless(t, pmdp);
      if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_trans_huge(pmdval) || a.pxd_bad(pmdval)) return null;
      return { pte: pte_offset_kernel(t.k, pmdval, addr), pmdval };
    },
    *pte_unmap(t: task_struct, ptep: pte_ptr, kind: PteMapKind): KPath {
      if (kind !== "tryget") return;
      const pfn = virt_to_page(t.k, ptep);
      const page = st.pages.get(pfn);
      if (!page) throw new MmsimError("sanitizer-violation", `pte_put: the PTE table of entry ${ptep} is already freed (a put without its get)`);
      st.visit(pfn, -1);
      yield* pte_put_many(st, t, page, 1);
    },

    /* pmd_install_get() (under pmd_lock): pte_ref_init(*pte, pmd, 1), or pte_get_unless_zero(pmd). */
    *pmd_install_get(t: task_struct, _mm: mm_struct, pmdp: pmd_ptr, installed: boolean): KPath<boolean> {
      const pfn = t.k.arch.pxd_table_pfn(pmdp_peek(t, pmdp));
      const page = st.pages.get(pfn);
      if (!page) return false;
      if (installed) yield* pte_ref_init(t, page, pmdp, 1);
      else if (!(yield* pte_get_unless_zero(st, t, pmdp))) return false;
      st.visit(pfn, 1);
      return true;
    },
    /* pte_put(mm, pmd, addr) of the fault paths, after pte_unmap_unlock(). */
    *pte_put(t: task_struct, _mm: mm_struct, pmdp: pmd_ptr, addr: number): KPath {
      const pfn = t.k.arch.pxd_table_pfn(pmdp_peek(t, pmdp));
      const page = st.pages.get(pfn);
      if (!page) throw new MmsimError("sanitizer-violation", `pte_put: the PMD entry for ${hex(addr)} maps no live PTE table while a reference on it is held`);
      if (page.pmd !== pmdp) throw new MmsimError("sanitizer-violation", `VM_BUG_ON(pte->pmd != pmdp) in pte_put at ${hex(addr)}`);
      page.addr = addr - (addr % t.k.arch.PMD_SIZE);
      st.visit(pfn, -1);
      yield* pte_put_many(st, t, page, 1);
    },

    /*
     * free_pgtables() → free_pte_range() under CONFIG_FREE_USER_PTE (v2 6/9, v3 13/15):
     * "We should never reach here since the PTE page tables are dynamically freed."
     */
    *free_pte_range(t: task_struct, _tlb: mmu_gather, pmdp: pmd_ptr, addr: number): KPath<boolean> {
      const page = st.pgtable(t.k, pmdp_peek(t, pmdp));
      throw new MmsimError(
        "sanitizer-violation",
        `BUG() in free_pte_range(): the PTE table at ${hex(addr)} outlived its VMAs (pte_refcount ${page ? page.pte_refcount.counter : "?"}): a reference was never put`,
      );
    },
  };
}

export default refcount;
