/**
 * PageFrames' narrow descriptor fields (issue #10 §3): `gen` and `owner` start 16
 * bits wide and widen to 32 bits, keeping every value, the first time a value
 * needs it (a frame freed the 65,536th time; an mm id past 65,535), so the
 * narrowing is no model limit. Each mutant (a widening that loses what was
 * there, or none at all) is caught.
 */
import { describe, expect, it } from "vitest";
import { PageFrames, PG_ANON } from "./page_alloc.js";
import { PtStore, PTE_LEVEL } from "../pgtable/store.js";

/** The mutant: widening copies nothing (the frames' earlier values are lost). */
class ForgetfulFrames extends PageFrames {
  protected override widened<T extends Int32Array | Uint32Array>(dir: ArrayLike<number>[], mk: new (n: number) => T, _used: number[]): T[] {
    return dir.map((old) => new mk(old.length));
  }
}

/** The mutant: an mm id past 65,535 is stored in 16 bits (wraps). */
class NarrowOwnerFrames extends PageFrames {
  override owner_fits(): void {}
}

function genWraps(f: PageFrames): number[] {
  const other = f.alloc(0, PG_ANON);
  f.free(other, 0);
  const keep = f.alloc(0, PG_ANON); // the same frame, reused (LIFO)
  const victim = f.alloc(0, PG_ANON);
  let same = true;
  for (let i = 0; i < 70_000; i++) {
    f.free(victim, 0);
    same &&= f.alloc(0, PG_ANON) === victim;
  }
  expect(same).toBe(true);
  return [f.get_gen(keep), f.get_gen(victim), f.gen32 ? 32 : 16];
}

function ownerWide(f: PageFrames): number[] {
  const pt = new PtStore(f);
  const a = pt.alloc(PTE_LEVEL, 7);
  const b = pt.alloc(PTE_LEVEL, 70_000);
  return [f.get_owner(a), f.get_owner(b), pt.lookup(a), pt.lookup(b)];
}

describe("PageFrames: 16-bit gen and owner that widen when a value needs it", () => {
  it("gen counts past 65,535 frees of one frame, the other frames' generations kept", () => {
    const f = new PageFrames();
    expect(f.gen_dir[0]).toBeInstanceOf(Uint16Array);
    expect(genWraps(f)).toEqual([1, 70_000, 32]);
  });

  it("owner holds an mm id past 65,535, the earlier owners kept", () => {
    const f = new PageFrames();
    expect(f.owner_dir[0]).toBeInstanceOf(Uint16Array);
    expect(ownerWide(f)).toEqual([7, 70_000, 0, 1]);
    expect(f.owner_dir[0]).toBeInstanceOf(Int32Array);
  });

  it("mutant: a widening that loses the values is caught", () => {
    expect(genWraps(new ForgetfulFrames())).not.toEqual([1, 70_000, 32]);
    expect(ownerWide(new ForgetfulFrames())).not.toEqual([7, 70_000, 0, 1]);
  });

  it("mutant: an owner kept 16 bits wide is caught", () => {
    expect(ownerWide(new NarrowOwnerFrames())).not.toEqual([7, 70_000, 0, 1]);
  });
});
