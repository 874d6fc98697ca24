/**
 * Page-table entry bits, as in arch/x86/include/asm/pgtable_types.h.
 *
 * Two forms of every mask:
 * - `_PAGE_*` (numbers): the *packed form* the model stores. Bits 0–51 are at
 *   their hardware positions; NX (hardware bit 63) is at bit 52. Bits 52–62 of
 *   the hardware entry (SOFTW4/5, PKEY) have no packed position.
 * - `HW._PAGE_*` (bigints): exact 64-bit hardware masks, for comparing
 *   pte_val() results.
 *
 * Model differences from Linux: no shadow stacks, so _PAGE_SAVED_DIRTY (SOFTW5)
 * is never set and _PAGE_DIRTY_BITS is just _PAGE_DIRTY; no protection keys; no
 * memory encryption (_PAGE_ENC / _PAGE_CC are 0); CONFIG_MEM_SOFT_DIRTY=y.
 */

/* ---- bit numbers (hardware positions) ---- */
export const _PAGE_BIT_PRESENT = 0; /* is present */
export const _PAGE_BIT_RW = 1; /* writeable */
export const _PAGE_BIT_USER = 2; /* userspace addressable */
export const _PAGE_BIT_PWT = 3; /* page write through */
export const _PAGE_BIT_PCD = 4; /* page cache disabled */
export const _PAGE_BIT_ACCESSED = 5; /* was accessed (raised by CPU) */
export const _PAGE_BIT_DIRTY = 6; /* was written to (raised by CPU) */
export const _PAGE_BIT_PSE = 7; /* 4 MB (or 2MB) page */
export const _PAGE_BIT_PAT = 7; /* on 4KB pages */
export const _PAGE_BIT_GLOBAL = 8; /* Global TLB entry PPro+ */
export const _PAGE_BIT_SOFTW1 = 9; /* available for programmer */
export const _PAGE_BIT_SOFTW2 = 10; /* " */
export const _PAGE_BIT_SOFTW3 = 11; /* " */
export const _PAGE_BIT_PAT_LARGE = 12; /* On 2MB or 1GB pages */
export const _PAGE_BIT_SOFTW4 = 57; /* available for programmer */
export const _PAGE_BIT_SOFTW5 = 58; /* available for programmer */
export const _PAGE_BIT_PKEY_BIT0 = 59; /* Protection Keys, bit 1/4 */
export const _PAGE_BIT_PKEY_BIT1 = 60; /* Protection Keys, bit 2/4 */
export const _PAGE_BIT_PKEY_BIT2 = 61; /* Protection Keys, bit 3/4 */
export const _PAGE_BIT_PKEY_BIT3 = 62; /* Protection Keys, bit 4/4 */
export const _PAGE_BIT_NX = 63; /* No execute: only valid after cpuid check */

export const _PAGE_BIT_SPECIAL = _PAGE_BIT_SOFTW1;
export const _PAGE_BIT_UFFD_WP = _PAGE_BIT_SOFTW2; /* userfaultfd wrprotected */
export const _PAGE_BIT_SOFT_DIRTY = _PAGE_BIT_SOFTW3; /* software dirty tracking */
export const _PAGE_BIT_SAVED_DIRTY = _PAGE_BIT_SOFTW5; /* Saved Dirty bit (not modelled) */
/* If _PAGE_BIT_PRESENT is clear, we use these: */
/* - if the user mapped it with PROT_NONE; pte_present gives true */
export const _PAGE_BIT_PROTNONE = _PAGE_BIT_GLOBAL;

/** Where NX lives in the packed form (a JS number holds 53 bits). */
export const _PAGE_BIT_NX_PACKED = 52;

