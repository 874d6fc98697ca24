/**
 * The store's own limit (issue #10 §4: no hard limit below 2^31 live tables):
 * the 2^31-th table (slot 2^31 - 1) is allocated and holds its entries; the next
 * allocation fails with the store's out-of-memory error. The store is made to
 * look full by moving its never-used slot counter (the 2^31 tables themselves
 * would need ~86 GB of host memory); a limit one short of 2^31 fails the first
 * half, no limit the second.
 */
import { describe, expect, it } from "vitest";
import { PageFrames } from "../mm/page_alloc.js";
import { MAX_TABLES, PageTableStoreFull, PTE_LEVEL, PtStore } from "./store.js";

/** The store's private slot bookkeeping, as this test moves it. */
interface StoreSlots {
  next_slot: number;
  m64: unknown[];
  m32: unknown[];
  m16: unknown[];
}

/** A store whose next never-used slot is `slot` (the metadata chunks below it left as holes: never read here). */
function store_at(slot: number): PtStore {
  const pt = new PtStore(new PageFrames(2 ** 20));
  const s = pt as unknown as StoreSlots;
  const chunk = Math.floor(slot / 4096);
  s.next_slot = slot;
  s.m64.length = s.m32.length = s.m16.length = chunk;
  return pt;
}

describe("PtStore's table limit", () => {
  it("is 2^31 live tables", () => {
    expect(MAX_TABLES).toBe(2 ** 31);
  });

  it("allocates the 2^31-th table, whose entries work up to pte_t * 2^40 - 1, then is full", () => {
    const pt = store_at(2 ** 31 - 1);
    const pfn = pt.alloc(PTE_LEVEL, 1);
    expect(pt.slot(pfn)).toBe(2 ** 31 - 1);
    const last = pt.entry(pfn, 511);
    expect(last).toBe(2 ** 40 - 1);
    pt.set(last, 0x1234 * 4096 + 0x67);
    pt.set(pt.entry(pfn, 0), 0x99 * 4096 + 0x67);
    expect([pt.get(last), pt.get(pt.entry(pfn, 0)), pt.nr_used(pfn), pt.table_of(last)]).toEqual([0x1234 * 4096 + 0x67, 0x99 * 4096 + 0x67, 2, pfn]);
    expect(() => pt.alloc(PTE_LEVEL, 1)).toThrow(PageTableStoreFull);
    expect(() => pt.alloc(PTE_LEVEL, 1)).toThrow(/page-table store full: 2147483648 live tables/);
  });

  it("reuses a freed slot when full", () => {
    const pt = store_at(2 ** 31 - 1);
    const pfn = pt.alloc(PTE_LEVEL, 1);
    pt.free(pfn);
    const again = pt.alloc(PTE_LEVEL, 1);
    expect(pt.slot(again)).toBe(2 ** 31 - 1);
    expect(() => pt.alloc(PTE_LEVEL, 1)).toThrow(PageTableStoreFull);
  });
});
