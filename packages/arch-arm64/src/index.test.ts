/** The arm64 arch object: the contract's fields, the layout, and the broadcast-TLBI flag core honours. */
import { describe, expect, it } from "vitest";
import { arm64 } from "./index.js";

describe("arm64()", () => {
  it("is one frozen object with the 4 KiB / 48-bit / 4-level layout", () => {
    const a = arm64();
    expect(a).toBe(arm64());
    expect(Object.isFrozen(a)).toBe(true);
    expect([a.name, a.levels, a.p4d_folded, a.PAGE_SHIFT, a.PMD_SHIFT, a.PUD_SHIFT, a.PGDIR_SHIFT, a.PTRS_PER_PGD, a.PTRS_PER_P4D]).toEqual(["arm64", 4, true, 12, 21, 30, 39, 512, 1]);
    expect(a.TASK_SIZE).toBe(2 ** 48);
    expect(a.DEFAULT_MMAP_BASE).toBe(0xfffff8000000); // STACK_TOP - MIN_GAP (128 MiB), mm/util.c without ASLR
    expect([a.MMU_GATHER_RCU_TABLE_FREE, a.tlbi_broadcast, a.paravirt_flush]).toEqual([true, true, undefined]);
    expect(typeof a.mmu_access_leaf).toBe("function");
  });
});