/* ---- packed-form masks (numbers) ---- */
export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_PWT = 0x008;
export const _PAGE_PCD = 0x010;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;
export const _PAGE_PSE = 0x080;
export const _PAGE_PAT = 0x080;
export const _PAGE_GLOBAL = 0x100;
export const _PAGE_SOFTW1 = 0x200;
export const _PAGE_SOFTW2 = 0x400;
export const _PAGE_SOFTW3 = 0x800;
export const _PAGE_PAT_LARGE = 0x1000;
export const _PAGE_SPECIAL = _PAGE_SOFTW1;
export const _PAGE_UFFD_WP = _PAGE_SOFTW2;
export const _PAGE_SOFT_DIRTY = _PAGE_SOFTW3;
export const _PAGE_PROTNONE = _PAGE_GLOBAL;
/** NX in the packed form: bit 52 = 2^52 (hardware bit 63). */
export const _PAGE_NX = 2 ** 52;
/** _PAGE_DIRTY | _PAGE_SAVED_DIRTY in Linux; SAVED_DIRTY is not modelled. */
export const _PAGE_DIRTY_BITS = _PAGE_DIRTY;
/** Knights Landing erratum: A and D may be set by hardware on non-present entries. */
export const _PAGE_KNL_ERRATUM_MASK = _PAGE_DIRTY | _PAGE_ACCESSED;

/* Swap-entry bits (non-present format; pgtable_types.h / pgtable_64.h). */
export const _PAGE_SWP_SOFT_DIRTY = _PAGE_RW;
export const _PAGE_SWP_UFFD_WP = _PAGE_USER;
export const _PAGE_SWP_EXCLUSIVE = _PAGE_PWT;

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
/** __PHYSICAL_MASK_SHIFT: 52 physical address bits. */
export const __PHYSICAL_MASK_SHIFT = 52;
/** PTE_PFN_MASK: bits 12–51 (same value in packed and hardware form). */
export const PTE_PFN_MASK = 2 ** 52 - 2 ** 12;
/** PHYSICAL_PMD_PAGE_MASK: bits 21–51. */
export const PHYSICAL_PMD_PAGE_MASK = 2 ** 52 - 2 ** 21;
/** PTE_FLAGS_MASK restricted to the packed form: bits 0–11 and NX. */
export const PTE_FLAGS_MASK = 0xfff + _PAGE_NX;

/**
 * Set of bits not changed in pte_modify(). Linux's value also has
 * _PAGE_SAVED_DIRTY (bit 58, not modelled) and _PAGE_CC (0 without encryption).
 */
export const _PAGE_CHG_MASK =
  PTE_PFN_MASK + _PAGE_PCD + _PAGE_PWT + _PAGE_SPECIAL + _PAGE_ACCESSED + _PAGE_DIRTY_BITS + _PAGE_SOFT_DIRTY + _PAGE_UFFD_WP + _PAGE_PAT;
/** pmd_modify()'s mask: _COMMON_PAGE_CHG_MASK | _PAGE_PSE | _PAGE_PAT_LARGE (PSE == PAT, PAT_LARGE is inside PTE_PFN_MASK). */
export const _HPAGE_CHG_MASK = _PAGE_CHG_MASK;
/** The low 12 bits of _PAGE_CHG_MASK (0xef8), and the low flags pte_modify() takes from newprot (0x107). */
export const _PAGE_CHG_MASK_LOW = 0xef8;
export const _PAGE_NEWPROT_MASK_LOW = 0xfff - _PAGE_CHG_MASK_LOW;

export const _PAGE_TABLE = _PAGE_PRESENT + _PAGE_RW + _PAGE_USER + _PAGE_ACCESSED + _PAGE_DIRTY; /* 0x67 */
export const _KERNPG_TABLE = _PAGE_PRESENT + _PAGE_RW + _PAGE_ACCESSED + _PAGE_DIRTY; /* 0x63 */

/* ---- user protections (packed form), as built by __pg() in pgtable_types.h ---- */
export const PAGE_NONE = _PAGE_PROTNONE + _PAGE_ACCESSED; /* 0x120 */
export const PAGE_SHARED = _PAGE_PRESENT + _PAGE_RW + _PAGE_USER + _PAGE_ACCESSED + _PAGE_NX;
export const PAGE_SHARED_EXEC = _PAGE_PRESENT + _PAGE_RW + _PAGE_USER + _PAGE_ACCESSED;
export const PAGE_COPY_NOEXEC = _PAGE_PRESENT + _PAGE_USER + _PAGE_ACCESSED + _PAGE_NX;
export const PAGE_COPY_EXEC = _PAGE_PRESENT + _PAGE_USER + _PAGE_ACCESSED;
export const PAGE_COPY = PAGE_COPY_NOEXEC;
export const PAGE_READONLY = _PAGE_PRESENT + _PAGE_USER + _PAGE_ACCESSED + _PAGE_NX;
export const PAGE_READONLY_EXEC = _PAGE_PRESENT + _PAGE_USER + _PAGE_ACCESSED;

