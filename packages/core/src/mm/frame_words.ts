/**
 * Word views of the page descriptors' chunks, and the word-wide passes of the
 * range batches' per-frame loops that use them (issue #10 §1/§4, "frameloops").
 *
 * The seed loop's hot frame loops test and update every frame of a 2 MiB run:
 * the zap's rmap (type PG_ANON, no PF_HEAD, mapcount--), the mmu_gather flush's
 * last puts (refcount 1, no PF_HEAD, free()'s bad-page check, the 16-bit
 * generation bump). Done a frame at a time they cost one JS loop iteration per
 * frame (and ~50 ns an iteration while the loop still runs in the interpreter,
 * before V8 optimises it). Here the same descriptors are read through views of
 * the same memory that hold several frames a word:
 *   - type and flags: 4 frames an Int32Array word (the byte of frame o is byte
 *     o & 3 of word o >> 2, on either byte order: the constants are the same in
 *     every byte);
 *   - refcount and mapcount: 2 frames a Float64Array element, compared by bit
 *     pattern with two int32 1s (ONE2: a denormal; never NaN, so === compares the
 *     bits);
 *   - 16-bit generations: 2 frames an Int32Array word; both are bumped with one
 *     add of 0x00010001 when neither half is 0xffff (else one half's carry would
 *     reach the other: the pass is undone and the per-frame path widens, as free()).
 * Frames before the first whole word of a run and after the last are done one by
 * one. A pass is optimistic: it checks and updates every frame of the run and,
 * when some frame is not the uniform case (another type, a reference left, a
 * generation at 0xffff), undoes what it changed and returns false; the caller's
 * per-frame loop then does the run as before (where it stops, what it throws).
 * The results are the per-frame loops' exactly (free_last_puts.test.ts,
 * frame_words.test.ts, the digest test).
 *
 * The views are made once per chunk (PageFrames.words_dir, flat_words), when a
 * chunk or the first region's arrays are made or replaced (grown, generations
 * widened), never per call.
 */
import type { FrameWords } from "../types/mm_types.js";

/** Two int32 1s as the bits of one double: a pair of refcounts (mapcounts) that are both 1. */
export const ONE2 = new Float64Array(new Int32Array([1, 1]).buffer)[0];
const EMPTY_I32 = new Int32Array(0);

/**
 * Deliberately wrong word-wide passes, for frame_words.test.ts (each must be
 * caught): "words-edge" leaves the last frame before the first whole word (the
 * run's unaligned head) out of the check and the update; "words-gen-carry" bumps
 * a pair of 16-bit generations without stopping at a half at 0xffff (its carry
 * reaches the other half); "words-rmap-uniform" clears the mapcounts without
 * checking they are all 1.
 */
export type FrameWordsMutant = "words-edge" | "words-gen-carry" | "words-rmap-uniform";
let mutant: FrameWordsMutant | null = null;
/** Set (or clear, null) the word-pass mutant (tests only). */
export function set_frame_words_mutant(m: FrameWordsMutant | null): void {
  mutant = m;
}

/** The byte offset of `a`, which must be 8-byte aligned (chunks are: a model bug otherwise). */
function aligned(a: ArrayBufferView): number {
  if (a.byteOffset % 8 !== 0) throw new Error(`frame_words: a descriptor array at byte offset ${a.byteOffset} (a model bug: chunks are 8-byte aligned)`);
  return a.byteOffset;
}
/** An Int32Array over the same memory as `a` (its whole words: a tail of fewer than 4 bytes is not in it). */
function int32_view(a: Uint8Array | Uint16Array | Int32Array | Uint32Array): Int32Array {
  return new Int32Array(a.buffer, aligned(a), Math.floor(a.byteLength / 4));
}
function float64_view(a: Int32Array): Float64Array {
  return new Float64Array(a.buffer, aligned(a), Math.floor(a.byteLength / 8));
}

/** The word views of one chunk's (or the first region's) descriptor arrays. */
export function frame_words(type: Uint8Array, flags: Uint8Array, refcount: Int32Array, mapcount: Int32Array, gen: Uint16Array | Uint32Array): FrameWords {
  return {
    type4: int32_view(type),
    flags4: int32_view(flags),
    refcount2: float64_view(refcount),
    mapcount2: float64_view(mapcount),
    gen2: gen instanceof Uint16Array ? int32_view(gen) : EMPTY_I32,
  };
}

/** A byte's value in each of a word's 4 bytes. */
const X4 = 0x01010101;

/**
 * free_last_puts()'s uniform case, with 16-bit generations: every frame at offsets
 * lo .. hi - 1 (hi - lo >= 8) has refcount 1, no PF_HEAD, type `type_v` (one
 * free() takes) and a generation below 0xffff. Then each generation is bumped and
 * true returned; else nothing is changed and false returned.
 */
