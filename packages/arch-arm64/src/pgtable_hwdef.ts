/**
 * Descriptor bits, as in arch/arm64/include/asm/pgtable-hwdef.h and
 * pgtable-prot.h (4 KiB granule, 48-bit VA and PA, no LPA2), Linux 6.18.
 *
 * Two forms of every mask:
 * - numbers: the *packed form* the model stores (a JS number below 2^53).
 *   Hardware bits 0–43 stay where they are (type, AttrIndx, NS, AP, SH, AF, nG,
 *   output address bits 12–43); the nine upper-attribute and software bits
 *   Linux uses for user memory move down to packed bits 44–52:
 *
 *   | packed | 44 | 45        | 46   | 47  | 48  | 49        | 50          | 51          | 52                       |
 *   | hw     | 50 | 51        | 52   | 53  | 54  | 55        | 56          | 58          | 59                       |
 *   | name   | GP | DBM/WRITE | CONT | PXN | UXN | PTE_DIRTY | PTE_SPECIAL | PTE_UFFD_WP | PXNTable (table entries) |
 *
 * - `HW.*` (bigints): exact 64-bit hardware masks, for pte_val()/__pte().
 *
 * Model differences: output addresses are held up to bit 43 (16 TiB of
 * physical memory, PFN < 2^32) instead of 47; hardware bits 44–49, 57
 * (PTE_DEVMAP, gone since 6.16) and 60–63 (POIndex, PBHA) have no packed
 * position, and user anonymous memory never sets them in the paths mmsim
 * models (__pte() throws RangeError for them). MT_NORMAL is AttrIndx 0.
 */

/* ---- hardware bits (pgtable-hwdef.h) ---- */
export const PTE_VALID = 0x1; /* bit 0 */
/** Bit 1: set in table descriptors (levels 0–2) and page descriptors (level 3); clear in block descriptors. */
export const PTE_TABLE_BIT = 0x2;
export const PTE_TYPE_MASK = 0x3;
export const PTE_TYPE_PAGE = 0x3;
export const PMD_TYPE_MASK = 0x3;
export const PMD_TYPE_TABLE = 0x3;
export const PMD_TYPE_SECT = 0x1;
export const PMD_TABLE_BIT = PTE_TABLE_BIT;
/** AttrIndx[2:0], bits 2–4; MT_NORMAL = 0. */
export const PTE_ATTRINDX_MASK = 0x1c;
export const MT_NORMAL = 0;
export const PTE_ATTRINDX = (t: number): number => t * 4;
export const PTE_NS = 0x20; /* bit 5 */
export const PTE_USER = 0x40; /* AP[1], bit 6: EL0 access */
export const PTE_RDONLY = 0x80; /* AP[2], bit 7 */
export const PTE_SHARED = 0x300; /* SH[1:0] = inner shareable, bits 8–9 */
export const PTE_AF = 0x400; /* Access Flag, bit 10 */
export const PTE_NG = 0x800; /* nG, bit 11 */
/** PMD_TABLE_AF (bit 10 of a table descriptor, FEAT_HAFT): set by pmd_populate() since 6.13. */
export const PMD_TABLE_AF = PTE_AF;

/* ---- packed positions of the upper bits ---- */
export const PACKED_HI_SHIFT = 44;
const H = 2 ** PACKED_HI_SHIFT;
export const PTE_GP = H; /* hw 50: BTI guarded page */
export const PTE_DBM = 2 * H; /* hw 51: Dirty Bit Modifier */
export const PTE_CONT = 4 * H; /* hw 52: contiguous hint (never set by the model) */
export const PTE_PXN = 8 * H; /* hw 53 */
export const PTE_UXN = 16 * H; /* hw 54 */
/* software bits (pgtable-prot.h) */
export const PTE_WRITE = PTE_DBM; /* "same as DBM (51)" */
export const PTE_DIRTY = 32 * H; /* hw 55 */
export const PTE_SPECIAL = 64 * H; /* hw 56 */
export const PTE_UFFD_WP = 128 * H; /* hw 58 */
/** hw 59: PXNTable in a table descriptor (PMD_TABLE_PXN / PUD_TABLE_PXN); POIndex is 60–62. */
export const PMD_TABLE_PXN = 256 * H;

