/**
 * Differential check of step 3 (the kit's fuzz has no memory-pressure op, so it
 * never runs the shrink hook): seeded random sequences of reads, writes, whole-
 * and part-slice MADV_DONTNEEDs, munmap/mmap and reclaim passes (kswapd, and
 * direct reclaim), run on Linux without reclaim and with zero-pte. Every access
 * must read the same value, every syscall return the same result; VmPTE never
 * higher with the plugin; invariants hold after every step; zero-pte frees
 * zero-page tables on every seed.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, type Process, type ReclaimPlugin } from "@mmsim/core";
import { check_exit, check_mm } from "@mmsim/core/check";
import { describe, expect, it } from "vitest";
import { zeroPte } from "./index.js";
import { zeroPteMutant } from "./mutants.js";

const K = 1024;
const M = 1024 * K;
const SLOT = 0x200000000000;
const SLICES = 8;

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

type Op = { op: "read" | "write"; at: number; n: number } | { op: "dontneed"; at: number; len: number } | { op: "remap"; at: number } | { op: "reclaim"; direct: boolean };

function ops(seed: number, count: number): Op[] {
  const r = prng(seed);
  const out: Op[] = [];
  const page = () => SLOT + r(SLICES) * 2 * M + r(512) * 4 * K;
  for (let i = 0; i < count; i++) {
    const k = r(10);
    if (k < 4) out.push({ op: "read", at: page(), n: 1 + r(64) });
    else if (k < 6) out.push({ op: "write", at: page(), n: 1 + r(4) });
    else if (k < 7) out.push({ op: "dontneed", at: SLOT + r(SLICES) * 2 * M + (r(2) ? 0 : r(512) * 4 * K), len: r(2) ? 2 * M : (1 + r(64)) * 4 * K });
    else if (k < 8) out.push({ op: "remap", at: SLOT + r(SLICES) * 2 * M });
    else out.push({ op: "reclaim", direct: r(2) === 1 });
  }
  return out;
}

function apply(p: Process, o: Op): string {
  switch (o.op) {
    case "read": {
      const v: (number | string)[] = [];
      for (let i = 0; i < o.n; i++) v.push(p.load(o.at + i * 4 * K));
      return v.join(",");
    }
    case "write":
      for (let i = 0; i < o.n; i++) p.access(o.at + i * 4 * K, true);
      return String(p.load(o.at));
    case "dontneed":
      return String(p.madvise(o.at, Math.min(o.len, SLOT + SLICES * 2 * M - o.at), MADV_DONTNEED));
    case "remap":
      return `${p.munmap(o.at, 2 * M)} ${p.mmap(o.at, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE)}`;
    case "reclaim":
      p.reclaim(256 * K, o.direct);
      return "";
  }
}

/** The first divergence of the plugin from Linux without reclaim on `seed`, or null; throws nothing. */
function divergence(seed: number, plugin: () => ReclaimPlugin): string | null {
  const base = new Engine({ arch: x86_64() }).spawn();
  const e = new Engine({ arch: x86_64(), reclaim: plugin() });
  const p = e.spawn();
  for (const q of [base, p]) q.mmap(SLOT, SLICES * 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
  try {
    for (const [i, o] of ops(seed, 120).entries()) {
      const got = apply(p, o);
      const want = apply(base, o);
      if (got !== want) return `op ${i} ${o.op}: ${got} != ${want}`;
      const v = check_mm(e.k, p.mm);
      if (v.length) return `op ${i}: ${v[0].rule}`;
    }
  } catch (err) {
    return String(err);
  }
  return null;
}

describe("zero-pte: differential against Linux without reclaim, with reclaim passes", () => {
  it("catches the mutant any-present (a table mapping user data taken for a zero-page table)", () => {
    expect([1, 2, 3].map((s) => divergence(s, () => zeroPteMutant("any-present"))).some((d) => d !== null)).toBe(true);
    expect([1, 2, 3].map((s) => divergence(s, zeroPte))).toEqual([null, null, null]);
  });
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: same results, VmPTE never higher, invariants hold, tables freed`, () => {
      const base = new Engine({ arch: x86_64() }).spawn();
      const e = new Engine({ arch: x86_64(), reclaim: zeroPte() });
      const p = e.spawn();
      for (const q of [base, p]) q.mmap(SLOT, SLICES * 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
      let freed = 0;
      for (const [i, o] of ops(seed, 120).entries()) {
        const before = p.mm.counters.pte_tables_reclaimed;
        expect(apply(p, o), `op ${i} ${JSON.stringify(o)}`).toBe(apply(base, o));
        if (o.op === "reclaim") freed += p.mm.counters.pte_tables_reclaimed - before;
        expect(p.status().VmPTE, `op ${i}`).toBeLessThanOrEqual(base.status().VmPTE);
        expect(p.status().VmRSS, `op ${i}`).toBe(base.status().VmRSS);
        expect(check_mm(e.k, p.mm), `op ${i}`).toEqual([]);
      }
      expect(freed).toBeGreaterThan(0);
      p.exit();
      expect(check_exit(e.k, p.mm)).toEqual([]);
    });
  }
});
