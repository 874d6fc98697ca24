/**
 * PageFrames.free_last_puts() (issue #10 §4, seed40): the mmu_gather flush's check
 * (refcount 1, not a large folio's head) and free of a recorded run in one pass,
 * against what it stands for: the length of the run's prefix whose puts are the last,
 * then free() of each of those frames in order (free_run()). Mutants (the page
 * allocator's test switch), each caught: the descriptors filled one frame short, and
 * the run freed without free()'s bad-page check.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PageFrames, PF_HEAD, PG_ANON, PG_ZERO, set_frame_chunk_mutant } from "./page_alloc.js";

/** Every descriptor array and counter of a PageFrames, and its free lists. */
const state = (f: PageFrames): string => JSON.stringify(f, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));

/** Two PageFrames with 1300 frames allocated (2 .. 511 and 1024 .. 1813: 512 .. 1023 is the huge zero folio), prepared alike. */
function pair(prep: (f: PageFrames) => void = () => {}): [PageFrames, PageFrames] {
  const fs = [new PageFrames(), new PageFrames()] as const;
  for (const f of fs) {
    for (let i = 0; i < 1300; i++) f.alloc(0, PG_ANON);
    prep(f);
  }
  return [fs[0], fs[1]];
}

/** free_last_puts(first, n, step) on one, the prefix of last puts freed one by one on the other: [returned, expected, same state]. */
function compare(first: number, n: number, step: number, prep?: (f: PageFrames) => void): [number, number, boolean] {
  const [bulk, one] = pair(prep);
  let want = 0;
  while (want < n && one.get_refcount(first + want * step) === 1 && (one.get_flags(first + want * step) & PF_HEAD) === 0) want++;
  if (want < 2) want = 0;
  const got = bulk.free_last_puts(first, n, step);
  for (let i = 0; i < want; i++) one.free(first + i * step, 0);
  return [got, want, state(bulk) === state(one)];
}

afterEach(() => set_frame_chunk_mutant(null));

describe("free_last_puts() = the last puts' prefix freed with free() one by one", () => {
  it("a whole run, ascending and descending", () => {
    expect(compare(1100, 300, 1)).toEqual([300, 300, true]);
    expect(compare(1700, 300, -1)).toEqual([300, 300, true]);
  });

  it("stops before a frame with another reference or a large folio's head", () => {
    expect(compare(1100, 300, 1, (f) => f.add_refcount(1250, 1))).toEqual([150, 150, true]);
    expect(compare(1700, 300, -1, (f) => f.set_flag_bits(1600, PF_HEAD))).toEqual([100, 100, true]);
  });

  it("frees nothing when fewer than two frames qualify (the caller puts the first)", () => {
    expect(compare(1100, 300, 1, (f) => f.add_refcount(1101, 1))).toEqual([0, 0, true]);
    expect(compare(1100, 1, 1)).toEqual([0, 0, true]);
  });

  it("a 16-bit generation at 0xffff widens all to 32 bits at that frame, as free() does", () => {
    const prep = (f: PageFrames) => {
      f.flat_gen[1150] = 0xffff;
    };
    expect(compare(1100, 300, 1, prep)).toEqual([300, 300, true]);
    const [bulk] = pair(prep);
    bulk.free_last_puts(1100, 300, 1);
    expect([bulk.gen32, bulk.get_gen(1150), bulk.get_gen(1151)]).toEqual([true, 0x10000, 1]);
  });

  it("a frame free() refuses in the run throws free()'s error", () => {
    const [f] = pair((g) => g.set_type(1150, PG_ZERO));
    expect(() => f.free_last_puts(1100, 300, 1)).toThrow(/freeing pfn 1150 of type 3/);
  });

  it("mutant: the descriptors filled one frame short is caught", () => {
    set_frame_chunk_mutant("last-puts-short");
    expect(compare(1100, 300, 1)[2]).toBe(false);
  });

  it("mutant: a run freed without the bad-page check is caught", () => {
    set_frame_chunk_mutant("last-puts-unchecked");
    const [f] = pair((g) => g.set_type(1150, PG_ZERO));
    expect(() => f.free_last_puts(1100, 300, 1)).not.toThrow();
  });
});
