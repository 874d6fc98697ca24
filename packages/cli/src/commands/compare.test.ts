import { describe, expect, it } from "vitest";
import { mmsim, tempDir } from "../testing.js";

const SEED_SMALL_HEAP = 1048576; // kB: the 1G heap

describe("mmsim compare", () => {
  it("--json on seed-small: none keeps every PTE table, pt-reclaim frees them", async () => {
    const r = await mmsim(["compare", "seed-small", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as unknown;
    // 512 PTE tables (2048 kB) + PMD and PUD tables stay without reclaim: +2060 kB.
    // pt-reclaim frees each PTE table in MADV_DONTNEED; only upper levels remain: +12 kB.
    // rcu-freept's scanner (every 100 ms of the model's clock) is 49 tables behind at the last status.
    // percpu (2022) frees each emptied PTE table in MADV_DONTNEED, as pt-reclaim: +12 kB.
    // refcount (2021) frees each table at its last put (the zap's), as pt-reclaim: +12 kB.
    // lazyfree (001 step 2) and zero-pte (step 3) are step 1 in MADV_DONTNEED, as pt-reclaim: +12 kB.
    // pmd (001's "another plan") frees a PMD table only when its whole 1 GiB lies in the zapped VMA;
    // seed-small's 1 GiB heap is not 1 GiB-aligned, so no PMD table lies wholly in it: +12 kB.
    expect(rows).toEqual([
      {
        reclaim: null,
        before: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 0 },
        after: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 2060 },
      },
      {
        reclaim: "pt-reclaim",
        before: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 0 },
        after: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 12 },
      },
      {
        reclaim: "rcu-freept",
        before: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 0 },
        after: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 208 },
      },
      {
        reclaim: "percpu",
        before: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 0 },
        after: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 12 },
      },
      {
        reclaim: "refcount",
        before: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 0 },
        after: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 12 },
      },
      {
        reclaim: "lazyfree",
        before: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 0 },
        after: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 12 },
      },
      {
        reclaim: "zero-pte",
        before: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 0 },
        after: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 12 },
      },
      {
        reclaim: "pmd",
        before: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 0 },
        after: { VmSize: SEED_SMALL_HEAP, VmRSS: 0, VmPTE: 12 },
      },
    ]);
  });

  it("prints the before/after table side by side", async () => {
    const r = await mmsim(["compare", "seed-small", "--reclaim", "none,pt-reclaim"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "seed-small: before = first status line 'before', after = last status line 'after'",
        "",
        "               none                                        pt-reclaim",
        "               before               after                  before               after",
        "VIRT (VmSize)  1048576 kB (1.0 GB)  1048576 kB (1.0 GB)    1048576 kB (1.0 GB)  1048576 kB (1.0 GB)",
        "RES (VmRSS)    0 kB                 0 kB                   0 kB                 0 kB",
        "VmPTE          0 kB                 2060 kB (2.0 MB)       0 kB                 12 kB",
        "",
      ].join("\n"),
    );
  });

  it("runs the plugins given, in order, with a fresh engine each", async () => {
    const r = await mmsim(["compare", "seed-small", "--json", "--reclaim", "pt-reclaim,none", "--reclaim", "pt-reclaim"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { reclaim: string | null; after: { VmPTE: number } }[];
    expect(rows.map((x) => [x.reclaim, x.after.VmPTE])).toEqual([
      ["pt-reclaim", 12],
      [null, 2060],
      ["pt-reclaim", 12],
    ]);
  });

  it("needs two status lines", async () => {
    const dir = tempDir({ "one.mms": "mmap buf 4M\ntouch buf 0 4M\nstatus only\n" });
    const r = await mmsim(["compare", "one.mms"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: compare needs at least 2 status lines (before and after); one.mms prints 1\n");
  });

  it("counts status lines inside loops", async () => {
    const dir = tempDir({ "loop.mms": "mmap buf 4M\nrepeat 2\n  touch buf i*2M 2M\n  status s\nend\n" });
    const r = await mmsim(["compare", "loop.mms", "--json", "--reclaim", "none"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { reclaim: null, before: { VmSize: 4096, VmRSS: 2048, VmPTE: 12 }, after: { VmSize: 4096, VmRSS: 4096, VmPTE: 16 } },
    ]);
  });
});
