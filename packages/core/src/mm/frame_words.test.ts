/**
 * The word-wide passes (frame_words.ts, issue #10 §1/§4 "frameloops") against the
 * per-frame path they stand for: PageFrames.free_last_puts() (whose uniform runs
 * go word-wide) against free() of each frame of the run's last-put prefix, and
 * rmap_words() against mapcount-- of each frame; on runs with unaligned heads and
 * tails, in both directions, with a frame in the middle that is not the uniform
 * case (another reference, a large folio's head, a 0xffff generation in either
 * half of a word, the zero page), with 32-bit generations, and on runs at a chunk
 * boundary (2^32). The word views follow the arrays they view (grown, widened).
 * Mutants, each caught: the head's last unaligned frame skipped, a 0xffff half
 * bumped with its carry into the other half, mapcounts cleared unchecked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PageFrames, PF_HEAD, PG_ANON, PG_SHMEM, PG_ZERO, set_frame_chunk_mutant } from "./page_alloc.js";
import { rmap_words, set_frame_words_mutant } from "./frame_words.js";

/** A chunk boundary past 2^32 (chunk 1024 starts at 2^32). */
const B = 2 ** 32;

/**
 * The descriptors of every frame the tests use (the first 2,048, and B - 400 ..
 * B + 399), the counters and the free lists (the other arrays: no frame there).
 */
function state(f: PageFrames): string {
  const desc: number[][] = [];
  const far = f.max_pfn > B;
  for (const [lo, hi] of far ? [[B - 400, B + 400]] : [[0, 2048]]) {
    for (let p = lo; p < hi; p++) desc.push([f.get_type(p), f.get_flags(p), f.get_refcount(p), f.get_mapcount(p), f.get_gen(p), f.get_data(p), f.get_owner(p), f.get_index(p)]);
  }
  const rest = JSON.stringify(f, (k, v: unknown) => (k.endsWith("_dir") || k.startsWith("flat_") ? undefined : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));
  return JSON.stringify(desc) + rest + String(f.gen32);
}

/** Frames 2 .. 511 and 1024 .. 1813 allocated (512 .. 1023: the huge zero folio); or, `far`, B - 300 .. B + 299. */
function frames(far: boolean, prep: (f: PageFrames) => void): PageFrames {
  const f = far ? new PageFrames(2 ** 40 - 1) : new PageFrames();
  if (far) {
    while (f.nr_free > 0) f.alloc(0, PG_ANON);
    f.skip_to(B - 300);
    for (let i = 0; i < 600; i++) f.alloc(0, PG_ANON);
  } else for (let i = 0; i < 1300; i++) f.alloc(0, PG_ANON);
  prep(f);
  return f;
}

/**
 * free_last_puts(first, n, step) on one PageFrames; on another prepared alike,
 * free() of each frame of the run while it is a last put (refcount 1, no PF_HEAD)
 * and in first's chunk, when at least two are. [returned, expected, same state].
 */
function compare(first: number, n: number, step: number, prep: (f: PageFrames) => void = () => {}, far = false): [number, number, boolean] {
  const bulk = frames(far, prep);
  const one = frames(far, prep);
  const chunk = (p: number) => Math.floor(p / 2 ** 22);
  let want = 0;
  for (let p = first; want < n && chunk(p) === chunk(first) && one.get_refcount(p) === 1 && (one.get_flags(p) & PF_HEAD) === 0; p += step) want++;
  if (want < 2) want = 0;
  const got = bulk.free_last_puts(first, n, step);
  for (let i = 0; i < want; i++) one.free(first + i * step, 0);
  return [got, want, state(bulk) === state(one)];
}

/** compare() for runs from `first` + 0 .. 3 (every alignment of the head) of n - 0 .. 3 frames (of the tail; `far`: n only), both ways. */
function every_alignment(first: number, n: number, prep?: (f: PageFrames) => void, far = false): boolean {
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < (far ? 1 : 4); b++) {
      for (const step of [1, -1]) {
        const [got, want, same] = compare(first + a * step, n - b, step, prep, far);
        if (got !== want || !same) return false;
      }
    }
  }
  return true;
}

