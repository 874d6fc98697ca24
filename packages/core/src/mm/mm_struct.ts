import type { Arch } from "../pgtable/arch.js";
import { RwSem } from "../sync/rwsem.js";
import { SpinLock } from "../sync/spinlock.js";
import { VmaTree } from "./vma.js";
import type * as types from "../types/mm_types.js";
import type { MmCounters, Vma } from "../types/mm_types.js";
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES } from "./mm.js";

/** struct mm_struct (declared in types/mm_types.ts, where every layer sees it) */
export class MmStruct implements types.MmStruct {
  readonly mmap_lock = new RwSem("mmap_lock");
  /** mm->page_table_lock: protects PUD/P4D/PGD population. */
  readonly page_table_lock = new SpinLock("page_table_lock");
  readonly mm_mt: types.VmaTree = new VmaTree(this);
  /** Pages mapped (VmSize). */
  total_vm = 0;
  locked_vm = 0;
  /** Private writable pages (VmData counts VM_WRITE & ~VM_SHARED & ~VM_STACK). */
  data_vm = 0;
  hiwater_vm = 0;
  hiwater_rss = 0;
  /** atomic_long_t pgtables_bytes */
  pgtables_bytes = 0;
  /** rss_stat, applied by add_mm_rss_vec() */
  readonly rss_stat: Float64Array = new Float64Array(4);
  mmap_base: number;
  /** The heap: mm->start_brk and mm->brk (0 until set_brk(), the ELF loader's part; mm/brk.ts). */
  start_brk = 0;
  brk = 0;
  /** CPUs this mm has run on and may have TLB entries for (mm_cpumask). */
  readonly cpumask = new Set<number>();
  /** Pending RCU-deferred table frees (for accounting). */
  readonly counters: MmCounters = {
    pgfault: 0,
    zero_page_faults: 0,
    thp_fault_alloc: 0,
    pgtables_allocated: [0, 0, 0, 0],
    pgtables_freed: [0, 0, 0, 0],
    pte_tables_reclaimed: 0,
  };
  exited = false;
  /** VMAs write-locked (vma_start_write) by the current mmap_lock writer. */
  readonly vma_writers: Vma[] = [];

  constructor(
    readonly id: number,
    readonly arch: Arch,
    /** PFN of the PGD page. */
    readonly pgd: number,
  ) {
    this.mmap_base = arch.DEFAULT_MMAP_BASE;
  }

  get map_count(): number {
    return this.mm_mt.length;
  }

  get_mm_counter(member: number): number {
    return this.rss_stat[member];
  }

  /** get_mm_rss() */
  get_mm_rss(): number {
    return this.rss_stat[MM_FILEPAGES] + this.rss_stat[MM_ANONPAGES] + this.rss_stat[MM_SHMEMPAGES];
  }
}
