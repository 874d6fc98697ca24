/**
 * A test plugin that records which of mmap_lock / the VMA's lock the task held
 * each time it mapped a PTE table (through the pte_offset_map hook), for the
 * kernel-era locking tests.
 */
import type { KPath, KernelEra, PteMapKind, PteMapping, pmd_ptr, task_struct } from "../plugin/kernel.js";
import { pmdp_get_lockless, pte_offset_kernel } from "../plugin/kernel.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import type { Task } from "../sched/task.js";

export interface LockWatch {
  plugin: ReclaimPlugin;
  /** Forget what was seen and start recording. */
  start(): void;
  /** The lock sets seen since start(), e.g. "mmap_lock(read)" or "vma_lock(read)". */
  seen(): string;
}

export function lockWatch(era: KernelEra): LockWatch {
  let seen = new Set<string>();
  let watch = false;
  const plugin: ReclaimPlugin = {
    specificationVersion: "v1",
    name: "lock-watch",
    version: "0",
    models: "test: records the locks held at each pte_offset_map",
    supports: {},
    era,
    *pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number, _kind: PteMapKind): KPath<PteMapping | null> {
      const task = t as Task;
      if (watch) {
        const mm = task.mm!;
        const vma = mm.mm_mt.vma_lookup(addr)!;
        const held = task.held as unknown[];
        seen.add([held.includes(mm.mmap_lock) ? "mmap_lock(read)" : "", held.includes(vma.vm_lock) ? "vma_lock(read)" : ""].filter(Boolean).join("+") || "none");
      }
      const pmdval = yield* pmdp_get_lockless(t, pmdp);
      const a = t.k.arch;
      if (a.pxd_none(pmdval) || a.pmd_trans_huge(pmdval)) return null;
      return { pte: pte_offset_kernel(t.k, pmdval, addr), pmdval };
    },
    *pte_unmap() {},
  };
  return {
    plugin,
    start() {
      seen = new Set();
      watch = true;
    },
    seen: () => [...seen].join(","),
  };
}
