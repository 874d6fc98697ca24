/**
 * Exactness of the range fast paths (issue #10 §1): every corpus script of
 * packages/host and the builtin workloads, under every bundled design, run on the
 * fast path and on the step-by-step path (`batch: false`), must give the same
 * output lines and the same digest of the ENTIRE simulated state (src/digest.ts)
 * at every output line and at the end. The mutants (deliberately wrong batches,
 * core's RANGE_BATCH_MUTANTS) must each make it fail.
 *
 * The 50G builtins (`seed`, `seed-free`) take minutes on the step path for five
 * designs: they run with MMSIM_DIGEST_FULL=1 (`seed-small` always runs). The
 * same scripts also run on arm64 with none and pt-reclaim.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, MADV_DONTNEED, MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE, RANGE_BATCH_MUTANTS, set_range_batch_mutant } from "@mmsim/core";
import { builtinScript, parseScript, type Script } from "@mmsim/core/workload";
import { archOf, defaultReclaims, type Reclaim } from "@mmsim/cli";
import { defaultCorpusDir, listScenarios } from "@mmsim/host";
import { describe, expect, it } from "vitest";
import { digestRun, stateDigest } from "./digest.js";

const reclaims: Reclaim[] = await defaultReclaims();
const dir = defaultCorpusDir();
const scripts: [string, Script][] = listScenarios(dir).map((name) => [name, parseScript(readFileSync(join(dir, `${name}.wl`), "utf8"), `${name}.wl`)]);
const builtins = process.env.MMSIM_DIGEST_FULL === "1" ? ["seed-small", "seed", "seed-free"] : ["seed-small"];
for (const name of builtins) scripts.push([`builtin:${name}`, builtinScript(name)!]);
/** The 50G builtins under MMSIM_DIGEST_FULL=1 run the step path for every design: more than the default timeout on a loaded 2-CPU machine. */
const fullTimeout = (name: string): number | undefined => (name === "builtin:seed" || name === "builtin:seed-free" ? 3 * 3600_000 : undefined);
// Edges of the batches: unaligned starts and odd strides across table and VMA ends, a touch
// that runs off its VMA (SIGSEGV midway), reads (zero page) then writes (COW), a read-only
// VMA written (SIGSEGV at once), partial discards, and enough faults for scheduler ticks.
scripts.push(["sparse", parseScript(["# sparse tables", "mmap a 4M", "touch a 8K 4M-8K write 1M", "status touched", "madvise a 0 4M dontneed", "status dropped", ""].join("\n"), "sparse.wl")]);
// A sparse touch (the production workload's): every fault batch allocates its PTE table
// (core's pte_alloc_batch.ts), across PMD-table (1G) boundaries; reads into those tables,
// a discard and a second sparse pass; then THP allowed, where the batch must leave it to do_huge_pmd_anonymous_page().
const sparseStride = parseScript(
  [
    "# sparse stride: a PTE table allocated by every fault batch",
    "mmap a 3G noreserve nohugepage",
    "status start",
    "touch a 0 3G write 2M",
    "status sparse",
    "touch a 1M 3G-1M read 2M",
    "status read",
    "madvise a 4M 3G-8M dontneed",
    "touch a 4K 3G-4K write 2M",
    "status again",
    "thp always",
    "mmap b 8M",
    "touch b 0 8M write 2M",
    "status thp",
    "",
  ].join("\n"),
  "sparse-stride.wl",
);
scripts.push(["sparse-stride", sparseStride]);
// The production workload in miniature: sparse batches across tables and PMD tables, all
// but 8M dropped, then the 8M written: frames from free-list runs of every other frame,
// and batches that go on into the next table and stop at its sparse page.
const productionMini = parseScript(
  [
    "# production in miniature",
    "mmap a 3G noreserve nohugepage",
    "touch a 0 3G write 2M",
    "status sparse",
    "madvise a 8M 3G-8M dontneed",
    "status dropped",
    "touch a 2M+4K 6M-4K",
    "touch a 4K 2M-8K",
    "touch a 8M 4M read",
    "# the last entry of the first table, then the next table's sparse page: the batch stops there",
    "touch a 2M-4K 8K",
    "status end",
    "",
  ].join("\n"),
  "production-mini.wl",
);
scripts.push(["production-mini", productionMini]);
scripts.push([
  "edges",
  parseScript(
    [
      "# range fast paths: edges",
      "mmap a 3M+12K",
      "mmap b 6M r",
      "status start",
      "touch a 4K 2M+8K",
      "touch a 1M 2M+12K write 12K",
      "touch a 0 3M+12K read 8K",
      "touch a 2M 2M",
      "status edges",
      "madvise a 1M+4K 1M dontneed",
      "touch b 0 6M read",
      "touch b 0 4K",
      "madvise a 0 3M+12K dontneed",
      "touch a 0 3M+12K read",
      "touch a 0 3M+12K",
      "repeat 40",
      "  madvise a 0 2M dontneed",
      "  touch a 0 2M",
      "end",
      "status end",
      "",
    ].join("\n"),
    "edges.wl",
  ),
]);

