/**
 * Frame descriptors in chunks (issue #10 §4: no limit below 2^40 frames): frames
 * at PFNs past 2^32 and up to 2^40 - 2 are described without descriptors for the
 * frames below them (skip_to()'s holes), survive the x86-64 PTE encoding, and
 * runs of frames that cross a chunk boundary (alloc_run(), free_run(), the fault
 * batch, the zap and the mmu_gather's free runs) leave exactly the state the
 * frame-by-frame path leaves. The mutants (a run split one frame late; a chunk
 * index taken with `>>>`, wrapping at 2^32) are caught.
 */
import { afterEach, describe, expect, it } from "vitest";
import { arm64 } from "@mmsim/arch-arm64";
import { x86_64 } from "@mmsim/arch-x86_64";
import { isMmsimError, VM_READ, VM_WRITE } from "@mmsim/spec";
import { Engine } from "../engine.js";
import { MADV_DONTNEED } from "./madvise.js";
import { DATA_PER_PFN, FRAME_CHUNK, frame_chunk, frame_off, frames_in_chunk, PageFrames, PG_ANON, PG_FREE, set_frame_chunk_mutant } from "./page_alloc.js";
import { dump_mm } from "../test/dump.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";

/** A chunk boundary past 2^32 (chunk 1024 starts at 2^32). */
const B = 2 ** 32;

afterEach(() => set_frame_chunk_mutant(null));

/** The mutant: an accessor that finds the chunk with `>>>` (wraps at 2^32: chunk 1024 aliases chunk 0). */
class WrappingFrames extends PageFrames {
  override get_data(pfn: number): number {
    return (pfn < this.flat_n ? this.flat_data[pfn] : (this.data_dir[pfn >>> 22] ?? [])[pfn & (FRAME_CHUNK - 1)]) + pfn * DATA_PER_PFN;
  }
  override set_data(pfn: number, v: number): void {
    if (pfn < this.flat_n) this.flat_data[pfn] = v - pfn * DATA_PER_PFN;
    else this.data_dir[pfn >>> 22][pfn & (FRAME_CHUNK - 1)] = v - pfn * DATA_PER_PFN;
  }
}

/** Allocate the free frames (the THP alignment gap below the huge zero folio): the next frames come from `top`. */
function drain(f: PageFrames): void {
  while (f.nr_free > 0) f.alloc(0, PG_ANON);
}

/** Frames past 2^32 and just below 2^40: their PFNs, data and the data of the frames with the same low 32 bits. */
function far_frames(f: PageFrames): number[] {
  drain(f);
  f.skip_to(B + 7);
  const a = f.alloc(0, PG_ANON);
  f.set_data(a, 42);
  f.set_index(a, 0x7f0000001000);
  f.skip_to(2 ** 40 - 4);
  const b = f.alloc(0, PG_ANON);
  f.alloc(0, PG_ANON);
  const c = f.alloc(0, PG_ANON);
  f.set_data(c, 43);
  let oom = "";
  try {
    f.alloc(0, PG_ANON);
  } catch (e) {
    oom = (e as Error).message;
  }
  return [a, f.get_data(a), f.get_index(a), f.get_data(7), f.get_type(7), b, c, f.get_data(c), f.get_type(c), oom === "out of simulated memory (max_pfn 1099511627775)" ? 1 : 0];
}
const FAR_FRAMES = [B + 7, 42, 0x7f0000001000, 0, PG_ANON, 2 ** 40 - 4, 2 ** 40 - 2, 43, PG_ANON, 1];

