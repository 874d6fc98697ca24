/**
 * What the arm64 MMU does with a user leaf entry, and the break-before-make rule
 * (arch/arm64/mm/mmu.c pgattr_change_is_safe(), the architecture's BBM
 * requirement, ARM ARM D8.16).
 */
import { PACKED_HI_SHIFT, PTE_AF, PTE_CONT, PTE_DBM, PTE_DIRTY, PTE_NG, PTE_PXN, PTE_RDONLY, PTE_SPECIAL, PTE_TABLE_BIT, PTE_UFFD_WP, PTE_USER, PTE_VALID } from "./pgtable_hwdef.js";
import { pte_hi, pte_pfn, pte_valid } from "./pte.js";

const HI = 2 ** PACKED_HI_SHIFT;
const H_DBM = PTE_DBM / HI;

/**
 * An EL0 load or store through a valid leaf descriptor, with FEAT_HAFDBS
 * (hardware Access flag and dirty state, as Linux enables when the CPU has it):
 * - no PTE_VALID (none, swap, PROT_NONE, an invalidated THP): translation fault;
 * - no PTE_USER (AP[1]): permission fault (execute-only is not modelled);
 * - a store with PTE_RDONLY (AP[2]) set: permission fault unless DBM (PTE_WRITE)
 *   is set, in which case the hardware clears PTE_RDONLY (the entry becomes
 *   hardware-dirty);
 * - the hardware sets PTE_AF.
 * Returns the entry as the hardware leaves it, or NaN for a fault.
 */
export function mmu_access_leaf(leaf: number, write: boolean): number {
  const lo = leaf >>> 0;
  if ((lo & PTE_VALID) === 0 || (lo & PTE_USER) === 0) return NaN;
  let v = leaf;
  if (write && (lo & PTE_RDONLY) !== 0) {
    if ((pte_hi(leaf) & H_DBM) === 0) return NaN;
    v -= PTE_RDONLY;
  }
  if ((lo & PTE_AF) === 0) v += PTE_AF;
  return v;
}

/* PTE_SWBITS_MASK: bits 55–58 and 63; the packed form holds 55, 56 and 58. */
const SWBITS = PTE_DIRTY + PTE_SPECIAL + PTE_UFFD_WP;

/**
 * pgattr_change_is_safe(old, new): may a live (valid) descriptor be changed in
 * place, or must it go through break-before-make (write invalid, TLBI, then the
 * new value)? Creating or taking down a mapping is always safe; a live entry's
 * output address must not change, nor its type (table ↔ block: bit 1), nor a
 * contiguous one at all, nor nG → global; PXN, RDONLY, WRITE (DBM), nG and the
 * software bits may change live. As the kernel, the test is the same at every
 * level: `pmd_populate()` over a live block or table, a THP split that writes
 * the table over the huge PMD without pmdp_invalidate(), or a collapse that
 * writes the huge PMD over the table without pmdp_collapse_flush() are unsafe.
 *
 * Model difference: AttrIndx is MT_NORMAL (0) throughout, so the
 * Normal/Normal-Tagged exemption never arises.
 */
export function pgattr_change_is_safe(old: number, nu: number): boolean {
  if (!pte_valid(old) || !pte_valid(nu)) return true;
  if (pte_pfn(old) !== pte_pfn(nu)) return false;
  const olo = old >>> 0;
  const nlo = nu >>> 0;
  const ohi = pte_hi(old);
  const nhi = pte_hi(nu);
  const CONT = PTE_CONT / HI;
  if (((ohi | nhi) & CONT) !== 0) return false;
  if ((olo & ~nlo & PTE_NG) !== 0) return false;
  const lo_mask = PTE_RDONLY | PTE_NG;
  const hi_mask = PTE_PXN / HI + H_DBM + SWBITS / HI;
  return ((olo ^ nlo) & 0xfff & ~lo_mask) === 0 && ((ohi ^ nhi) & ~hi_mask) === 0;
}

/** Whether replacing `old` by `nu` changes a table descriptor into a block or back (bit 1 of a valid upper-level entry). */
export function pxd_type_changes(old: number, nu: number): boolean {
  return pte_valid(old) && pte_valid(nu) && ((old >>> 0) & PTE_TABLE_BIT) !== ((nu >>> 0) & PTE_TABLE_BIT);
}
