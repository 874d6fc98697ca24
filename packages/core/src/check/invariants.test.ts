/**
 * The invariants hold on random workloads, and each rule catches the broken state
 * (mutant) it exists for.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { engine } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { applyOp, opsArb } from "../test/workload_arb.js";
import { walk_pte, walk_pmd } from "../pgtable/walk.js";
import { PTE_LEVEL } from "../pgtable/store.js";
import { check_exit, check_mm } from "./invariants.js";

function touched() {
  const e = engine();
  const p = e.spawn();
  mmapFixed(p, SLOT, 4 * M);
  p.touch(SLOT, 4 * M, true);
  return { e, p, k: e.k };
}

const rules = (v: { rule: string }[]) => v.map((x) => x.rule);

describe("check_mm on random workloads", () => {
  it("finds nothing after every operation, and check_exit finds nothing after exit", () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const e = engine();
        const p = e.spawn();
        for (const o of ops) {
          applyOp(p, o);
          expect(check_mm(e.k, p.mm)).toEqual([]);
        }
        p.exit();
        expect(check_exit(e.k, p.mm)).toEqual([]);
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});

describe("each rule catches its mutant", () => {
  it("mm_pgtables_bytes: a table freed without mm_dec_nr_ptes()", () => {
    const { k, p } = touched();
    p.mm.pgtables_bytes += 4096; // what a missing mm_dec_nr_ptes leaves behind
    expect(rules(check_mm(k, p.mm))).toEqual(["mm_pgtables_bytes"]);
  });

  it("MM_ANONPAGES: a zap that forgets add_mm_rss_vec()", () => {
    const { k, p } = touched();
    p.mm.rss_stat[1] += 1;
    expect(rules(check_mm(k, p.mm))).toEqual(["MM_ANONPAGES"]);
  });

  it("PTE maps a freed page: a page freed while still mapped", () => {
    const { k, p } = touched();
    const pte = k.pt.get(walk_pte(k, p.mm, SLOT));
    k.frames.free(k.arch.pte_pfn(pte), 0);
    expect(rules(check_mm(k, p.mm))).toContain("PTE maps a freed page");
  });

  it("the walk reaches a table's last non-zero entry (it stops there); the walk that stops one entry early misses it", () => {
    const { k, p } = touched();
    const last = SLOT + 2 * M - 4096; // entry 511 of a full PTE table
    const pte = k.pt.get(walk_pte(k, p.mm, last));
    k.frames.free(k.arch.pte_pfn(pte), 0);
    expect(rules(check_mm(k, p.mm))).toContain("PTE maps a freed page");
    expect(rules(check_mm(k, p.mm, "stop-one-early"))).not.toContain("PTE maps a freed page");
  });

  it("page-table use after free: a PTE table freed while the PMD still points at it", () => {
    const { k, p } = touched();
    const pmdp = walk_pmd(k, p.mm, SLOT);
    k.pt.free(k.arch.pxd_pfn(k.pt.get(pmdp)));
    expect(rules(check_mm(k, p.mm))).toContain("page-table use after free");
  });

  it("total_vm: VmSize not following the VMAs", () => {
    const { k, p } = touched();
    p.mm.total_vm -= 1;
    expect(rules(check_mm(k, p.mm))).toEqual(["total_vm"]);
  });

  it("check_exit: a table leaked at exit, and pgtables_bytes left over", () => {
    const { k, p } = touched();
    p.exit();
    expect(check_exit(k, p.mm)).toEqual([]);
    k.pt.alloc(PTE_LEVEL, p.mm.id);
    p.mm.pgtables_bytes = 4096;
    expect(rules(check_exit(k, p.mm)).sort()).toEqual(["pgtables_bytes at exit", "table leaked at exit"]);
  });
});
