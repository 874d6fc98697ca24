/**
 * One differential sequence: the same operations on Linux without reclaim and
 * with the plugin. What user space sees must be identical (each operation's
 * result: return value or errno, the signal of a failed access, the values a
 * read returns), the plugin's VmPTE never higher, and the invariants (check_mm)
 * must hold after every operation. Used by the kit's differential check
 * (checks.ts) and by `mmsim fuzz` (fuzz_scale.ts).
 */
import { Engine, type Arch, type ReclaimPlugin } from "@mmsim/core";
import { applyOp, check_exit, check_mm, classify, type FuzzOp } from "@mmsim/core/check";

/** Where and how a sequence diverged. */
export interface Divergence {
  /** Index of the operation after which the divergence was seen; `ops.length` for the exit check. */
  op: number;
  /** `differential` (results or VmPTE), an invariant's rule, or a kernel error's rule. */
  rule: string;
  detail: string;
}

export interface SequenceOutcome {
  divergence: Divergence | null;
  /** PTE tables the plugin reclaimed in this sequence (mm counter pte_tables_reclaimed). */
  reclaimed: number;
}

export interface SequenceOptions {
  /** Also exit the process and check that no table is left (check_exit) after the last operation. */
  exit?: boolean;
  /**
   * swapon(2) a swap area of this many bytes in both processes first, so that
   * MADV_PAGEOUT writes swap entries (PTEs neither none nor present) and later
   * accesses fault them back in (do_swap_page). Default: no swap.
   */
  swap_bytes?: number;
}

/** Runs `ops` on both kernels; the first divergence, or null. */
export function runSequence(arch: Arch, plugin: ReclaimPlugin, ops: readonly FuzzOp[], opts: SequenceOptions = {}): SequenceOutcome {
  const a = new Engine({ arch, reclaim: null }).spawn();
  const e = new Engine({ arch, reclaim: plugin });
  const b = e.spawn();
  let i = 0;
  try {
    if (opts.swap_bytes) {
      const ra = a.swapon(opts.swap_bytes);
      const rb = b.swapon(opts.swap_bytes);
      if (ra !== 0 || rb !== 0) throw new Error(`swapon(${opts.swap_bytes}): ${ra}, with the plugin ${rb}`);
    }
    for (; i < ops.length; i++) {
      const op = ops[i];
      const ra = applyOp(a, op);
      const rb = applyOp(b, op);
      if (ra !== rb) return diverged(i, "differential", `op ${i} ${JSON.stringify(op)}: Linux returned ${ra}, with the plugin ${rb}`);
      const va = a.status().VmPTE;
      const vb = b.status().VmPTE;
      if (vb > va) return diverged(i, "differential", `op ${i}: VmPTE ${vb} kB with the plugin > ${va} kB without`);
      const inv = check_mm(e.k, b.mm);
      if (inv.length) return diverged(i, inv[0].rule, `op ${i}: ${inv[0].rule}: ${inv[0].detail}`);
    }
    const reclaimed = b.mm.counters.pte_tables_reclaimed;
    if (opts.exit) {
      b.exit();
      b.idle(2000); // an asynchronous design's grace periods end
      const v = check_exit(e.k, b.mm);
      if (v.length) return { divergence: { op: ops.length, rule: v[0].rule, detail: `at exit: ${v[0].rule}: ${v[0].detail}` }, reclaimed };
    }
    return { divergence: null, reclaimed };
  } catch (err) {
    // A kernel error or sanitizer violation, named as the race checks name it.
    const v = classify(err);
    const what = v.detail.startsWith(v.rule) ? v.detail : `${v.rule}: ${v.detail}`;
    return diverged(i, v.rule, `op ${i} ${JSON.stringify(ops[i] ?? "exit")}: ${what}`);
  }
}

function diverged(op: number, rule: string, detail: string): SequenceOutcome {
  return { divergence: { op, rule, detail }, reclaimed: 0 };
}
