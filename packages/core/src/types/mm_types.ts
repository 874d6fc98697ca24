/**
 * The memory-management structs (include/linux/mm_types.h): struct mm_struct,
 * struct vm_area_struct, struct vm_fault, the page descriptors and the page-table
 * pages (struct page / ptdesc, held in typed arrays indexed by PFN). Declarations
 * only, as a header is: mm/ and pgtable/ implement them. A field added to one of
 * the classes is added here, where every layer sees it.
 */
import type { Arch, mm_struct, pgprot_t, vm_area_struct } from "@mmsim/spec";
import type { RwSem, SpinLock } from "./sync.js";

/** Per-mm event counters (what /proc/vmstat and tracepoints would show for this mm). */
export interface MmCounters {
  pgfault: number;
  /** Faults that mapped the shared zero page. */
  zero_page_faults: number;
  thp_fault_alloc: number;
  /** Tables allocated and freed, per level: [pte, pmd, pud, p4d]. */
  pgtables_allocated: [number, number, number, number];
  pgtables_freed: [number, number, number, number];
  /** PTE tables freed by the reclaim plugin (VmPTE drops). */
  pte_tables_reclaimed: number;
}

/** struct mm_struct (mm/mm_struct.ts). */
export interface MmStruct extends mm_struct {
  readonly id: number;
  readonly arch: Arch;
  /** PFN of the PGD page. */
  readonly pgd: number;
  readonly mmap_lock: RwSem;
  /** mm->page_table_lock: protects PUD/P4D/PGD population. */
  readonly page_table_lock: SpinLock;
  /** The VMAs (mm->mm_mt). */
  readonly mm_mt: VmaTree;
  /** Pages mapped (VmSize). */
  total_vm: number;
  locked_vm: number;
  /** Private writable pages (VmData). */
  data_vm: number;
  hiwater_vm: number;
  hiwater_rss: number;
  /** atomic_long_t pgtables_bytes (VmPTE) */
  pgtables_bytes: number;
  /** rss_stat, by MM_FILEPAGES ... MM_SHMEMPAGES (mm/mm.ts) */
  readonly rss_stat: Float64Array;
  mmap_base: number;
  /** The heap: mm->start_brk and mm->brk (0 until set_brk(), the ELF loader's part; mm/brk.ts). */
  start_brk: number;
  brk: number;
  /** CPUs this mm has run on and may have TLB entries for (mm_cpumask). */
  readonly cpumask: Set<number>;
  readonly counters: MmCounters;
  exited: boolean;
  /** VMAs write-locked (vma_start_write) by the current mmap_lock writer. */
  readonly vma_writers: Vma[];
  readonly map_count: number;
  get_mm_counter(member: number): number;
  /** get_mm_rss() */
  get_mm_rss(): number;
}

/** The object a shared anonymous mapping maps: a shmem file and its page cache. */
export interface ShmemFile {
  readonly id: number;
  /** Size in pages. */
  readonly size: number;
  /** pgoff → PFN of the page-cache page. */
  readonly pages: Map<number, number>;
  /** VMAs mapping the file (its last unmap evicts the page cache). */
  mappers: number;
  /** Pages shmem_acct_size() charged at creation (0 for VM_NORESERVE); shmem_evict_inode uncharges them. */
  acct_pages: number;
}

/** struct vm_area_struct, for anonymous memory (mm/vma.ts). */
export interface Vma extends vm_area_struct {
  vm_start: number;
  vm_end: number;
  vm_flags: number;
  vm_page_prot: pgprot_t;
  /** Page offset: addr >> PAGE_SHIFT at mmap time for private anon, 0-based in the file for shmem. */
  vm_pgoff: number;
  /** anon_vma id, 0 when none yet (anon_vma_prepare assigns one on first fault). */
  anon_vma: number;
  /** vm_file: the shmem file of a shared anonymous mapping. */
  vm_file: ShmemFile | null;
  /** Per-VMA lock (vma_start_read / vma_start_write). */
  readonly vm_lock: RwSem;
  detached: boolean;
  /** vma->vm_mm: set when the VMA is inserted into an mm's tree. */
  vm_mm: MmStruct | null;
  readonly pages: number;
}

/** The mm's VMAs, ordered by address (the kernel's maple tree; mm/vma.ts). */
export interface VmaTree {
  readonly list: Vma[];
  readonly length: number;
  /** Index of the first VMA with vm_end > addr (list.length if none). */
  index_after(addr: number): number;
  /** find_vma(): the first VMA with vm_end > addr. */
  find_vma(addr: number): Vma | null;
  /** vma_lookup(): the VMA containing addr. */
  vma_lookup(addr: number): Vma | null;
  find_vma_intersection(start: number, end: number): Vma | null;
  /** find_vma_prev(): the VMA ending at or before addr. */
  prev_of(v: Vma): Vma | null;
  next_of(v: Vma): Vma | null;
  insert(v: Vma): void;
  remove(v: Vma): void;
  /** VMAs intersecting [start, end), in order. */
  range(start: number, end: number): Vma[];
}

