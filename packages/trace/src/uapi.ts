/**
 * The Linux uapi values the replay reads from a trace (x86_64,
 * include/uapi/asm-generic/mman*.h, include/uapi/linux/mman.h) that the engine
 * API does not export, and the names of the madvise advice.
 */
export const MAP_TYPE = 0x0f;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_HUGETLB = 0x40000;

/** Advice names (include/uapi/asm-generic/mman-common.h). */
export const ADVICE_NAMES: Record<number, string> = {
  0: "NORMAL",
  1: "RANDOM",
  2: "SEQUENTIAL",
  3: "WILLNEED",
  4: "DONTNEED",
  8: "FREE",
  9: "REMOVE",
  10: "DONTFORK",
  11: "DOFORK",
  12: "MERGEABLE",
  13: "UNMERGEABLE",
  14: "HUGEPAGE",
  15: "NOHUGEPAGE",
  16: "DONTDUMP",
  17: "DODUMP",
  18: "WIPEONFORK",
  19: "KEEPONFORK",
  20: "COLD",
  21: "PAGEOUT",
  22: "POPULATE_READ",
  23: "POPULATE_WRITE",
  24: "DONTNEED_LOCKED",
  25: "COLLAPSE",
  100: "HWPOISON",
  101: "SOFT_OFFLINE",
  102: "GUARD_INSTALL",
  103: "GUARD_REMOVE",
};

export const adviceName = (a: number) => ADVICE_NAMES[a] ?? `advice ${a}`;