describe("PageFrames: descriptors in chunks, PFNs up to 2^40 - 1", () => {
  it("spells FRAME_CHUNK out right in the accessors, and finds the chunk of any PFN below 2^53", () => {
    expect(FRAME_CHUNK).toBe(4194304);
    expect([frame_chunk(B + 5), frame_off(B + 5), frame_chunk(2 ** 40 - 1), frame_off(2 ** 40 - 1)]).toEqual([1024, 5, 2 ** 18 - 1, FRAME_CHUNK - 1]);
    expect([frames_in_chunk(B - 3, 1, 100), frames_in_chunk(B + 2, -1, 100), frames_in_chunk(B - 5, 2, 100), frames_in_chunk(B + 5, -2, 100), frames_in_chunk(B - 3, 1, 2)]).toEqual([3, 3, 3, 3, 2]);
  });

  it("describes frames past 2^32 and up to 2^40 - 2 (max_pfn 2^40 - 1), allocating only their chunks", () => {
    const f = new PageFrames(2 ** 40 - 1);
    expect(far_frames(f)).toEqual(FAR_FRAMES);
    // The first region (1,024 frames, chunk 0), the chunk of 2^32 + 7 and the last: nothing in between.
    expect(f.type_dir.flatMap((a, c) => (a.length > 0 ? [c] : []))).toEqual([0, 1024, 2 ** 18 - 1]);
    expect(f.host_bytes()).toBeLessThan(100_000);
    expect(f.nr_used).toBe(1 + 512 + 510 + 4);
    // Freed and handed out again (LIFO), their generations bumped.
    f.free(B + 7, 0);
    expect([f.get_type(B + 7), f.get_gen(B + 7), f.alloc(0, PG_ANON)]).toEqual([PG_FREE, 1, B + 7]);
  });

  it("mutant: a chunk index taken with >>> (wrapping at 2^32) is caught", () => {
    expect(far_frames(new WrappingFrames(2 ** 40 - 1))).not.toEqual(FAR_FRAMES);
  });

  it("widens owner and gen past the first FRAME_CHUNK frames (the first region reserved), the directory's views following", () => {
    const f = new PageFrames();
    const out = { n: 0, step: 0 };
    while (f.nr_used < FRAME_CHUNK + 100) f.alloc_run(1 << 20, PG_ANON, out);
    const p = FRAME_CHUNK + 5;
    expect(f.flat_n).toBeGreaterThan(p);
    f.set_owner(9, 8);
    f.set_owner(p, 7);
    f.owner_fits(70_000);
    f.set_owner(p + 1, 70_000);
    expect([f.owner32, f.get_owner(9), f.get_owner(p), f.owner_dir[1][5], f.owner_dir[1][6]]).toEqual([true, 8, 7, 7, 70_000]);
    expect(f.owner_dir[1].buffer).toBe(f.flat_owner.buffer);
    for (let i = 0; i < 70_000; i++) {
      f.free(p, 0);
      f.alloc(0, PG_ANON);
    }
    expect([f.gen32, f.get_gen(p), f.gen_dir[1][5], f.get_gen(p + 1), f.get_owner(9)]).toEqual([true, 70_000, 70_000, 0, 8]);
    expect(f.gen_dir[1].buffer).toBe(f.flat_gen.buffer);
  });

  it("refuses a max_pfn past 2^40 - 1, and one the arch's entries cannot hold", () => {
    expect(() => new PageFrames(2 ** 40)).toThrow(/max_pfn must be an integer/);
    expect(new Engine({ arch: x86_64(), max_pfn: 2 ** 40 - 1 }).k.frames.max_pfn).toBe(2 ** 40 - 1);
    expect(new Engine({ arch: arm64(), max_pfn: 2 ** 32 - 1 }).k.frames.max_pfn).toBe(2 ** 32 - 1);
    let err: unknown = null;
    try {
      new Engine({ arch: arm64(), max_pfn: 2 ** 32 });
    } catch (e) {
      err = e;
    }
    expect(isMmsimError(err, "config-error")).toBe(true);
    expect((err as Error).message).toContain("does not fit arch arm64's page-table entries");
  });

  it("x86-64 entries carry PFNs past 2^32 and up to 2^40 - 1 (PTE, table entry, huge PMD)", () => {
    const a = x86_64();
    const prot = a.vm_get_page_prot(VM_READ | VM_WRITE);
    for (const pfn of [B - 1, B, B + 7, 2 ** 39 + 3, 2 ** 40 - 2, 2 ** 40 - 1]) {
      expect(a.pte_pfn(a.pfn_pte(pfn, prot))).toBe(pfn);
      expect(a.pte_pfn(a.pte_mkdirty(a.pte_mkyoung(a.pfn_pte(pfn, prot))))).toBe(pfn);
      expect(a.pxd_table_pfn(a.mk_table_entry(pfn))).toBe(pfn);
    }
    expect(a.pxd_pfn(a.pmd_mkhuge(2 ** 40 - 512, prot))).toBe(2 ** 40 - 512);
  });
});

/**
 * The frames of a run crossing chunk boundary B, allocated and freed in bulk
 * (alloc_run, free_run) and frame by frame (alloc, free): each frame's
 * descriptors and the next allocations, as text.
 */
function twin(free: (f: PageFrames, bulk: boolean) => void): [string, string] {
  const out: string[] = [];
  for (const bulk of [true, false]) {
    const f = new PageFrames(2 ** 40 - 1);
    drain(f);
    f.skip_to(B - 5);
    const got: number[] = [];
    const run = { n: 0, step: 0 };
    while (got.length < 15) {
      if (bulk) {
        const first = f.alloc_run(15 - got.length, PG_ANON, run, 3);
        if (run.n <= 0) throw new Error("alloc_run: empty run");
        for (let i = 0; i < run.n; i++) got.push(first + i * run.step);
      } else {
        const p = f.alloc(0, PG_ANON);
        f.set_owner(p, 3);
        f.set_mapcount(p, 1);
        f.set_flag_bits(p, 1);
        got.push(p);
      }
    }
    for (const p of got) f.set_data(p, p - B);
    free(f, bulk);
    const next: number[] = [];
    for (let i = 0; i < 15; i++) next.push(f.alloc(0, PG_ANON) - B);
    const desc: string[] = [];
    for (let p = B - 5; p < B + 10; p++) desc.push(`${p - B}:${f.get_type(p)},${f.get_flags(p)},${f.get_refcount(p)},${f.get_mapcount(p)},${f.get_gen(p)},${f.get_data(p)},${f.get_owner(p)}`);
    out.push(`${got.map((p) => p - B).join(" ")} | ${next.join(" ")} | ${desc.join(" ")} | ${f.nr_free} ${f.nr_used}`);
  }
  return out as [string, string];
}

