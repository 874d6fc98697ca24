/**
 * fast-check arbitraries for random syscall and access sequences on a small
 * address space (three 1 GiB regions in one 512 GiB slot, so tables are shared
 * and not shared), and a runner that records every user-visible result.
 */
import fc from "fast-check";
import { applyOp, type FuzzOp } from "../check/fuzz_ops.js";
import { MADV_COLD, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_PAGEOUT, MADV_WILLNEED } from "../mm/madvise.js";
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from "../mm/madvise_guard.js";
import { PROT_READ, PROT_WRITE } from "../mm/mmap.js";
import { G, K, M, SLOT } from "./helpers.js";

export type Op = FuzzOp;

/** Addresses: a region (0..2) 1 GiB apart, then an offset in 4 KiB pages around 2 MiB boundaries. */
const addr = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: -3, max: 3 }))
  .map(([r, mb2, pg]) => SLOT + r * G + mb2 * 2 * M + Math.max(0, pg) * 4 * K + (pg < 0 ? 2 * M + pg * 4 * K : 0));
const len = fc.oneof(fc.constantFrom(4 * K, 8 * K, 2 * M, 4 * M, 2 * M + 4 * K), fc.integer({ min: 1, max: 700 }).map((n) => n * 4 * K));
const advice = fc.constantFrom(MADV_DONTNEED, MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_WILLNEED, MADV_COLD, MADV_GUARD_INSTALL, MADV_GUARD_REMOVE);
const prot = fc.constantFrom(PROT_READ | PROT_WRITE, PROT_READ, 0);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("mmap" as const), at: addr, len, shared: fc.constantFrom(false, false, false, true), prot }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("touch" as const), at: addr, len: fc.integer({ min: 1, max: 600 }).map((n) => n * 4 * K), write: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("madvise" as const), at: addr, len, arg: advice }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("munmap" as const), at: addr, len, arg: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("mprotect" as const), at: addr, len, arg: prot }) },
);

export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 25 });

export { applyOp };
