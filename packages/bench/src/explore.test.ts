// The bench's mutant list (issue #9 §2: time to first failure per mutant covers every design's hand-written mutants).
import { MUTANTS } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { benchMutants } from "./explore.js";

describe("benchMutants", () => {
  it("lists pt-reclaim's, the threads' and rcu-freept's, the reference mutants on refcount and percpu, and zero-pte's", async () => {
    const list = await benchMutants();
    const names = list.map((m) => m.name);
    expect(names.slice(0, MUTANTS.length)).toEqual(MUTANTS.map((m) => m.name));
    expect(names).toEqual(expect.arrayContaining(["no-rcu-deferral", "slow-path-no-rescan", "scan-huge"]));
    expect(names.filter((n) => n.startsWith("refcount-")).sort()).toEqual(
      ["refcount-gup-fast-unmap-puts", "refcount-install-double-get", "refcount-install-no-get", "refcount-walker-missing-pte-unmap"],
    );
    expect(names.filter((n) => n.startsWith("percpu-"))).toEqual(["percpu-gup-fast-unmap-puts"]);
    expect(names.filter((n) => n.startsWith("zero-pte-"))).toEqual(
      ["zero-pte-no-tlb-entry", "zero-pte-no-flush", "zero-pte-check-unlocked", "zero-pte-any-present", "zero-pte-no-pmd-lock", "zero-pte-present-only"],
    );
    expect(new Set(names).size).toBe(names.length);
    for (const m of list) expect(m.plugin().name).toMatch(/mutant/);
  });
});
