/**
 * PageFrames.free_run()'s passes over a run of neighbouring frames (issue #10 §4,
 * seed40): the bad-page check (one pass over the types), the generation bump
 * (gen_bump16/gen_bump32, widening at 0xffff as free() does) and the fills,
 * against free() one frame at a time. Mutants, each caught: a bump one frame
 * short, and a run freed without the bad-page check.
 */
import { describe, expect, it } from "vitest";
import { PageFrames, PG_ANON, PG_FREE } from "./page_alloc.js";

/** Every descriptor array and counter of a PageFrames, and its free lists. */
const state = (f: PageFrames): string => JSON.stringify(f, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));

/** `bulk` and `one` with 1300 frames allocated each (2 .. 511 and 1024 .. 1813: 512 .. 1023 is the huge zero folio); frame `hot` (if any) at generation g on both. */
function pair(F: typeof PageFrames, hot = -1, g = 0): [PageFrames, PageFrames] {
  const bulk = new F();
  const one = new PageFrames();
  for (const f of [bulk, one]) {
    for (let i = 0; i < 1300; i++) f.alloc(0, PG_ANON);
    if (hot >= 0) f.flat_gen[hot] = g;
  }
  return [bulk, one];
}

/** free_run(first, n, step) on `bulk`, free() frame by frame on `one`: equal states? */
function same(F: typeof PageFrames, first: number, n: number, step: number, hot = -1, g = 0): boolean {
  const [bulk, one] = pair(F, hot, g);
  bulk.free_run(first, n, step);
  for (let i = 0; i < n; i++) one.free(first + i * step, 0);
  return state(bulk) === state(one);
}

/** Does free_run() of a run whose middle frame is already free throw, as free() would? */
function refusesBadMiddle(F: typeof PageFrames, step: number): boolean {
  const [f] = pair(F);
  f.free(1410, 0);
  expect(f.get_type(1410)).toBe(PG_FREE);
  try {
    f.free_run(step > 0 ? 1400 : 1420, step === 1 || step === -1 ? 21 : 11, step);
  } catch (e) {
    return /double free of pfn 1410/.test(String(e));
  }
  return false;
}

/** Mutant: the generation bump stops one frame short of the run's end. */
class BumpShort extends PageFrames {
  protected override bump_gens(c: number, from: number, to: number, step: number): void {
    super.bump_gens(c, from, to - step, step);
  }
}

/** Mutant: no bad-page check (a run whose middle page is not allocated is freed anyway). */
class NoBadPageCheck extends PageFrames {
  protected override first_not_freeable(): number {
    return -1;
  }
}

describe("free_run() over neighbouring frames = free() frame by frame", () => {
  it("ascending, descending and strided runs leave the same descriptors, generations and free list", () => {
    for (const [first, n, step] of [
      [1100, 200, 1],
      [1600, 200, -1],
      [1101, 50, 2],
      [1650, 60, -3],
    ]) {
      expect(same(PageFrames, first, n, step)).toBe(true);
    }
  });

  it("a 16-bit generation at 0xffff widens all to 32 bits at that frame, as free() does", () => {
    for (const [first, n, step] of [
      [1100, 200, 1],
      [1600, 200, -1],
      [1101, 50, 2],
    ]) {
      const hot = first + 20 * step;
      expect(same(PageFrames, first, n, step, hot, 0xffff)).toBe(true);
      const [bulk] = pair(PageFrames, hot, 0xffff);
      bulk.free_run(first, n, step);
      expect(bulk.gen32).toBe(true);
      expect(bulk.get_gen(hot)).toBe(0x10000);
      expect(bulk.get_gen(first + 21 * step)).toBe(1);
    }
  });

  it("a run whose middle frame is free throws free()'s double free, in every direction", () => {
    for (const step of [1, -1, 2]) expect(refusesBadMiddle(PageFrames, step)).toBe(true);
  });

  it("mutant: a generation bump one frame short is caught", () => {
    expect(same(BumpShort, 1100, 200, 1)).toBe(false);
    expect(same(BumpShort, 1600, 200, -1)).toBe(false);
  });

  it("mutant: a run freed without the bad-page check is caught", () => {
    expect(refusesBadMiddle(NoBadPageCheck, 1)).toBe(false);
    expect(refusesBadMiddle(NoBadPageCheck, -1)).toBe(false);
  });
});
