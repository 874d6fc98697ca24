/**
 * fast-check arbitraries for random syscall and access sequences on a small
 * address space (three 1 GiB regions in one 512 GiB slot, so tables are shared
 * and not shared), and a runner that records every user-visible result.
 */
import fc from "fast-check";
import type { Process } from "../engine.js";
import { MADV_COLD, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_PAGEOUT, MADV_WILLNEED } from "../mm/madvise.js";
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from "../mm/mmap.js";
import { G, K, M, SLOT } from "./helpers.js";

export type Op =
  | { op: "mmap"; at: number; len: number; shared: boolean; prot: number }
  | { op: "munmap" | "madvise" | "mprotect"; at: number; len: number; arg: number }
  | { op: "touch"; at: number; len: number; write: boolean };

/** Addresses: a region (0..2) 1 GiB apart, then an offset in 4 KiB pages around 2 MiB boundaries. */
const addr = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: -3, max: 3 }))
  .map(([r, mb2, pg]) => SLOT + r * G + mb2 * 2 * M + Math.max(0, pg) * 4 * K + (pg < 0 ? 2 * M + pg * 4 * K : 0));
const len = fc.oneof(fc.constantFrom(4 * K, 8 * K, 2 * M, 4 * M, 2 * M + 4 * K), fc.integer({ min: 1, max: 700 }).map((n) => n * 4 * K));
const advice = fc.constantFrom(MADV_DONTNEED, MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_WILLNEED, MADV_COLD);
const prot = fc.constantFrom(PROT_READ | PROT_WRITE, PROT_READ, 0);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("mmap" as const), at: addr, len, shared: fc.constantFrom(false, false, false, true), prot }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("touch" as const), at: addr, len: fc.integer({ min: 1, max: 600 }).map((n) => n * 4 * K), write: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("madvise" as const), at: addr, len, arg: advice }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("munmap" as const), at: addr, len, arg: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("mprotect" as const), at: addr, len, arg: prot }) },
);

export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 25 });

/** Run one op; returns what user space sees (return value, signal, or the values read). */
export function applyOp(p: Process, o: Op): string {
  switch (o.op) {
    case "mmap":
      return String(p.mmap(o.at, o.len, o.prot, MAP_ANONYMOUS | (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE));
    case "munmap":
      return String(p.munmap(o.at, o.len));
    case "madvise":
      return String(p.madvise(o.at, o.len, o.arg));
    case "mprotect":
      return String(p.mprotect(o.at, o.len, o.arg));
    case "touch": {
      if (o.write) return p.touch(o.at, o.len, true, 4 * K);
      const vals: (number | string)[] = [];
      for (let a = o.at; a < o.at + o.len; a += 64 * K) vals.push(p.load(a));
      return vals.join(",");
    }
  }
}
