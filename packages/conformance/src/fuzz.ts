/**
 * fast-check arbitraries for differential fuzzing: random syscall and access
 * sequences over three 1 GiB regions of one 512 GiB slot (so tables are both
 * shared and not), with user-visible results recorded per operation.
 */
import { MADV_COLD, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_PAGEOUT } from "@mmsim/core";
import { type FuzzOp } from "@mmsim/core/check";
import fc from "fast-check";

const K = 1024;
const M = 1024 * K;
const G = 1024 * M;
const SLOT = 0x200000000000;


const addr = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
  .map(([r, mb2, pg]) => SLOT + r * G + mb2 * 2 * M + pg * 4 * K);
const len = fc.oneof(fc.constantFrom(4 * K, 2 * M, 4 * M, 2 * M + 8 * K, 8 * M), fc.integer({ min: 1, max: 700 }).map((n) => n * 4 * K));
const advice = fc.constantFrom(MADV_DONTNEED, MADV_DONTNEED, MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_COLD);

export const opArb: fc.Arbitrary<FuzzOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("mmap" as const), at: addr, len, shared: fc.constantFrom(false, false, false, true), prot: fc.constantFrom(3, 3, 1) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("touch" as const), at: addr, len: fc.integer({ min: 1, max: 1100 }).map((n) => n * 4 * K), write: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("madvise" as const), at: addr, len, arg: advice }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("munmap" as const), at: addr, len, arg: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("mprotect" as const), at: addr, len, arg: fc.constantFrom(3, 1, 0) }) },
);

export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 30 });