/** 32-bit generations (frame 1812's 65,536th free widened them), one at 0xffffffff (wraps to 0, as free() does). */
function wide(f: PageFrames): void {
  f.flat_gen[1812] = 0xffff;
  f.free(1812, 0);
  f.alloc(0, PG_ANON);
  f.flat_gen[1150] = 0xffffffff;
}

afterEach(() => {
  set_frame_words_mutant(null);
  set_frame_chunk_mutant(null);
});

describe("free_last_puts() word-wide = free() frame by frame", () => {
  it("uniform runs, every alignment of head and tail, both directions", () => {
    expect(every_alignment(1100, 40)).toBe(true);
    expect(every_alignment(1101, 300)).toBe(true);
    expect(every_alignment(1700, 300)).toBe(true);
  });

  it("a frame that is not a last put, in the head, the words or the tail, ends the run there", () => {
    for (const at of [1101, 1102, 1110, 1111, 1200, 1297, 1298]) {
      expect(every_alignment(1100, 200, (f) => f.add_refcount(at, 1))).toBe(true);
      expect(every_alignment(1100, 200, (f) => f.set_flag_bits(at, PF_HEAD))).toBe(true);
    }
  });

  it("a 16-bit generation at 0xffff in either half of a word (or an edge) widens all at that frame, as free() does", () => {
    for (const at of [1100, 1101, 1102, 1103, 1104, 1105, 1150, 1151, 1296, 1297, 1299]) {
      expect(
        every_alignment(1100, 200, (f) => {
          f.flat_gen[at] = 0xffff;
        })
      ).toBe(true);
    }
    const f = frames(false, (g) => {
      g.flat_gen[1151] = 0xffff;
      g.flat_gen[1152] = 0xfffe;
    });
    f.free_last_puts(1100, 200, 1);
    expect([f.gen32, f.get_gen(1150), f.get_gen(1151), f.get_gen(1152)]).toEqual([true, 1, 0x10000, 0xffff]);
  });

  it("with 32-bit generations (widened before), uniform and not", () => {
    expect(frames(false, wide).gen32).toBe(true);
    expect(every_alignment(1100, 200, wide)).toBe(true);
    expect(
      every_alignment(1100, 200, (f) => {
        wide(f);
        f.add_refcount(1200, 1);
      })
    ).toBe(true);
  });

  it("a frame free() refuses in the middle throws free()'s error", () => {
    const f = frames(false, (g) => g.set_type(1150, PG_ZERO));
    expect(() => f.free_last_puts(1100, 300, 1)).toThrow(/freeing pfn 1150 of type 3/);
    const g = frames(false, (h) => h.set_type(1650, PG_ZERO));
    expect(() => g.free_last_puts(1700, 300, -1)).toThrow(/freeing pfn 1650 of type 3/);
  });

  it("runs at a chunk boundary past 2^32 stop at the chunk's end, every alignment", () => {
    expect(every_alignment(B - 120, 200, undefined, true)).toBe(true);
    expect(every_alignment(B + 100, 200, undefined, true)).toBe(true);
    expect(compare(B - 120, 200, 1, undefined, true)).toEqual([120, 120, true]);
    expect(compare(B + 100, 200, -1, undefined, true)).toEqual([101, 101, true]);
  });

  it("mutant: the head's last unaligned frame skipped is caught (on every path that goes word-wide)", () => {
    set_frame_words_mutant("words-edge");
    expect(every_alignment(1101, 300)).toBe(false);
    expect(
      every_alignment(1101, 300, (f) => {
        wide(f);
        f.add_refcount(1103, 1);
      })
    ).toBe(false);
    expect(every_alignment(B - 120, 200, undefined, true)).toBe(false);
  });

  it("mutant: a 0xffff half bumped into the other half is caught", () => {
    set_frame_words_mutant("words-gen-carry");
    expect(
      every_alignment(1100, 200, (f) => {
        f.flat_gen[1150] = 0xffff;
      })
    ).toBe(false);
  });
});

/** rmap_words() over offsets lo .. hi - 1 of chunk 0: [returned, mapcounts of 1090 .. 1320 after]. */
function rmap(lo: number, hi: number, prep: (f: PageFrames) => void): [boolean, number[]] {
  const f = frames(false, (g) => {
    for (let p = 1090; p < 1320; p++) g.set_mapcount(p, 1);
    prep(g);
  });
  const ok = rmap_words(f.words_dir[0], f.mapcount_dir[0], f.flags_dir[0], f.type_dir[0], lo, hi, PG_ANON, PF_HEAD);
  return [ok, Array.from(f.flat_mapcount.subarray(1090, 1320))];
}

