/**
 * Actors: what a scenario's tasks do, each a kernel path (a generator) built from
 * the same kernel code bulk runs use. User accesses go through the CPU's MMU
 * (hw_walker.ts) and, on a miss, the page-fault path; syscalls are the sys_*
 * paths; GUP-fast, a locked page-table walker and khugepaged are modelled on
 * mm/gup.c, mm/pagewalk.c and mm/khugepaged.c.
 */
import { do_user_addr_fault, hw_access } from "../mm/fault.js";
import { folio_get, folio_put, page_folio } from "../mm/folio.js";
import { MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_PAGEOUT, sys_madvise } from "../mm/madvise.js";
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE, exit_mmap, sys_mmap, sys_munmap } from "../mm/mmap.js";
import { sys_mprotect } from "../mm/mprotect.js";
import { sys_swapon } from "../mm/swapfile.js";
import { balance_pgdat, enter_lazy_tlb, try_to_free_pages } from "../mm/kswapd.js";
import { collapse_huge_page } from "../mm/khugepaged.js";
import type { MmStruct } from "../mm/mm_struct.js";
import { PG_FREE } from "../mm/page_alloc.js";
import { addr_end } from "../pgtable/offset.js";
import { pmdp_get_lockless, ptep_get, ptep_get_lockless, pxdp_get } from "../pgtable/ops.js";
import { pte_offset_map, pte_offset_map_lock, pte_unmap, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { walk_pmd, walk_pte, walk_pud } from "../pgtable/walk.js";
import { pmd_walk_map, pmd_walk_unmap } from "../pgtable/upper_map.js";
import { walk_page_range_pmd_entry_sleep } from "../mm/pagewalk_sleep.js";
import { PT, type KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { local_irq_restore, local_irq_save } from "../sync/rcu.js";
import { down_read, up_read } from "../sync/rwsem.js";
import { hw_walk } from "../tlb/hw_walker.js";
import { SCENARIO_BASE, size, type ScenarioOp } from "./scenario.js";
import type { Oracle } from "./oracle.js";

const PROT = { rw: PROT_READ | PROT_WRITE, r: PROT_READ, none: 0 } as const;
const ADVICE = { dontneed: MADV_DONTNEED, free: MADV_FREE, pageout: MADV_PAGEOUT, hugepage: MADV_HUGEPAGE, nohugepage: MADV_NOHUGEPAGE } as const;

/** The result an actor's operation returned, as user space saw it. */
export interface OpResult {
  op: string;
  result: string;
}

const user_point_action = () => undefined;
/** The user instruction itself is a preemption point: other CPUs may run between two accesses. */
const user_point = (t: Task, addr: number) => t.op.set(PT.READ, "user access", user_point_action, addr, null);

/**
 * How many faults in a row an access may take without progress before the
 * model calls it a livelock (a kernel BUG).
 */
export const MAX_FAULTS_WITHOUT_PROGRESS = 4;

/**
 * What other tasks have done, as a number that only grows: the preemption points
 * they have passed under the explorer and the RCU read-side sections they have
 * left (every kernel path that can change what a fault sees runs one:
 * lock_vma_under_rcu, pte_offset_map, GUP-fast's IRQ-off section).
 */
function others_activity(t: Task): number {
  let n = 0;
  for (const o of t.k.tasks) if (o !== t) n += o.rcu_exits + o.steps;
  return n;
}

/**
 * The `what` of the point at which a fault that made no progress waits for
 * another CPU to move. The explorer treats it as blocked until another actor
 * takes a step; when no other actor can, it lets the retry go on
 * (check/execution.ts), and the retry counts as one without progress.
 */
export const FAULT_RETRY_WAIT = "cpu_relax (fault retry: waiting for another CPU)";

/** A spinlock another task holds (it is inside a section that may be about to change what a fault sees), or null. */
function spinlock_held_by_other(t: Task): object | null {
  for (const o of t.k.tasks) {
    if (o === t) continue;
    for (const l of o.held) if ("owner" in (l as object) && (l as { owner: unknown }).owner === o) return l;
  }
  return null;
}

/**
 * The entries the MMU reads to translate addr (PMD and PTE values), without
 * preemption points, into `out`: what a retried fault compares with the last
 * try. Numbers, not a string: this runs at every fault of every explored
 * execution. `kind` is 0 when no PMD covers addr, 1 when the PMD maps no PTE
 * table (none, or huge), 2 with both values, 3 when the walk hit a freed table
 * (the sanitizers report it where the walk happens).
 */
interface Translation {
  kind: number;
  pmd: number;
  pte: number;
}

function translation(k: Task["k"], mm: MmStruct, addr: number, out: Translation): void {
  out.pmd = 0;
  out.pte = 0;
  try {
    const pmdp = walk_pmd(k, mm, addr);
    if (pmdp < 0) {
      out.kind = 0;
      return;
    }
    out.pmd = k.pt.get(pmdp);
    const ptep = walk_pte(k, mm, addr);
    if (ptep < 0) out.kind = 1;
    else {
      out.kind = 2;
      out.pte = k.pt.get(ptep);
    }
  } catch {
    out.kind = 3;
    out.pmd = 0;
  }
}

/**
 * One user load/store through the CPU's MMU; faults go through do_user_addr_fault().
 *
 * As on Linux, a fault that returns without an error re-executes the access, as
 * often as it takes: a fault that lost a race (another CPU zapped the new PTE, or
 * freed the table it was mapping) simply faults again. Only a real lack of
 * progress is a BUG: MAX_FAULTS_WITHOUT_PROGRESS faults in a row after each of
 * which the access failed on the same translation (PMD and PTE values) while no
 * other task left an RCU read-side section, i.e. the fault handler returned
 * without changing anything and nothing else could have. While another task
 * holds a spinlock, the retrying CPU spins until it is released (a SPIN point on
 * that lock: the scheduler runs the holder), as a real CPU retrying the fault
 * would let the other CPU, inside its non-preemptible section, finish. Otherwise
 * it waits at a FAULT_RETRY_WAIT point until another actor takes a step: on a
 * real machine the other CPUs run while this one retries (a task between two
 * steps of freeing a table holds no lock and is no less running), so a retry is
 * without progress only when no other actor moved before it. A livelock between
 * tasks that keep changing things is caught by the explorer's step limit.
 */
function* user_access(t: Task, mm: MmStruct, addr: number, write: boolean, value: number): KPath<number | string> {
  const k = t.k;
  let stuck = 0;
  const seen: Translation = { kind: -1, pmd: 0, pte: 0 }; // nothing seen yet
  const now: Translation = { kind: -1, pmd: 0, pte: 0 };
  let activity = -1;
  for (;;) {
    yield* user_point(t, addr);
    if (k.tlb.track_entries) hw_walk(k, t.cpu, mm, addr);
    const v = hw_access(k, mm, addr, write, value);
    if (v === v) return v;
    translation(k, mm, addr, now);
    const others = others_activity(t);
    if (now.kind === seen.kind && now.pmd === seen.pmd && now.pte === seen.pte && others === activity) {
      const lock = spinlock_held_by_other(t);
      if (lock !== null) yield* t.op.set(PT.SPIN, "cpu_relax (fault retry)", user_point_action, addr, null, lock);
      else {
        yield* t.op.set(PT.SPIN, FAULT_RETRY_WAIT, user_point_action, addr, null, null);
        if (others_activity(t) === others) stuck++;
      }
    } else stuck = 0;
    if (stuck >= MAX_FAULTS_WITHOUT_PROGRESS)
      throw new Error(`user access 0x${addr.toString(16)}: no progress after ${MAX_FAULTS_WITHOUT_PROGRESS} faults (the fault handler returned without changing the translation, and no other task ran)`);
    seen.kind = now.kind;
    seen.pmd = now.pmd;
    seen.pte = now.pte;
    activity = others;
    const r = yield* do_user_addr_fault(t, addr, write, value);
    if (r !== "ok") return r;
  }
}

/**
 * gup_fast() (mm/gup.c): IRQs off instead of locks; read the PMD once, map the PTE
 * table over that copy, take a folio reference, then recheck the PMD and the PTE
 * and back off if either changed. Returns how many pages it pinned (then unpins).
 */
function* gup_fast(t: Task, mm: MmStruct, start: number, len: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  let pinned = 0;
  const refs: number[] = [];
  yield* local_irq_save(t);
  for (let addr = start; addr < start + len; addr += 4096) {
    let pmdp: number;
    if (k.rcu_upper) {
      // gup_fast_pud_range/gup_fast_pmd_range under seed 001's plan: pud/pmd_offset_map()
      // (RCU nested in the IRQ-off section, which alone already holds off the free).
      pmdp = yield* pmd_walk_map(t, mm, addr);
      if (pmdp < 0) break;
    } else {
      const pudp = walk_pud(k, mm, addr);
      if (pudp < 0 || a.pxd_none(yield* pxdp_get(t, pudp))) break;
      pmdp = k.pt.entry(a.pxd_pfn(k.pt.get(pudp)), Math.floor(addr / k.PMD_SIZE) % 512);
    }
    const pmd = yield* pmdp_get_lockless(t, pmdp);
    const unmap_upper = function* (): KPath {
      if (k.rcu_upper) yield* pmd_walk_unmap(t);
    };
    if (a.pxd_none(pmd) || a.pmd_trans_huge(pmd)) {
      yield* unmap_upper();
      break;
    }
    const ptep = yield* pte_offset_map(t, pmdp, addr, "lockless"); // IRQs off: no walker reference (G1)
    if (ptep < 0) {
      yield* unmap_upper();
      break;
    }
    const pte = yield* ptep_get_lockless(t, ptep);
    let ok = a.pte_present(pte) && !a.pte_special(pte);
    if (ok) {
      const folio = page_folio(k, a.pte_pfn(pte));
      // try_grab_folio_fast(): fails on a folio whose refcount already dropped to zero.
      if (k.frames.get_type(folio) === PG_FREE || k.frames.get_refcount(folio) === 0) ok = false;
      else {
        folio_get(k, folio);
        if (pmd !== (yield* pmdp_get_lockless(t, pmdp)) || pte !== (yield* ptep_get(t, ptep))) {
          folio_put(k, folio); // corresponds to pmdp_collapse_flush() / a racing zap
          ok = false;
        } else refs.push(folio);
      }
    }
    yield* pte_unmap(t, ptep, "lockless");
    yield* unmap_upper();
    if (!ok) break;
    pinned++;
  }
  yield* local_irq_restore(t, k.rcu);
  for (const f of refs) folio_put(k, f); // unpin_user_pages()
  return pinned;
}

/** A page-table walker under mmap_read_lock (walk_page_range: mincore/smaps-like). Returns present pages. */
function* locked_walk(t: Task, mm: MmStruct, start: number, len: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  let present = 0;
  yield* down_read(t, mm.mmap_lock);
  for (let addr = start; addr < start + len; ) {
    const next = addr_end(addr, start + len, k.PMD_SIZE);
    if (k.rcu_upper) {
      // R33 / scn (g): mmap_read_lock no longer keeps the upper levels; pud/pmd_offset_map() (RCU, may fail).
      const pmdp = yield* pmd_walk_map(t, mm, addr);
      if (pmdp >= 0) {
        present += yield* locked_walk_pte(t, mm, pmdp, addr, next);
        yield* pmd_walk_unmap(t);
      }
    } else {
      const pudp = walk_pud(k, mm, addr);
      if (pudp >= 0 && !a.pxd_none(k.pt.get(pudp))) {
        const pmdp = k.pt.entry(a.pxd_pfn(k.pt.get(pudp)), Math.floor(addr / k.PMD_SIZE) % 512);
        const ptep0 = yield* pte_offset_map_lock(t, mm, pmdp, addr);
        if (ptep0 >= 0) {
          const ptl = t.ptl!;
          for (let i = 0; i < (next - addr) / 4096; i++) if (a.pte_present(yield* ptep_get(t, ptep0 + i))) present++;
          yield* pte_unmap_unlock(t, ptep0, ptl);
        }
      }
    }
    addr = next;
  }
  yield* up_read(t, mm.mmap_lock);
  return present;
}

/** locked_walk()'s walk_pte_range(): present PTEs of [addr, next) under the PTE lock. */
function* locked_walk_pte(t: Task, mm: MmStruct, pmdp: number, addr: number, next: number): KPath<number> {
  const ptep0 = yield* pte_offset_map_lock(t, mm, pmdp, addr);
  if (ptep0 < 0) return 0;
  const ptl = t.ptl!;
  let present = 0;
  for (let i = 0; i < (next - addr) / 4096; i++) if (t.k.arch.pte_present(yield* ptep_get(t, ptep0 + i))) present++;
  yield* pte_unmap_unlock(t, ptep0, ptl);
  return present;
}

/** The kernel path for one scenario operation, reporting what user space saw. */
export function* actor_op(t: Task, mm: MmStruct, op: ScenarioOp, oracle: Oracle | null, name: string): KPath<OpResult> {
  const at = "at" in op ? SCENARIO_BASE + size(op.at, "at") : 0;
  const len = "len" in op ? size(op.len, "len") : 0;
  const res = (result: string | number): OpResult => ({ op: op.op, result: String(result) });
  switch (op.op) {
    case "mmap": {
      const flags = MAP_ANONYMOUS | (op.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE;
      const r = yield* sys_mmap(t, at, len, PROT[op.prot ?? "rw"], flags);
      if (r >= 0 && op.hugepage) yield* sys_madvise(t, at, len, MADV_HUGEPAGE);
      return res(r);
    }
    case "touch": {
      const stride = size(op.stride, "stride", 4096);
      const vals: (number | string)[] = [];
      for (let a = at; a < at + len; a += stride) {
        const id = oracle?.begin(a, op.write ? "write" : "read", name);
        const v = yield* user_access(t, mm, a, op.write ?? false, id?.value ?? 0);
        oracle?.end(id!, v);
        vals.push(v);
        if (typeof v === "string") break;
      }
      return res(vals.join(","));
    }
    case "madvise": {
      if (typeof op.advice === "number") return res(yield* sys_madvise(t, at, len, op.advice)); // a plugin's advice: no data effect
      const ids = oracle?.begin_range(at, len, op.advice, name);
      const r = yield* sys_madvise(t, at, len, ADVICE[op.advice]);
      oracle?.end_range(ids!);
      return res(r);
    }
    case "munmap": {
      const ids = oracle?.begin_range(at, len, "munmap", name);
      const r = yield* sys_munmap(t, at, len);
      oracle?.end_range(ids!);
      return res(r);
    }
    case "mprotect":
      return res(yield* sys_mprotect(t, at, len, PROT[op.prot]));
    case "gup_fast":
      return res(yield* gup_fast(t, mm, at, len));
    case "walk":
      if (op.sleep) return res(yield* walk_page_range_pmd_entry_sleep(t, mm, at, len));
      return res(yield* locked_walk(t, mm, at, len));
    case "khugepaged":
      return res(yield* collapse_huge_page(t, mm, at));
    case "task_work": {
      const k = t.k;
      k.advance(t, (op.ms ?? 1000) * 1e6);
      const hook = k.hooks.task_work;
      if (hook !== null && t.task_work_pending) {
        t.task_work_pending = false;
        yield* hook(t, mm);
      }
      return res(0);
    }
    case "exit":
      yield* exit_mmap(t, mm);
      return res(0);
    case "swapon":
      return res(sys_swapon(t.k, len));
    case "reclaim": {
      const nr = Math.ceil(len / 4096);
      if (op.direct) return res((yield* try_to_free_pages(t, nr)).nr_reclaimed);
      // The scheduler switches this CPU to kswapd: a kernel thread (no mm), the CPU lazy on the actor's mm;
      // back to the actor, the CPU leaves lazy mode as enter_lazy_tlb()'s return has it.
      const leave = enter_lazy_tlb(t.k, t);
      t.mm = null;
      try {
        return res((yield* balance_pgdat(t, nr)).nr_reclaimed);
      } finally {
        t.mm = mm;
        leave();
      }
    }
  }
}