const bit = (n: number): bigint => 1n << BigInt(n);

/** Exact 64-bit hardware masks (bigint), for pte_val()/__pte() and tests. */
export const HW = Object.freeze({
  _PAGE_PRESENT: bit(_PAGE_BIT_PRESENT),
  _PAGE_RW: bit(_PAGE_BIT_RW),
  _PAGE_USER: bit(_PAGE_BIT_USER),
  _PAGE_PWT: bit(_PAGE_BIT_PWT),
  _PAGE_PCD: bit(_PAGE_BIT_PCD),
  _PAGE_ACCESSED: bit(_PAGE_BIT_ACCESSED),
  _PAGE_DIRTY: bit(_PAGE_BIT_DIRTY),
  _PAGE_PSE: bit(_PAGE_BIT_PSE),
  _PAGE_PAT: bit(_PAGE_BIT_PAT),
  _PAGE_GLOBAL: bit(_PAGE_BIT_GLOBAL),
  _PAGE_SOFTW1: bit(_PAGE_BIT_SOFTW1),
  _PAGE_SOFTW2: bit(_PAGE_BIT_SOFTW2),
  _PAGE_SOFTW3: bit(_PAGE_BIT_SOFTW3),
  _PAGE_PAT_LARGE: bit(_PAGE_BIT_PAT_LARGE),
  _PAGE_SOFTW4: bit(_PAGE_BIT_SOFTW4),
  _PAGE_SOFTW5: bit(_PAGE_BIT_SOFTW5),
  _PAGE_PKEY_BIT0: bit(_PAGE_BIT_PKEY_BIT0),
  _PAGE_PKEY_BIT1: bit(_PAGE_BIT_PKEY_BIT1),
  _PAGE_PKEY_BIT2: bit(_PAGE_BIT_PKEY_BIT2),
  _PAGE_PKEY_BIT3: bit(_PAGE_BIT_PKEY_BIT3),
  _PAGE_PKEY_MASK: bit(59) | bit(60) | bit(61) | bit(62),
  _PAGE_NX: bit(_PAGE_BIT_NX),
  _PAGE_SPECIAL: bit(_PAGE_BIT_SPECIAL),
  _PAGE_UFFD_WP: bit(_PAGE_BIT_UFFD_WP),
  _PAGE_SOFT_DIRTY: bit(_PAGE_BIT_SOFT_DIRTY),
  _PAGE_SAVED_DIRTY: bit(_PAGE_BIT_SAVED_DIRTY),
  _PAGE_PROTNONE: bit(_PAGE_BIT_PROTNONE),
  _PAGE_KNL_ERRATUM_MASK: bit(_PAGE_BIT_DIRTY) | bit(_PAGE_BIT_ACCESSED),
  PTE_PFN_MASK: (bit(52) - 1n) & ~0xfffn,
  PHYSICAL_PMD_PAGE_MASK: (bit(52) - 1n) & ~(bit(21) - 1n),
  /** As the packed _PAGE_CHG_MASK (without the unmodelled _PAGE_SAVED_DIRTY). */
  _PAGE_CHG_MASK: ((bit(52) - 1n) & ~0xfffn) | 0xef8n,
  _PAGE_TABLE: 0x67n,
  _KERNPG_TABLE: 0x63n,
  PAGE_NONE: 0x120n,
  PAGE_SHARED: 0x27n | bit(63),
  PAGE_SHARED_EXEC: 0x27n,
  PAGE_COPY_NOEXEC: 0x25n | bit(63),
  PAGE_COPY_EXEC: 0x25n,
  PAGE_COPY: 0x25n | bit(63),
  PAGE_READONLY: 0x25n | bit(63),
  PAGE_READONLY_EXEC: 0x25n,
  /** Bits 52–62: no place in the packed form for a present (or non-swap) entry. */
  UNPACKABLE_MASK: (bit(63) - 1n) & ~(bit(52) - 1n),
});