describe("state digest: fast path = step-by-step path", () => {
  it("runs every bundled design", () => {
    expect(reclaims.map((r) => r.label)).toEqual(expect.arrayContaining(["none", "pt-reclaim", "rcu-freept", "percpu", "refcount"]));
    expect(scripts.length).toBeGreaterThanOrEqual(48);
  });

  for (const [name, script] of scripts) {
    it(
      name,
      () => {
        for (const r of reclaims) {
          const fast = digestRun(script, r.create(), true);
          const step = digestRun(script, r.create(), false);
          expect(fast.lines, `${name} (${r.label}): output lines`).toEqual(step.lines);
          expect(fast.digests, `${name} (${r.label}): state digest at each output line and at the end`).toEqual(step.digests);
        }
      },
      fullTimeout(name),
    );
  }
});

describe("state digest on arm64 (its MMU sets the access flag itself): fast path = step-by-step path", () => {
  const designs = reclaims.filter((r) => r.label === "none" || r.label === "pt-reclaim");
  for (const [name, script] of scripts) {
    it(
      name,
      () => {
        for (const r of designs) {
          const fast = digestRun(script, r.create(), true, undefined, "arm64");
          const step = digestRun(script, r.create(), false, undefined, "arm64");
          expect(fast.lines, `${name} (${r.label}, arm64): output lines`).toEqual(step.lines);
          expect(fast.digests, `${name} (${r.label}, arm64): state digest`).toEqual(step.digests);
        }
      },
      fullTimeout(name),
    );
  }
});

describe("state digest: mutants (deliberately wrong batches) are caught", () => {
  const seedSmall = builtinScript("seed-small")!;
  // Tables with holes: one page written at 8K into each 1M, all dropped (zap-skip-occupied needs a none entry first).
  const sparse = parseScript(["# sparse tables", "mmap a 4M", "touch a 8K 4M-8K write 1M", "status touched", "madvise a 0 4M dontneed", "status dropped", ""].join("\n"), "sparse.wl");
  const byLabel = (label: string) => reclaims.find((r) => r.label === label)!;
  for (const m of RANGE_BATCH_MUTANTS) {
    const [name, script] =
      m === "zap-skip-occupied"
        ? ["sparse", sparse]
        : m === "pte-alloc-rcu-exits"
          ? ["sparse-stride", sparseStride]
          : m === "fault-run-stride" || m === "fault-tables-vmf"
            ? ["production-mini", productionMini]
            : ["seed-small", seedSmall];
    // A hook's bulk twin exists only with a plugin that has the hook.
    for (const label of m === "hook-twin-slow-path" ? ["pt-reclaim"] : ["none", "pt-reclaim"]) {
      it(`${m} (${label}, ${name})`, () => {
        const r = byLabel(label);
        const step = digestRun(script, r.create(), false);
        const mutant = digestRun(script, r.create(), true, (e) => set_range_batch_mutant(e.k, m));
        expect(mutant.digests[mutant.digests.length - 1]).not.toBe(step.digests[step.digests.length - 1]);
      });
    }
  }

  for (const m of ["fault-rcu-exits", "zap-free-order", "pte-alloc-rcu-exits"] as const) {
    it(`${m} changes no output line: only the digest sees it`, () => {
      const r = byLabel("none");
      const script = m === "pte-alloc-rcu-exits" ? sparseStride : seedSmall;
      const step = digestRun(script, r.create(), false);
      const mutant = digestRun(script, r.create(), true, (e) => set_range_batch_mutant(e.k, m));
      expect(mutant.lines).toEqual(step.lines);
      expect(mutant.digests).not.toEqual(step.digests);
    });
  }
});

describe("state digest with two processes: fork, then discards in both (fast path = step-by-step path)", () => {
  // The child's anon pages are copies (frames allocated one by one in dup_mm()), the
  // shared mapping's pages carry two references (the flush frees them on the last put
  // only): runs of frames from several free-list runs, and runs the flush must not free.
  const run = (r: Reclaim, batch: boolean): string[] => {
    const e = new Engine({ arch: archOf("x86_64"), reclaim: r.create(), batch });
    const p = e.spawn();
    const digests: string[] = [];
    const a = p.mmap(0, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    const s = p.mmap(0, 4 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
    p.touch(a, 6 << 20, true);
    p.touch(s, 4 << 20, true);
    const c = p.fork();
    digests.push(stateDigest(e));
    c.madvise(a + (1 << 20), 4 << 20, MADV_DONTNEED);
    c.madvise(s, 4 << 20, MADV_DONTNEED);
    p.touch(a + (6 << 20), 2 << 20, true);
    c.touch(a, 8 << 20, true, 8192);
    digests.push(stateDigest(e));
    p.madvise(a, 8 << 20, MADV_DONTNEED);
    p.madvise(s, 4 << 20, MADV_DONTNEED);
    c.touch(s, 4 << 20, false);
    c.exit();
    p.touch(a, 8 << 20, true);
    digests.push(stateDigest(e));
    return digests;
  };
  for (const label of ["none", "pt-reclaim", "rcu-freept"]) {
    it(label, () => {
      const r = reclaims.find((x) => x.label === label)!;
      expect(run(r, true)).toEqual(run(r, false));
    });
  }
});
