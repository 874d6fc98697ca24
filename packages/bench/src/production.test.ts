/**
 * The `production` workload (issue #10 §3) at 1/1024 scale (core's
 * productionScript(1024): a 55G heap, 590M kept), under none and pt-reclaim: the
 * VmRSS and VmPTE of every status line equal what the script's accesses imply,
 * counted here from the heap's address (every PTE table a touched 2M slice, every
 * PMD table a touched 1G, every PUD table a touched 512G); without reclaim the
 * emptied PTE tables all stay, pt-reclaim frees every one of them. The full
 * builtin is the same text at scale 1 (checked), 1024 times each count: VmRSS
 * 590 GiB, VmPTE ~110 GiB without reclaim.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { defaultReclaims } from "@mmsim/cli";
import { Engine, type ReclaimPlugin } from "@mmsim/core";
import { BUILTIN_WORKLOADS, parseScript, productionScript, runScript } from "@mmsim/core/workload";
import { describe, expect, it } from "vitest";
import { renderProduction, type ProductionRun } from "./production.js";

const K = 1024;
const M = K * K;
const G = K * M;
const T = K * G;
const reclaims = await defaultReclaims();

function run(scale: number, reclaim: ReclaimPlugin | null) {
  const e = new Engine({ arch: x86_64(), reclaim });
  const p = e.spawn();
  const r = runScript(parseScript(productionScript(scale), "production.wl"), p);
  const heap = p.mm.mm_mt.range(0, 2 ** 47).find((v) => v.vm_end - v.vm_start === (55 * T) / scale)!;
  return { r, start: heap.vm_start };
}

/** Distinct `size`-aligned regions holding the addresses. */
const regions = (addrs: readonly number[], size: number) => new Set(addrs.map((a) => Math.floor(a / size))).size;

describe("production workload", () => {
  it("is the scale-1 script: 55T noreserve nohugepage on 1T, a page per 2M, 590G kept", () => {
    expect(BUILTIN_WORKLOADS.production.text).toBe(productionScript(1));
    const lines = productionScript(1).split("\n");
    expect(lines).toEqual(expect.arrayContaining(["ram 1T", "mmap heap 55T noreserve nohugepage", "touch heap 0 55T write 2M", "madvise heap 590G 55730G dontneed", "touch heap 0 590G"]));
    expect(productionScript(1024).split("\n")).toEqual(expect.arrayContaining(["ram 1G", "mmap heap 55G noreserve nohugepage", "madvise heap 590M 55730M dontneed"]));
    expect(() => productionScript(3)).toThrow("not a power of two");
  });

  it("at 1/1024: VmRSS and VmPTE exactly as the accesses imply, without reclaim and with pt-reclaim", () => {
    const scale = 1024;
    const heap = (55 * T) / scale;
    const res = (590 * G) / scale;
    for (const label of ["none", "pt-reclaim"]) {
      const plugin = label === "none" ? null : reclaims.find((r) => r.label === label)!.create();
      const { r, start } = run(scale, plugin);
      expect(start % (2 * M), "the heap is 2M-aligned").toBe(0);
      const sparse = Array.from({ length: heap / (2 * M) }, (_, i) => start + i * 2 * M);
      const kept = sparse.filter((a) => a < start + res);
      const upper = (addrs: number[]) => regions(addrs, G) + regions(addrs, 512 * G); // PMD and PUD tables
      const kb = (tables: number) => tables * 4;
      const st = Object.fromEntries(r.statuses.map((s) => [s.label, s]));
      const all = kb(sparse.length + upper(sparse));
      expect([st.start.VmRSS, st.start.VmPTE]).toEqual([0, 0]);
      expect([st.sparse.VmRSS, st.sparse.VmPTE]).toEqual([kb(sparse.length), all]);
      // pt-reclaim frees the emptied PTE tables (every one past the 590M); the upper levels stay, as in Linux.
      const dropped = label === "none" ? all : kb(kept.length + upper(sparse));
      expect([st.dropped.VmRSS, st.dropped.VmPTE]).toEqual([kb(kept.length), dropped]);
      expect([st.end.VmRSS, st.end.VmPTE]).toEqual([res / K, dropped]);
      if (label === "none") expect(sparse.length).toBe(28_160); // 28,835,840 PTE tables (110 GiB) at scale 1
    }
  });

  it("renders the bench section", () => {
    const run: ProductionRun = {
      reclaim: "none",
      scale: 64,
      points: [{ line: "end dVmSize=0 dVmRSS=9666560 dVmPTE=1805772", t: 19.9, rss: 2.24e9, heapUsed: 0.08e9, arrayBuffers: 2.39e9, frames: 0.05e9, tables: 451443 }],
      seconds: 19.9,
      peakRss: 2.33e9,
      baseRss: 0.06e9,
      bytesPerTable: 5030,
      stopped: null,
    };
    const stopped: ProductionRun = { ...run, reclaim: "pt-reclaim", seconds: null, points: [], bytesPerTable: null, stopped: "stopped at RSS 8.10 GB > 8.00 GB after 80 s" };
    expect(renderProduction([run, stopped])).toBe(
      [
        "production at 1/64 scale: targets < 60 s and < 8.00 GB peak RSS each (at full scale)",
        "  none        19.9 s, peak RSS 2.33 GB, 5030 host bytes per live table",
        "       19.9 s  end dVmSize=0 dVmRSS=9666560 dVmPTE=1805772  (451443 tables; RSS 2.24 GB: JS heap 0.08 GB, typed arrays 2.39 GB of which frames 0.05 GB)",
        "  pt-reclaim  did not finish (stopped at RSS 8.10 GB > 8.00 GB after 80 s), peak RSS 2.33 GB, no tables",
        "",
      ].join("\n"),
    );
  });
});