/** struct vm_fault */
export interface VmFault {
  vma: Vma;
  address: number;
  flags: number;
  pgoff: number;
  pudp: number;
  pmdp: number;
  /** pte_t *pte, or -1 */
  pte: number;
  orig_pte: number;
  orig_pmd: number;
  ptl: SpinLock | null;
  /** User-data value the access writes (the oracle), if a write. */
  value: number;
}

/**
 * Word views of one descriptor chunk (or of the first region): the same memory as
 * its type, flags, refcount, mapcount and (16-bit) gen arrays, several frames a
 * word, for the range batches' word-wide passes (mm/frame_words.ts).
 */
export interface FrameWords {
  /** Types, 4 frames a word (frame o in word o >> 2). */
  readonly type4: Int32Array;
  /** Flags, 4 frames a word. */
  readonly flags4: Int32Array;
  /** Refcounts, 2 frames an element (compared by bit pattern only). */
  readonly refcount2: Float64Array;
  /** Mapcounts, 2 frames an element (compared by bit pattern only). */
  readonly mapcount2: Float64Array;
  /** 16-bit generations, 2 frames a word (empty once they are 32 bits wide). */
  readonly gen2: Int32Array;
}

/**
 * Physical memory: the page descriptors (struct page / struct ptdesc fields the
 * model needs), in chunks of typed arrays (mm/page_alloc.ts: FRAME_CHUNK frames
 * a chunk; field X of frame pfn is X_dir[frame_chunk(pfn)][frame_off(pfn)]).
 */
export interface PageFrames {
  readonly type_dir: readonly Uint8Array[];
  readonly flags_dir: readonly Uint8Array[];
  readonly refcount_dir: readonly Int32Array[];
  readonly mapcount_dir: readonly Int32Array[];
  /** Times this frame was freed: a stale reference carries an older generation. */
  readonly gen_dir: readonly (Uint16Array | Uint32Array)[];
  /** User-data oracle: the value last written to the page (0 = zero-filled); stored as value - pfn (mm/page_alloc.ts DATA_PER_PFN). */
  readonly data_dir: readonly Float64Array[];
  /** Owner mm id of a page-table page (ptdesc->pt_mm) or of an anon page. */
  readonly owner_dir: readonly (Uint16Array | Int32Array)[];
  /** Virtual address an anon page is mapped at (single-mm rmap for MADV_FREE reclaim); stored as index - pfn * 4096 (INDEX_PER_PFN). */
  readonly index_dir: readonly Float64Array[];
  /** Word views of each chunk's descriptors (mm/frame_words.ts), and of the first region's (flat_words). */
  readonly words_dir: readonly FrameWords[];
  readonly flat_words: FrameWords;
  /**
   * The first region (PFNs below flat_n) in flat arrays: the accessors' fast path,
   * which a hot site may take itself (`pfn < flat_n`), else the accessors.
   */
  readonly flat_n: number;
  readonly flat_type: Uint8Array;
  readonly flat_flags: Uint8Array;
  readonly flat_refcount: Int32Array;
  readonly flat_mapcount: Int32Array;
  readonly flat_gen: Uint16Array | Uint32Array;
  readonly flat_data: Float64Array;
  readonly flat_owner: Uint16Array | Int32Array;
  readonly flat_index: Float64Array;
  /* One frame's fields. */
  get_type(pfn: number): number;
  set_type(pfn: number, v: number): void;
  get_flags(pfn: number): number;
  set_flags(pfn: number, v: number): void;
  /** flags |= bits. */
  set_flag_bits(pfn: number, bits: number): void;
  /** flags &= ~bits. */
  clear_flag_bits(pfn: number, bits: number): void;
  get_refcount(pfn: number): number;
  set_refcount(pfn: number, v: number): void;
  /** refcount += d; returns the new count. */
  add_refcount(pfn: number, d: number): number;
  get_mapcount(pfn: number): number;
  set_mapcount(pfn: number, v: number): void;
  /** mapcount += d; returns the new count. */
  add_mapcount(pfn: number, d: number): number;
  get_gen(pfn: number): number;
  get_data(pfn: number): number;
  set_data(pfn: number, v: number): void;
  get_owner(pfn: number): number;
  set_owner(pfn: number, v: number): void;
  get_index(pfn: number): number;
  set_index(pfn: number, v: number): void;
  readonly max_pfn: number;
  nr_free: number;
  nr_used: number;
  /** PFN of the shared zero page, and of the huge zero folio's head. */
  readonly zero_pfn: number;
  readonly huge_zero_pfn: number;
  /** Allocate 2^order frames of `type`; returns the head PFN. */
  alloc(order: 0 | 9, type: number): number;
  /** Free a frame (or a THP folio by its head); poisons the descriptors. */
  free(pfn: number, order: 0 | 9): void;
  is_free(pfn: number): boolean;
  /** Host bytes the descriptors of the frames ever used and the free lists take. */
  host_bytes(): number;
  /**
   * Up to `max` alloc(0, type) calls at once while the frames form a run in one chunk: the first PFN; out.n frames at first + i * out.step.
   * With `anon_owner`: owner, mapcount 1 and PG_dirty set too, data and index left to the caller.
   */
  alloc_run(max: number, type: number, out: { n: number; step: number }, anon_owner?: number): number;
  /** free(first + i * step, 0) for i < n, in that order (step a non-zero int32; the run may cross chunks). */
  free_run(first: number, n: number, step: number): void;
  /**
   * The flush's last puts (issue #10 §4): free_run() of the frames first, first + step, ...
   * (step +1 or -1, at most n, in the first frame region or first's chunk) while each
   * has refcount 1 and is not a large folio's head, when there are at least two;
   * returns how many were freed (0: none, the caller puts `first` the ordinary way).
   */
  free_last_puts(first: number, n: number, step: number): number;
}

