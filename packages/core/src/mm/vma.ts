import { RwSem } from "../sync/rwsem.js";
import type { pgprot_t } from "../pgtable/arch.js";
import type * as types from "../types/mm_types.js";
import type { MmStruct } from "../types/mm_types.js";

/** The object a shared anonymous mapping maps: a shmem file and its page cache. */
export class ShmemFile implements types.ShmemFile {
  /** pgoff → PFN of the page-cache page. */
  readonly pages = new Map<number, number>();
  /** VMAs mapping the file (its last unmap evicts the page cache). */
  mappers = 0;
  /** Pages shmem_acct_size() charged at creation (0 for VM_NORESERVE); shmem_evict_inode uncharges them. */
  acct_pages = 0;
  constructor(
    readonly id: number,
    /** Size in pages. */
    readonly size: number,
  ) {}
}

/** struct vm_area_struct, for anonymous memory. */
export class Vma implements types.Vma {
  /** Per-VMA lock (vma_start_read / vma_start_write). */
  readonly vm_lock = new RwSem("vm_lock");
  detached = false;
  /** vma->vm_mm: set when the VMA is inserted into an mm's tree. */
  vm_mm: MmStruct | null = null;
  constructor(
    public vm_start: number,
    public vm_end: number,
    public vm_flags: number,
    public vm_page_prot: pgprot_t,
    /** Page offset: addr >> PAGE_SHIFT at mmap time for private anon, 0-based in the file for shmem. */
    public vm_pgoff: number,
    /** anon_vma id, 0 when none yet (anon_vma_prepare assigns one on first fault). */
    public anon_vma: number,
    /** vm_file: the shmem file of a shared anonymous mapping. */
    public vm_file: ShmemFile | null,
  ) {}

  get pages(): number {
    return (this.vm_end - this.vm_start) / 4096;
  }
}

/**
 * The mm's VMAs, ordered by address (the kernel keeps them in a maple tree; a
 * sorted array with binary search gives the same answers for the queries the
 * model makes).
 */
export class VmaTree implements types.VmaTree {
  readonly list: Vma[] = [];

  constructor(private readonly mm: MmStruct) {}

  get length(): number {
    return this.list.length;
  }

  /** Index of the first VMA with vm_end > addr (list.length if none). */
  index_after(addr: number): number {
    const l = this.list;
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (l[mid].vm_end > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** find_vma(): the first VMA with vm_end > addr. */
  find_vma(addr: number): Vma | null {
    return this.list[this.index_after(addr)] ?? null;
  }

  /** vma_lookup(): the VMA containing addr. */
  vma_lookup(addr: number): Vma | null {
    const v = this.find_vma(addr);
    return v && v.vm_start <= addr ? v : null;
  }

  find_vma_intersection(start: number, end: number): Vma | null {
    const v = this.find_vma(start);
    return v && v.vm_start < end ? v : null;
  }

  /** find_vma_prev(): the VMA ending at or before addr. */
  prev_of(v: Vma): Vma | null {
    const i = this.list.indexOf(v);
    return i > 0 ? this.list[i - 1] : null;
  }

  next_of(v: Vma): Vma | null {
    const i = this.list.indexOf(v);
    return i >= 0 && i + 1 < this.list.length ? this.list[i + 1] : null;
  }

  insert(v: Vma): void {
    const i = this.index_after(v.vm_start);
    const at = this.list[i];
    if (at && at.vm_start < v.vm_end) throw new Error(`vma_insert: [${v.vm_start.toString(16)}, ${v.vm_end.toString(16)}) overlaps`);
    this.list.splice(i, 0, v);
    v.vm_mm = this.mm;
  }

  remove(v: Vma): void {
    const i = this.list.indexOf(v);
    if (i < 0) throw new Error("vma_remove: not in tree");
    this.list.splice(i, 1);
    v.detached = true;
  }

  /** VMAs intersecting [start, end), in order. */
  range(start: number, end: number): Vma[] {
    const out: Vma[] = [];
    for (let i = this.index_after(start); i < this.list.length && this.list[i].vm_start < end; i++) out.push(this.list[i]);
    return out;
  }
}
