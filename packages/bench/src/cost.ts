/**
 * The fault-path cost the 2021 thread measured (seed 003/004: multi-fault, page
 * faults per minute with 1, 8 and 16 threads, −0.36 … −1.17 % with the atomic
 * pte_refcount), as far as the model can count it honestly. Per design:
 *
 *   - atomic read-modify-writes per fault (LOCK-prefixed on x86: lock
 *     acquisitions, rwsem operations, atomic_t RMWs, percpu_ref in atomic mode)
 *     and per-CPU ops (percpu_ref in percpu mode), from core's rmw_counters();
 *   - the distinct cache lines one fault writes atomically, by kind (the PTE
 *     lock, the VMA lock, a table's pte_refcount ...): the lines that bounce
 *     between threads faulting into the same 2 MiB;
 *   - per MADV_DONTNEED of a 2 MiB slice: RCU grace periods waited
 *     (percpu_ref_switch_to_atomic_sync()), RMWs, PTE tables freed;
 *   - the model clock per fault and per MADV_DONTNEED: a flat cost per kernel
 *     entry (Kernel.ENTRY_NS), the same for every design; the model prices no
 *     RMW and no grace period in time, so it gives no faults/min.
 *
 * The thread's own figures are printed beside these, not derived from them.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import type { Reclaim } from "@mmsim/cli";
import { Engine, MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, rmw_counters, rmw_lines_start, rmw_lines_stop } from "@mmsim/core";
import { percpu_ref_config } from "@mmsim/core/kernel";

const M = 1024 * 1024;
const SLOT = 0x200000000000;

/** seed 003/004 cover letters: `perf stat -e page-faults --repeat 5 ./multi-fault $threads`, faults per minute. */
/** `stated`: the change as the letter prints it; for 8 threads its own figures give −1.07 %, not −1.17 %. */
export const THREAD_FIGURES: readonly { threads: number; before: number; after: number; stated: string }[] = [
  { threads: 1, before: 32_085_255, after: 31_880_833, stated: "-0.64%" },
  { threads: 8, before: 101_674_967, after: 100_588_311, stated: "-1.17%" },
  { threads: 16, before: 113_207_000, after: 112_801_832, stated: "-0.36%" },
];

export interface FaultCost {
  reclaim: string;
  /** Faults measured: `tables` PTE tables × 512 write faults each. */
  faults: number;
  rmwPerFault: number;
  percpuOpsPerFault: number;
  /** Distinct objects one fault RMWs, averaged. */
  linesPerFault: number;
  /** The same, by kind (lock class or object kind), averaged per fault. */
  linesByKind: Record<string, number>;
  /** Model clock per fault (ns). */
  clockPerFault: number;
  dontneed: {
    calls: number;
    rmwPerCall: number;
    /** RCU grace periods the caller slept for (percpu_ref_switch_to_atomic_sync), per call. */
    gracePeriodsWaitedPerCall: number;
    tablesFreedPerCall: number;
    clockPerCall: number;
  };
}

/** Fault `tables` × 2 MiB one page at a time, then MADV_DONTNEED each 2 MiB, counting as it goes. */
export function faultCost(reclaim: Reclaim, tables = 8): FaultCost {
  const e = new Engine({ arch: x86_64(), reclaim: reclaim.create() });
  const p = e.spawn();
  const k = e.k;
  p.mmap(SLOT, tables * 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
  const faults = tables * 512;
  const r0 = rmw_counters();
  const c0 = k.now_ns;
  let lines = 0;
  const byKind: Record<string, number> = {};
  for (let i = 0; i < faults; i++) {
    const seen = rmw_lines_start();
    p.touch(SLOT + i * 4096, 4096, true);
    rmw_lines_stop();
    lines += seen.size;
    for (const kind of seen.values()) byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  const r1 = rmw_counters();
  const c1 = k.now_ns;
  const lib = percpu_ref_config(k);
  const w0 = lib.sync_waits;
  const freed0 = p.mm.counters.pgtables_freed[0];
  for (let i = 0; i < tables; i++) p.madvise(SLOT + i * 2 * M, 2 * M, MADV_DONTNEED);
  const r2 = rmw_counters();
  const per = (n: number, d: number) => n / d;
  return {
    reclaim: reclaim.label,
    faults,
    rmwPerFault: per(r1.rmw - r0.rmw, faults),
    percpuOpsPerFault: per(r1.percpu - r0.percpu, faults),
    linesPerFault: per(lines, faults),
    linesByKind: Object.fromEntries(Object.entries(byKind).sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => [kind, per(n, faults)])),
    clockPerFault: per(c1 - c0, faults),
    dontneed: {
      calls: tables,
      rmwPerCall: per(r2.rmw - r1.rmw, tables),
      gracePeriodsWaitedPerCall: per(lib.sync_waits - w0, tables),
      tablesFreedPerCall: per(p.mm.counters.pgtables_freed[0] - freed0, tables),
      clockPerCall: per(k.now_ns - c1, tables),
    },
  };
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n < 0.001 ? n.toExponential(1) : n.toFixed(3).replace(/\.?0+$/, ""));
const pct = (before: number, after: number) => `${(((after - before) / before) * 100).toFixed(2)} %`;

export function renderFaultCost(costs: readonly FaultCost[]): string {
  const lines = ["", "fault-path cost per design (model counts; 8 PTE tables x 512 write faults, then MADV_DONTNEED of each 2 MiB):"];
  const w = Math.max(...costs.map((c) => c.reclaim.length), 6);
  lines.push(`  ${"design".padEnd(w)}  RMW/fault  percpu ops/fault  lines/fault  clock/fault  | per DONTNEED: RMW  GPs waited  tables freed  clock`);
  for (const c of costs) {
    const d = c.dontneed;
    lines.push(
      `  ${c.reclaim.padEnd(w)}  ${num(c.rmwPerFault).padStart(9)}  ${num(c.percpuOpsPerFault).padStart(16)}  ${num(c.linesPerFault).padStart(11)}  ${`${num(c.clockPerFault)} ns`.padStart(11)}  |` +
        `  ${num(d.rmwPerCall).padStart(16)}  ${num(d.gracePeriodsWaitedPerCall).padStart(10)}  ${num(d.tablesFreedPerCall).padStart(12)}  ${num(d.clockPerCall)} ns`,
    );
  }
  lines.push("", "  lines one fault writes atomically, by kind (per fault):");
  for (const c of costs) lines.push(`  ${c.reclaim.padEnd(w)}  ${Object.entries(c.linesByKind).map(([k, n]) => `${k} ${num(n)}`).join(", ")}`);
  lines.push(
    "",
    "  the 2021 thread (seed 003/004, refcount v2 on x86_64; multi-fault, page faults per minute, perf stat --repeat 5):",
    ...THREAD_FIGURES.map(
      (f) => `  ${String(f.threads).padStart(2)} threads  ${f.before.toLocaleString("en-US").padStart(11)} -> ${f.after.toLocaleString("en-US").padStart(11)}  ${pct(f.before, f.after)} (letter: ${f.stated})`,
    ),
    "  The model charges a flat cost per kernel entry, so its clock cannot show that slowdown; the RMW and",
    "  line columns are what it can say about its cause. The 2022 percpu design was not measured in its thread",
    "  (\"basically no performance overhead in percpu mode\"); its cost is the grace period each discard waits.",
    "  Model differences: refcount takes an entry's reference in the PTE write itself, one RMW per entry where",
    "  the patch batches a zap's puts into one pte_put_many(); folio refcounts, the LRU and memcg are not modelled.",
  );
  return lines.join("\n") + "\n";
}
