/**
 * mmap_lock and per-VMA write locks (include/linux/mmap_lock.h): a writer marks each
 * VMA it changes with vma_start_write(), which waits for the VMA's readers (faults
 * and MADV_DONTNEED under the per-VMA lock) and keeps new ones out; all such marks
 * end together at mmap_write_unlock() or mmap_write_downgrade().
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_write, downgrade_write, up_write } from "../sync/rwsem.js";
import type { MmStruct } from "./mm_struct.js";
import type { Vma } from "./vma.js";

/** vma_start_write(vma): with the mmap write lock held. */
export function* vma_start_write(t: Task, mm: MmStruct, vma: Vma): KPath {
  if (mm.vma_writers.includes(vma)) return;
  yield* down_write(t, vma.vm_lock);
  mm.vma_writers.push(vma);
}

/** vma_end_write_all(mm) */
function* vma_end_write_all(t: Task, mm: MmStruct): KPath {
  while (mm.vma_writers.length) yield* up_write(t, mm.vma_writers.pop()!.vm_lock);
}

export function* mmap_write_unlock(t: Task, mm: MmStruct): KPath {
  yield* vma_end_write_all(t, mm);
  yield* up_write(t, mm.mmap_lock);
}

export function* mmap_write_downgrade(t: Task, mm: MmStruct): KPath {
  yield* vma_end_write_all(t, mm);
  yield* downgrade_write(t, mm.mmap_lock);
}