export function last_puts_words16(
  w: FrameWords,
  refcount: Int32Array,
  flags: Uint8Array,
  type: Uint8Array,
  gen: Uint16Array,
  lo: number,
  hi: number,
  type_v: number,
  head: number,
): boolean {
  // Whole words a .. b - 1 (b > a: hi - lo >= 8); the head lo .. a - 1 and tail b .. hi - 1 one by one.
  const a = (lo + 3) & ~3;
  const b = hi & ~3;
  const skip = mutant === "words-edge" && a > lo ? a - 1 : -1;
  // The first 4 and the last 4 frames (the head and tail are among them) checked one by one:
  // a fixed count, so these loops run on every call (a loop that first runs late, on the
  // first unaligned run, would deoptimise the function then: V8 had no feedback for it).
  let bad = 0;
  for (let k = 0; k < 4; k++) {
    const p = lo + k;
    const q = hi - 4 + k;
    bad |= ((refcount[p] ^ 1) | (type[p] ^ type_v) | (flags[p] & head) | ((gen[p] + 1) >> 16)) & (p === skip ? 0 : -1);
    bad |= (refcount[q] ^ 1) | (type[q] ^ type_v) | (flags[q] & head) | ((gen[q] + 1) >> 16);
  }
  if (bad !== 0) return false;
  const t4 = w.type4;
  const f4 = w.flags4;
  const r2 = w.refcount2;
  const g2 = w.gen2;
  const tv = type_v * X4;
  const hv = head * X4;
  const one2 = ONE2;
  // A half at 0xffff: the low 15 bits + 1 carry into bit 15, and bit 15 is set (per half).
  const hz_mask = mutant === "words-gen-carry" ? 0 : 0x80008000 | 0;
  let hz = 0;
  const wa = a >> 2;
  const wb = b >> 2;
  for (let i = wa; i < wb; i++) {
    const h = i << 1;
    bad |= (t4[i] ^ tv) | (f4[i] & hv);
    if (r2[h] !== one2 || r2[h + 1] !== one2) bad = 1;
    const x = g2[h];
    const y = g2[h + 1];
    hz |= ((((x & 0x7fff7fff) + 0x00010001) & x) | (((y & 0x7fff7fff) + 0x00010001) & y)) & hz_mask;
    g2[h] = (x + 0x00010001) | 0;
    g2[h + 1] = (y + 0x00010001) | 0;
  }
  if ((bad | hz) !== 0) {
    // Not the uniform case: every word as it was (the adds wrap, so the subtractions restore them).
    for (let h = wa << 1, e = wb << 1; h < e; h++) g2[h] = (g2[h] - 0x00010001) | 0;
    return false;
  }
  // The head's and the tail's (the frames among the first and last 4 that are in no whole word).
  for (let k = 0; k < 4; k++) {
    const p = lo + k;
    const q = hi - 4 + k;
    gen[p] += p < a && p !== skip ? 1 : 0;
    gen[q] += q >= b ? 1 : 0;
  }
  return true;
}

/** last_puts_words16() with 32-bit generations (each bumped, wrapping after 2^32 frees as free() does). */
export function last_puts_words32(
  w: FrameWords,
  refcount: Int32Array,
  flags: Uint8Array,
  type: Uint8Array,
  gen: Uint32Array,
  lo: number,
  hi: number,
  type_v: number,
  head: number,
): boolean {
  if (!uniform_frames(w, refcount, flags, type, lo, hi, type_v, head)) return false;
  for (let q = lo; q < hi; q++) gen[q]++;
  return true;
}

/**
 * Do the frames at offsets lo .. hi - 1 (hi - lo >= 8) all have count 1 in `count`
 * (refcount or mapcount: `count2` its pairs), type `type_v` and no `head` flag?
 */
function uniform_frames(w: FrameWords, count: Int32Array, flags: Uint8Array, type: Uint8Array, lo: number, hi: number, type_v: number, head: number, count2 = w.refcount2): boolean {
  const a = (lo + 3) & ~3;
  const b = hi & ~3;
  const skip = mutant === "words-edge" && a > lo ? a - 1 : -1;
  // The first 4 and last 4 frames one by one (as in last_puts_words16).
  let bad = 0;
  for (let k = 0; k < 4; k++) {
    const p = lo + k;
    const q = hi - 4 + k;
    bad |= ((count[p] ^ 1) | (type[p] ^ type_v) | (flags[p] & head)) & (p === skip ? 0 : -1);
    bad |= (count[q] ^ 1) | (type[q] ^ type_v) | (flags[q] & head);
  }
  if (bad !== 0) return false;
  const t4 = w.type4;
  const f4 = w.flags4;
  const tv = type_v * X4;
  const hv = head * X4;
  const one2 = ONE2;
  for (let i = a >> 2, e = b >> 2; i < e; i++) {
    const h = i << 1;
    bad |= (t4[i] ^ tv) | (f4[i] & hv);
    if (count2[h] !== one2 || count2[h + 1] !== one2) bad = 1;
  }
  return bad === 0;
}

/**
 * rmap_run()'s uniform case: every frame at offsets lo .. hi - 1 (hi - lo >= 8) is
 * of type `type_v` without the `head` flag and has mapcount 1. Then the mapcounts
 * drop to 0 (one fill) and true is returned; else nothing is changed, false.
 */
export function rmap_words(w: FrameWords, mapcount: Int32Array, flags: Uint8Array, type: Uint8Array, lo: number, hi: number, type_v: number, head: number): boolean {
  if (mutant !== "words-rmap-uniform" && !uniform_frames(w, mapcount, flags, type, lo, hi, type_v, head, w.mapcount2)) return false;
  mapcount.fill(0, lo, hi);
  return true;
}
