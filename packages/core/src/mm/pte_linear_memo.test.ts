/**
 * The fault batch's pte_linear() answer is kept for the next batch asked about the
 * same arch, protections and access (do_anonymous_page_batch.ts): a VMA whose
 * entries are not linear in the PFN after the access must not get the answer
 * kept for another VMA's. On x86 every protection a fault may map gives linear
 * entries, so the test's MMU is x86's with one more bit, set by the access of an
 * executable entry of an odd PFN (PCD, which the model gives no meaning): linear
 * for a PROT_READ | PROT_WRITE VMA, not for a PROT_EXEC one. The batch must leave
 * the same tables as the step-by-step path; the mutant that keeps the answer for
 * any protections ("fault-linear-memo") must not.
 */
import { describe, expect, it } from "vitest";
import type { Arch } from "../pgtable/arch.js";
import { Engine } from "../engine.js";
import { arch } from "../test/arch.js";
import { dump_mm } from "../test/dump.js";
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from "./mmap.js";
import { set_range_batch_mutant, type RangeBatchMutant } from "./range_batch.js";

/** x86's _PAGE_NX as the model stores it (bit 52 of the double: the PFN field is 40 bits). */
const NX = 2 ** 52;
const PCD = 0x10;

/** x86's hardware A/D update (core's hw_leaf_access()), plus PCD on an executable entry of an odd PFN. */
function odd_exec_mmu(leaf: number, write: boolean): number {
  const lo = (leaf >>> 0) & 4095;
  if ((lo & 1) === 0 || (lo & 4) === 0 || (write && (lo & 2) === 0)) return NaN;
  const want = 0x20 | (write ? 0x40 : 0);
  let v = (lo & want) !== want ? leaf + (want & ~lo) : leaf;
  if (leaf < NX && Math.floor(leaf / 4096) % 2 === 1 && (lo & PCD) === 0) v += PCD;
  return v;
}

const odd_arch: Arch = { ...arch, mmu_access_leaf: odd_exec_mmu };

/** Touch 2M of a PROT_READ | PROT_WRITE VMA, then 2M of an executable one; the tables and counters after. */
function run(batch: boolean, mutant: RangeBatchMutant | null = null): string {
  const e = new Engine({ arch: odd_arch, reclaim: null, batch });
  if (mutant !== null) set_range_batch_mutant(e.k, mutant);
  const p = e.spawn();
  const a = p.mmap(0, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  const x = p.mmap(0, 4 << 20, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS);
  expect(p.touch(a, 2 << 20, true)).toBe("ok");
  expect(p.touch(x, 2 << 20, true)).toBe("ok");
  expect(p.touch(a + (2 << 20), 2 << 20, true)).toBe("ok");
  return dump_mm(e.k, p.mm);
}

describe("pte_linear()'s kept answer (fault batch)", () => {
  it("an executable VMA whose entries are not linear gets its own answer: the same tables as the step-by-step path", () => {
    const step = run(false);
    // (The test's MMU did set PCD on some entries.)
    const entries = (JSON.parse(step) as { tables: string[] }).tables.map((t) => Number(t.split(":")[1]));
    expect(entries.some((v) => v < NX && ((v >>> 0) & PCD) !== 0)).toBe(true);
    expect(run(true)).toBe(step);
  });

  it('mutant "fault-linear-memo" (the kept answer for any protections) is caught', () => {
    expect(run(true, "fault-linear-memo")).not.toBe(run(false));
  });
});