/**
 * The contents of every page-table page (pgtable/store.ts): 512 entries per table,
 * read and written through get()/set() with a pointer to an entry (`pte_t *`,
 * `slot * 512 + i`), and the ptdesc fields of each table page.
 */
export interface PtStore {
  /** The entry at pointer `p` (`*ptep`, a `pte_t *` being `slot * 512 + i`). */
  get(p: number): number;
  /** Store `v` at pointer `p`. */
  set(p: number, v: number): void;
  /** Store `v` in the `n` entries from pointer `p` on (all in one table). */
  fill(p: number, n: number, v: number): void;
  /** Copy the `n` entries from pointer `p` on (all in one table) into out[at .. at + n). */
  read(p: number, n: number, out: Float64Array, at?: number): void;
  /** Store vals[from + k] at pointer p + k * stride, for k < n (all in one table), as n set()s in order would. */
  write(p: number, stride: number, vals: Float64Array, from: number, n: number): void;
  /** How many entries of table `pfn` are not 0 (the occupancy count). */
  nr_used(pfn: number): number;
  /** Are all 512 entries of table `pfn` 0? */
  is_empty(pfn: number): boolean;
  /** Slot of `pfn`, or -1 when it holds no table. */
  lookup(pfn: number): number;
  /** The upper-level entry (pointer) that last linked table `pfn` in, or -1. */
  parent_of(pfn: number): number;
  set_parent(pfn: number, p: number): void;
  /** The split lock of the table holding pointer `p`. */
  ptl_at(p: number): SpinLock;
  /** Walker references on table `pfn` (pgtable_get/pgtable_put: the "rcu-refcount" option's sleeping walkers). */
  users_of(pfn: number): number;
  add_users(pfn: number, d: number): void;
  readonly nr_private: number;
  /** Keep freed slots poisoned instead of reusing them (KASAN-style quarantine, for the sanitizers). */
  quarantine: boolean;
  /** Allocate a zeroed table page of `level` for mm `owner`; returns its PFN. */
  alloc(level: number, owner: number): number;
  /** Free a table page: poison its entries and the frame. */
  free(pfn: number): void;
  /** Is the table `pfn` still linked in: does the entry that linked it still point at it? */
  is_linked(pfn: number, mk_table_entry: (pfn: number) => number): boolean;
  /** Slot of a live table; throws on a PFN that holds no table (a use after free). */
  slot(pfn: number): number;
  /** Index of entry `i` of table `pfn` (a `pte_t *`). */
  entry(pfn: number, i: number): number;
  /** The PFN of the table that contains entry pointer `p`. */
  table_of(p: number): number;
  level_of(pfn: number): number;
  ptl_of(pfn: number): SpinLock;
  /** The split lock of table `pfn` if it exists (ptl_of() creates it on first use), else null. */
  ptl_if_any(pfn: number): SpinLock | null;
  is_table(pfn: number): boolean;
  /** Live tables, all levels. */
  readonly nr_tables: number;
  /** Iterate live table PFNs with their level. */
  tables(): Generator<{ pfn: number; level: number }>;
  /** Store first + k * step at p + k for k < n: O(1) where that leaves a RUN, one loop into a DENSE32/DENSE table; false (nothing stored) elsewhere. */
  write_run(p: number, n: number, first: number, step: number): boolean;
  /** How many of the `n` entries from `p` on are 0, up to the first that is not (O(1) unless dense). */
  zeros_at(p: number, n: number): number;
  /** How many of the `n` entries from `p` on lie in the table's RUN, or (DENSE32) in one progression of non-zero entries (entry p + k = out.first + k * out.step); 0 if none. */
  run_at(p: number, n: number, out: { first: number; step: number }): number;
}