/** The hardware bit each packed bit 44–52 stands for. */
export const PACKED_HI_TO_HW: readonly number[] = Object.freeze([50, 51, 52, 53, 54, 55, 56, 58, 59]);

/** PTE_PRESENT_INVALID (= PTE_NG, only when !PTE_VALID): present to software, faults in hardware (PROT_NONE, pmdp_invalidate). */
export const PTE_PRESENT_INVALID = PTE_NG;
/* swap-entry bits (only in swap PTEs) */
export const PTE_SWP_EXCLUSIVE = 0x4; /* bit 2 */
export const PTE_SWP_UFFD_WP = 0x8; /* bit 3 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
/** PFNs the packed form holds: output address bits 12–43. */
export const PFN_BITS = 32;

/* ---- user protections (pgtable-prot.h), packed ---- */
/** _PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL) = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED */
export const _PAGE_DEFAULT = PTE_TYPE_PAGE + PTE_AF + PTE_SHARED; /* 0x703 */
export const PAGE_NONE = (_PAGE_DEFAULT & ~PTE_VALID) + PTE_PRESENT_INVALID + PTE_RDONLY + PTE_PXN + PTE_UXN; /* NG is PRESENT_INVALID */
/** "shared+writable pages are clean by default, hence PTE_RDONLY|PTE_WRITE" */
export const PAGE_SHARED = _PAGE_DEFAULT + PTE_USER + PTE_RDONLY + PTE_NG + PTE_PXN + PTE_UXN + PTE_WRITE;
export const PAGE_SHARED_EXEC = _PAGE_DEFAULT + PTE_USER + PTE_RDONLY + PTE_NG + PTE_PXN + PTE_WRITE;
export const PAGE_READONLY = _PAGE_DEFAULT + PTE_USER + PTE_RDONLY + PTE_NG + PTE_PXN + PTE_UXN;
export const PAGE_READONLY_EXEC = _PAGE_DEFAULT + PTE_USER + PTE_RDONLY + PTE_NG + PTE_PXN;
export const PAGE_EXECONLY = _PAGE_DEFAULT + PTE_RDONLY + PTE_NG + PTE_PXN;

/** pmd_populate()/pud_populate()/p4d_populate()/pgd_populate() for a user mm: PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_PXN. */
export const _PAGE_USER_TABLE = PMD_TYPE_TABLE + PMD_TABLE_AF + PMD_TABLE_PXN;

const bit = (n: number): bigint => 1n << BigInt(n);

/** Exact 64-bit hardware masks (bigint), for pte_val()/__pte() and tests. */
export const HW = Object.freeze({
  PTE_VALID: 1n,
  PTE_TABLE_BIT: 2n,
  PTE_USER: 0x40n,
  PTE_RDONLY: 0x80n,
  PTE_SHARED: 0x300n,
  PTE_AF: 0x400n,
  PTE_NG: 0x800n,
  PTE_ADDR_LOW: bit(48) - bit(12),
  PTE_GP: bit(50),
  PTE_DBM: bit(51),
  PTE_WRITE: bit(51),
  PTE_CONT: bit(52),
  PTE_PXN: bit(53),
  PTE_UXN: bit(54),
  PTE_DIRTY: bit(55),
  PTE_SPECIAL: bit(56),
  PTE_DEVMAP: bit(57),
  PTE_UFFD_WP: bit(58),
  PMD_TABLE_PXN: bit(59),
  /** Bits with no packed position: PA 44–47, 48–49, DEVMAP 57, POIndex/PBHA 60–63. */
  UNPACKABLE_MASK: (bit(50) - bit(44)) | bit(57) | (bit(64) - bit(60)),
});