const FREES: [string, (f: PageFrames, bulk: boolean) => void][] = [
  ["ascending", (f, bulk) => (bulk ? f.free_run(B - 5, 15, 1) : Array.from({ length: 15 }, (_, i) => f.free(B - 5 + i, 0)))],
  ["descending", (f, bulk) => (bulk ? f.free_run(B + 9, 15, -1) : Array.from({ length: 15 }, (_, i) => f.free(B + 9 - i, 0)))],
  ["every other frame", (f, bulk) => (bulk ? f.free_run(B - 5, 8, 2) : Array.from({ length: 8 }, (_, i) => f.free(B - 5 + 2 * i, 0)))],
  ["every other frame, descending", (f, bulk) => (bulk ? f.free_run(B + 9, 8, -2) : Array.from({ length: 8 }, (_, i) => f.free(B + 9 - 2 * i, 0)))],
];

describe("runs of frames across a chunk boundary", () => {
  it("alloc_run() stops at the chunk's end; free_run() splits; both as frame by frame", () => {
    for (const [name, free] of FREES) {
      const [bulk, one] = twin(free);
      expect(bulk, name).toBe(one);
      expect(bulk.startsWith("-5 -4 -3 -2 -1 0 1 2 3 4 5 6 7 8 9 |"), name).toBe(true);
    }
  });

  it("mutant: a run split one frame past the chunk's end is caught", () => {
    set_frame_chunk_mutant("chunk-overrun");
    const caught = FREES.map(([, free]) => {
      try {
        const [bulk, one] = twin(free);
        return bulk !== one;
      } catch {
        return true;
      }
    });
    expect(caught).toEqual([true, true, true, true]);
  });
});

/**
 * A process whose frames start just below chunk boundary `at`: it writes 4 MiB
 * (a fault batch across the boundary), reads it back, MADV_DONTNEEDs it (the zap
 * and the mmu_gather's free runs across the boundary) and writes it again (the
 * freed frames reused): the mm's tables and counters, the values read, and
 * the descriptors of the frames around the boundary.
 */
function cross(at: number, batch: boolean): string {
  const e = new Engine({ arch: x86_64(), max_pfn: 2 ** 40 - 1, batch });
  e.k.frames.skip_to(at - 300);
  const p = e.spawn();
  mmapFixed(p, SLOT, 4 * M);
  const out: string[] = [];
  for (let round = 0; round < 2; round++) {
    p.touch(SLOT, 4 * M, true);
    const vals: unknown[] = [];
    for (let a = SLOT; a < SLOT + 4 * M; a += 4096) vals.push(p.load(a));
    out.push(JSON.stringify(vals), dump_mm(e.k, p.mm));
    if (round === 0) p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    out.push(dump_mm(e.k, p.mm));
  }
  const f = e.k.frames;
  for (let q = at - 300; q < at + 1000; q++) out.push(`${f.get_type(q)},${f.get_refcount(q)},${f.get_mapcount(q)},${f.get_gen(q)},${f.get_data(q)},${f.get_index(q)}`);
  out.push(`${f.nr_free} ${f.nr_used}`);
  return out.join("\n");
}

describe("the fault batch, the zap and the mmu_gather's free runs across a chunk boundary", () => {
  it("leave the state the step-by-step path leaves, at 2^32 and just below 2^40", () => {
    for (const at of [B, 2 ** 40 - FRAME_CHUNK]) {
      const fast = cross(at, true);
      expect(fast).toBe(cross(at, false));
      // The PTEs map frames on both sides of the boundary.
      const pfns = [...fast.matchAll(/\/(\d+):(\d+)"/g)].map((m) => Math.floor(Number(m[2]) / 4096) % 2 ** 40);
      expect(pfns.some((q) => q < at) && pfns.some((q) => q >= at)).toBe(true);
    }
  });

  it("mutant: a run split one frame past the chunk's end is caught", () => {
    set_frame_chunk_mutant("chunk-overrun");
    let fast: string;
    try {
      fast = cross(B, true);
    } catch (e) {
      fast = String(e);
    }
    set_frame_chunk_mutant(null);
    expect(fast).not.toBe(cross(B, false));
  });
});