/** The mapcounts rmap_words(lo, hi) leaves when it takes the run: those in it dropped to 0. */
function dropped(lo: number, hi: number, prep: (f: PageFrames) => void = () => {}): number[] {
  const f = frames(false, (g) => {
    for (let p = 1090; p < 1320; p++) g.set_mapcount(p, 1);
    prep(g);
  });
  for (let p = lo; p < hi; p++) f.add_mapcount(p, -1);
  return Array.from(f.flat_mapcount.subarray(1090, 1320));
}

describe("rmap_words() = mapcount-- of each frame when all are order-0 anon mapped once, else nothing", () => {
  it("takes uniform runs at every alignment", () => {
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) expect(rmap(1100 + a, 1300 - b, () => {})).toEqual([true, dropped(1100 + a, 1300 - b)]);
  });

  it("leaves a run with a frame mapped twice, of another type or a large folio's head (head, words or tail) untouched", () => {
    for (const at of [1101, 1103, 1104, 1200, 1296, 1298]) {
      for (const prep of [(f: PageFrames) => f.set_mapcount(at, 2), (f: PageFrames) => f.set_type(at, PG_SHMEM), (f: PageFrames) => f.set_flag_bits(at, PF_HEAD)]) {
        expect(rmap(1101, 1299, prep)).toEqual([false, dropped(0, 0, prep)]);
      }
    }
  });

  it("mutant: mapcounts cleared unchecked is caught", () => {
    set_frame_words_mutant("words-rmap-uniform");
    const prep = (f: PageFrames) => f.set_mapcount(1200, 2);
    expect(rmap(1101, 1299, prep)).not.toEqual([false, dropped(0, 0, prep)]);
  });
});

describe("the word views follow the arrays they view", () => {
  it("the first region grown, a chunk made, the generations widened", () => {
    const f = new PageFrames(2 ** 40 - 1);
    const same = (w: PageFrames["flat_words"], c: number) =>
      w.type4.buffer === f.type_dir[c].buffer &&
      w.flags4.buffer === f.flags_dir[c].buffer &&
      w.refcount2.buffer === f.refcount_dir[c].buffer &&
      w.mapcount2.buffer === f.mapcount_dir[c].buffer &&
      (f.gen32 ? w.gen2.length === 0 : w.gen2.buffer === f.gen_dir[c].buffer);
    expect([same(f.flat_words, 0), same(f.words_dir[0], 0)]).toEqual([true, true]);
    for (let i = 0; i < 3000; i++) f.alloc(0, PG_ANON); // the first region doubles, twice
    expect([f.flat_n >= 4096, same(f.flat_words, 0), same(f.words_dir[0], 0), f.flat_words.type4.length]).toEqual([true, true, true, f.flat_n / 4]);
    while (f.nr_free > 0) f.alloc(0, PG_ANON);
    f.skip_to(B + 10);
    const p = f.alloc(0, PG_ANON);
    expect([same(f.words_dir[1024], 1024), f.words_dir[1000].type4.length]).toEqual([true, 0]);
    f.gen_dir[1024][10] = 0xffff;
    f.free(p, 0);
    expect([f.gen32, same(f.flat_words, 0), same(f.words_dir[0], 0), same(f.words_dir[1024], 1024), f.words_dir[1000].refcount2.length + f.words_dir[1000].gen2.length]).toEqual([true, true, true, true, 0]);
  });
});

describe("the descriptors around the word passes", () => {
  it("a short run of last puts (fewer than 16: a loop, not fill()s) = free() frame by frame", () => {
    for (let n = 2; n < 18; n++) {
      expect(compare(1100, n, 1)).toEqual([n, n, true]);
      expect(compare(1700, n, -1)).toEqual([n, n, true]);
    }
  });

  it("mutant: a short run's descriptors filled one frame short is caught", () => {
    set_frame_chunk_mutant("last-puts-short");
    expect(compare(1100, 7, 1)[2]).toBe(false);
    expect(compare(1700, 7, -1)[2]).toBe(false);
  });
});
