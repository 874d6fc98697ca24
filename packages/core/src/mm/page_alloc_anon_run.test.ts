/**
 * PageFrames.alloc_run() for an anon fault (the fault batch's fault_run()) against
 * alloc() of each frame plus the fields the fault sets (owner, mapcount 1,
 * PG_dirty): runs shorter than ANON_RUN_FILLS (one loop) and longer ones (fill()s
 * and copies from the template's cached views, lengths in any order), freed
 * ascending or descending, and frames two apart. The mutants "anon-loop-short"
 * (the loop one frame short) and "anon-ones-short" (the template's counts one
 * frame short) are caught.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PageFrames, PF_DIRTY, PG_ANON, set_frame_chunk_mutant } from "./page_alloc.js";

/** Every frame's descriptors (the first 4,096) and the counters and free lists. */
function state(f: PageFrames): string {
  const desc: number[][] = [];
  for (let p = 0; p < 4096; p++) desc.push([f.get_type(p), f.get_flags(p), f.get_refcount(p), f.get_mapcount(p), f.get_gen(p), f.get_data(p), f.get_owner(p), f.get_index(p)]);
  const rest = JSON.stringify(f, (k, v: unknown) => (k.endsWith("_dir") || k.startsWith("flat_") ? undefined : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));
  return JSON.stringify(desc) + rest;
}

/**
 * `want` frames freed from 1100 on, `gap` apart, ascending (dir 1) or descending;
 * then alloc_run(want) for an anon fault on one copy, alloc() + the fault's fields
 * `want` times on the other: the same frames, the same state?
 */
function anon_run(want: number, dir: number, gap = 1): boolean {
  const bulk = new PageFrames();
  const one = new PageFrames();
  for (const f of [bulk, one]) {
    for (let i = 0; i < 3000; i++) f.alloc(0, PG_ANON);
    for (let i = 0; i < want; i++) f.free(1100 + gap * (dir > 0 ? i : want - 1 - i), 0);
  }
  const out = { n: 0, step: 0 };
  const first = bulk.alloc_run(want, PG_ANON, out, 9);
  expect(out.n).toBe(want);
  for (let i = 0; i < want; i++) {
    const q = one.alloc(0, PG_ANON);
    expect(q).toBe(first + i * out.step);
    one.set_owner(q, 9);
    one.set_mapcount(q, 1);
    one.set_flag_bits(q, PF_DIRTY);
  }
  return state(bulk) === state(one);
}

afterEach(() => set_frame_chunk_mutant(null));

describe("alloc_run() for an anon fault = alloc() + the fault's fields", () => {
  it("short runs (one loop) and long ones (fills, the template's views in any order of lengths), both directions", () => {
    for (const want of [1, 2, 3, 5, 15, 16, 17, 100, 31, 512, 200, 16, 700]) for (const dir of [1, -1]) expect(anon_run(want, dir), `${want} ${dir}`).toBe(true);
  });

  it("frames two apart", () => {
    for (const want of [2, 3, 20]) for (const dir of [1, -1]) expect(anon_run(want, dir, 2), `${want} ${dir}`).toBe(true);
  });

  it("mutant: the counts of 1 copied one frame short (the long runs' template) is caught", () => {
    set_frame_chunk_mutant("anon-ones-short");
    expect(anon_run(512, 1)).toBe(false);
    expect(anon_run(100, -1)).toBe(false);
  });

  it("mutant: a short run's loop one frame short is caught", () => {
    set_frame_chunk_mutant("anon-loop-short");
    expect(anon_run(3, 1)).toBe(false);
    expect(anon_run(15, -1)).toBe(false);
  });
});
