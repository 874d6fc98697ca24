/**
 * PageFrames stores `data` and `index` relative to the PFN (DATA_PER_PFN,
 * INDEX_PER_PFN): invisible through the accessors, exact at the magnitudes the
 * model allows (PFNs up to 2^40 - 1, addresses up to 2^57, data up to 2^53), in
 * the first region and in chunks past it; alloc() leaves data 0; a table's slot
 * (PtStore.lookup()) reads back. The mutant (an accessor that forgets the PFN)
 * is caught.
 */
import { describe, expect, it } from "vitest";
import { DATA_PER_PFN, INDEX_PER_PFN, PageFrames, PG_ANON } from "./page_alloc.js";
import { PtStore, PTE_LEVEL } from "../pgtable/store.js";

/** The mutant: get_index() as before the relative store (the raw value). */
class AbsoluteIndexFrames extends PageFrames {
  override get_index(pfn: number): number {
    return pfn < this.flat_n ? this.flat_index[pfn] : this.index_dir[Math.floor(pfn / 2 ** 22)][pfn % 2 ** 22];
  }
}

/** Values set and read back through the accessors on frames in the first region and past 2^32 and near 2^40. */
function roundTrip(f: PageFrames): number[] {
  const out: number[] = [];
  const near = f.alloc(0, PG_ANON);
  while (f.nr_free > 0) f.alloc(0, PG_ANON);
  f.skip_to(2 ** 32 + 5);
  const far = f.alloc(0, PG_ANON);
  f.skip_to(2 ** 40 - 3);
  const top = f.alloc(0, PG_ANON);
  for (const pfn of [near, far, top]) {
    out.push(f.get_data(pfn)); // alloc(): data 0
    for (const [data, index] of [
      [2 ** 53 - 1, 2 ** 57 - 4096],
      [1, 4096],
      [0, 2 ** 47 + 12345],
      [123456789, 0],
    ]) {
      f.set_data(pfn, data);
      f.set_index(pfn, index);
      out.push(f.get_data(pfn), f.get_index(pfn));
    }
  }
  return out;
}

describe("PageFrames: data and index stored relative to the PFN", () => {
  it("the accessors' spelled-out values are DATA_PER_PFN and INDEX_PER_PFN", () => {
    expect([DATA_PER_PFN, INDEX_PER_PFN]).toEqual([1, 4096]);
  });

  it("read back exactly through the accessors, in the first region and in chunks up to 2^40", () => {
    const f = new PageFrames(2 ** 40 - 1);
    const want = [0, 2 ** 53 - 1, 2 ** 57 - 4096, 1, 4096, 0, 2 ** 47 + 12345, 123456789, 0];
    expect(roundTrip(f)).toEqual([...want, ...want, ...want]);
  });

  it("are stored as value - pfn (a fault run of neighbouring frames stores one value each)", () => {
    const f = new PageFrames();
    while (f.nr_free > 0) f.alloc(0, PG_ANON); // the next frames: from the top, neighbours
    const a = f.alloc(0, PG_ANON);
    const b = f.alloc(0, PG_ANON);
    expect(b).toBe(a + 1);
    f.set_data(a, 1000);
    f.set_data(b, 1001);
    f.set_index(a, 0x7f0000000000);
    f.set_index(b, 0x7f0000001000);
    expect([f.flat_data[a], f.flat_index[a]]).toEqual([f.flat_data[b], f.flat_index[b]]);
    expect(f.flat_data[a]).toBe(1000 - a * DATA_PER_PFN);
  });

  it("a page table's slot reads back (PtStore.lookup())", () => {
    const f = new PageFrames();
    const pt = new PtStore(f);
    const t = [pt.alloc(PTE_LEVEL, 1), pt.alloc(PTE_LEVEL, 1), pt.alloc(PTE_LEVEL, 1)];
    expect(t.map((pfn) => pt.lookup(pfn))).toEqual([0, 1, 2]);
    expect(t.map((pfn) => pt.slot(pfn))).toEqual([0, 1, 2]);
  });

  it("mutant: an accessor that forgets the PFN is caught", () => {
    const f = new AbsoluteIndexFrames(2 ** 40 - 1);
    expect(roundTrip(f)[2]).not.toBe(2 ** 57 - 4096);
  });
});
