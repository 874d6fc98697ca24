/**
 * The kernel: one machine's shared state (physical memory, page-table pages, RCU,
 * the TLB model, the arch, the reclaim plugin) and the mms and tasks on it.
 */
import { MmStruct } from "./mm/mm_struct.js";
import { PageFrames } from "./mm/page_alloc.js";
import { sys_swapon } from "./mm/swapfile.js";
import { vm_commit_defaults, type VmCommit } from "./mm/overcommit.js";
import type { SwapInfo } from "./types/swap.js";
import type { Arch, TableFreeTarget } from "./pgtable/arch.js";
import { DEFAULT_KERNEL_ERA, KERNEL_ERAS, MmsimError, validate_plugin, VM_READ, type KernelEra } from "@mmsim/spec";
import { PGD_LEVEL, PTE_LEVEL, PtStore } from "./pgtable/store.js";
import { hooks_of, type ReclaimPlugin } from "./plugin/plugin.js";
import { Task } from "./sched/task.js";
import { Rcu } from "./sync/rcu.js";
import { Srcu } from "./sync/srcu.js";
import { TlbModel } from "./tlb/tlb.js";
import type * as types from "./types/kernel.js";
import type { Hooks, KernelCounters, PmdEntrySleep, Sanitizer } from "./types/kernel.js";
import type { MmStruct as MmStructT } from "./types/mm_types.js";

export interface KernelOptions {
  arch: Arch;
  /** The reclaim strategy; null or absent for Linux without page-table reclaim. */
  reclaim?: ReclaimPlugin | null;
  /** Simulated CPUs (default 2, like our machines). */
  nr_cpus?: number;
  /** Transparent huge pages mode (default "madvise", as on our machines). */
  thp?: "always" | "madvise" | "never";
  /**
   * The machine's RAM (totalram_pages(), in bytes): what overcommit accounting
   * (mm/overcommit.ts) checks a charge against. Default 256 GiB, no swap (a
   * server like the seed threads'); set it to a machine's to match it.
   */
  ram_bytes?: number;
  /** @deprecated the old name of `ram_bytes` (swap was always added on top). */
  commit_limit_bytes?: number;
  /** vm.overcommit_memory: 0 heuristic (the default), 1 always, 2 never (strict accounting). */
  overcommit_memory?: 0 | 1 | 2;
  /** vm.overcommit_ratio (%, default 50): CommitLimit's share of RAM in mode 2. */
  overcommit_ratio?: number;
  /** vm.overcommit_kbytes: CommitLimit's RAM part in kB instead of the ratio (0: use the ratio). */
  overcommit_kbytes?: number;
  /**
   * A swap device of this many bytes, enabled at boot as `swapon` of a swap file
   * of that size would (mm/swapfile.ts). Default: no swap.
   */
  swap_bytes?: number;
  /**
   * Highest PFN of simulated physical memory (default 2^31 - 1: 8 TiB; at most
   * 2^40 - 1, x86-64's 40-bit PFN, and what the arch's entries hold: 2^32 - 1 on
   * the arm64 model). Frame descriptors grow in chunks as frames are first used
   * (mm/page_alloc.ts): host memory, not this, is the practical limit.
   */
  max_pfn?: number;
  /**
   * The kernel release whose paths run; overrides the plugin's `era` (tests,
   * "what if this design ran on that kernel"). Default: the plugin's, else "6.18".
   */
  era?: KernelEra;
  /**
   * Seed 001's "another plan" (issue #12 §4): PMD and PUD tables may be freed
   * (through RCU) while the mm lives; every walker maps them with
   * pmd_offset_map()/pud_offset_map() (RCU, may fail) and lockers recheck
   * pud_same(). Default: off (Linux 6.18), unless the plugin's
   * `supports.rcu_upper_levels` asks for it.
   */
  rcu_upper_levels?: boolean;
  /**
   * With rcu_upper_levels: how a `.pmd_entry` callback that may sleep is
   * protected. "rcu-refcount" (default): RCU, and a reference on the tables taken
   * (under their locks) before sleeping; "srcu": the walk is an SRCU read-side
   * section and PMD/PUD tables are freed after an SRCU grace period too. Default:
   * the plugin's `supports.pmd_entry_sleep`, else "rcu-refcount".
   */
  pmd_entry_sleep?: PmdEntrySleep;
}

/** CONFIG_NR_CPUS's largest value on x86_64 (MAXSMP): the most CPUs an engine may simulate. */
export const MAX_NR_CPUS = 8192;

const THP_MODES: readonly string[] = ["always", "madvise", "never"];

/** A value as an error message shows it: strings quoted, objects as JSON (shortened). */
export function show_value(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object" && v !== null) {
    let j: string | undefined;
    try {
      j = JSON.stringify(v);
    } catch {
      j = undefined;
    }
    return j === undefined ? "an object" : j.length > 60 ? `${j.slice(0, 57)}...` : j;
  }
  return String(v);
}

/**
 * The options every engine needs, checked before anything is built: a bad value
 * is a config error naming the option (never a TypeError from deep inside, or an
 * allocation that exhausts the host). The other options are checked where they
 * are used (vm_commit_of, the era, max_pfn, swap_bytes, pmd_entry_sleep).
 */
function check_options(opts: KernelOptions): void {
  if (opts === null || typeof opts !== "object")
    throw new MmsimError("config-error", `KernelOptions: ${show_value(opts)} is not an options object (at least { arch }, e.g. { arch: x86_64() } from @mmsim/arch-x86_64)`);
  const arch: unknown = opts.arch;
  if (arch === null || typeof arch !== "object" || typeof (arch as { name?: unknown }).name !== "string")
    throw new MmsimError("config-error", `KernelOptions.arch: ${arch === undefined ? "missing" : `${show_value(arch)} is not an arch`}: pass one, e.g. x86_64() from @mmsim/arch-x86_64 or arm64() from @mmsim/arch-arm64`);
  const n: unknown = opts.nr_cpus;
  if (n !== undefined && !(typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX_NR_CPUS))
    throw new MmsimError("config-error", `KernelOptions.nr_cpus: ${show_value(n)} is not a number of CPUs (an integer from 1 to ${MAX_NR_CPUS})`);
  const thp: unknown = opts.thp;
  if (thp !== undefined && !(typeof thp === "string" && THP_MODES.includes(thp)))
    throw new MmsimError("config-error", `KernelOptions.thp: ${show_value(thp)} is not "always", "madvise" or "never"`);
}

/** The overcommit settings of KernelOptions, checked (a bad value is a config error naming the option). */
function vm_commit_of(opts: KernelOptions): VmCommit {
  const bytes = (name: "ram_bytes" | "commit_limit_bytes", v: number) => {
    if (!Number.isSafeInteger(v) || v < 4096) throw new MmsimError("config-error", `KernelOptions.${name}: ${v} is not a RAM size (a whole number of bytes, at least one page)`);
    return Math.floor(v / 4096);
  };
  const c = vm_commit_defaults(bytes(opts.ram_bytes !== undefined ? "ram_bytes" : "commit_limit_bytes", opts.ram_bytes ?? opts.commit_limit_bytes ?? 256 * 2 ** 30));
  if (opts.overcommit_memory !== undefined) {
    if (opts.overcommit_memory !== 0 && opts.overcommit_memory !== 1 && opts.overcommit_memory !== 2)
      throw new MmsimError("config-error", `KernelOptions.overcommit_memory: ${String(opts.overcommit_memory)} is not 0, 1 or 2 (-EINVAL)`);
    c.overcommit_memory = opts.overcommit_memory;
  }
  for (const name of ["overcommit_ratio", "overcommit_kbytes"] as const) {
    const v = opts[name];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) throw new MmsimError("config-error", `KernelOptions.${name}: ${v} is not a non-negative integer (-EINVAL)`);
  }
  if (opts.overcommit_ratio !== undefined) c.overcommit_ratio = opts.overcommit_ratio;
  if (opts.overcommit_kbytes !== undefined) c.overcommit_kbytes = opts.overcommit_kbytes;
  return c;
}

export class Kernel implements types.Kernel {
  readonly arch: Arch;
  readonly plugin: ReclaimPlugin | null;
  /** The kernel release whose paths run (KernelOptions.era, else the plugin's, else "6.18"). */
  readonly era: KernelEra;
  readonly hooks: Hooks;
  readonly frames: PageFrames;
  readonly pt: PtStore;
  readonly rcu = new Rcu();
  readonly srcu = new Srcu();
  readonly rcu_upper: boolean;
  readonly pmd_entry_sleep: PmdEntrySleep;
  readonly tlb: TlbModel;
  /** /sys/kernel/mm/transparent_hugepage/{enabled,use_zero_page} */
  readonly thp: { enabled: "always" | "madvise" | "never"; use_zero_page: boolean };
  /** Deposited PTE tables of huge PMDs (pgtable_trans_huge_deposit), by PMD entry pointer. */
  readonly deposit = new Map<number, number>();
  /** The vm.overcommit_* sysctls, totalram/swap and Committed_AS (mm/overcommit.ts). */
  readonly vm_commit: VmCommit;
  /** The swap device (mm/swapfile.ts), or null without swap. */
  swap_info: SwapInfo | null = null;
  /**
   * The model's clock. Each kernel entry (a fault or a syscall) costs ENTRY_NS of
   * simulated time, calibrated on our machines (the seed loop's 13.1M faults take
   * ~22 s on Linux 6.18); every 1/HZ the running task takes a scheduler tick.
   */
  now_ns = 0;
  jiffies = 0;
  private next_tick_ns = 1e9 / 250;
  static readonly HZ = 250;
  static readonly ENTRY_NS = 1700;
  readonly counters: KernelCounters = { tables_deferred: 0, tables_freed_rcu: 0, rcu_table_batches: 0 };
  readonly mms = new Map<number, MmStruct>();
  /** The task each CPU is running (for IPI delivery), or null when idle. */
  readonly cpu_curr: (Task | null)[];
  /** Runtime checks (check/sanitizer.ts, injected by whoever explores); null in bulk runs. */
  sanitizer: Sanitizer | null = null;
  readonly tasks: Task[] = [];
  readonly PMD_SIZE: number;
  readonly PUD_SIZE: number;
  readonly P4D_SIZE: number;
  readonly PGDIR_SIZE: number;
  private next_mm = 1;
  private next_pid = 1;
  private next_anon_vma = 1;
  private next_file = 1;

  constructor(opts: KernelOptions) {
    // Host performance, not simulated state: the clock passes 2^31 ns after 2.1 simulated
    // seconds; a field that starts as a small integer then changes representation, which
    // throws away every optimized function that reads this Kernel (a few hundred ms of
    // recompiling in the seed loop). Store a fraction once so the fields hold doubles from the start.
    this.now_ns = this.next_tick_ns = 0.5;
    this.now_ns = 0;
    this.next_tick_ns = 1e9 / Kernel.HZ;
    check_options(opts);
    this.arch = opts.arch;
    if (!this.arch.MMU_GATHER_RCU_TABLE_FREE)
      throw new MmsimError("config-error", `arch ${this.arch.name}: mmsim models only arches that select MMU_GATHER_RCU_TABLE_FREE`);
    this.plugin = opts.reclaim ? validate_plugin(opts.reclaim, "KernelOptions.reclaim") : null;
    if (opts.era !== undefined && !KERNEL_ERAS.includes(opts.era))
      throw new MmsimError("config-error", `KernelOptions.era: unknown kernel era ${JSON.stringify(opts.era)} (known: ${KERNEL_ERAS.join(", ")})`);
    this.era = opts.era ?? this.plugin?.era ?? DEFAULT_KERNEL_ERA;
    this.thp = { enabled: opts.thp ?? "madvise", use_zero_page: true };
    this.vm_commit = vm_commit_of(opts);
    this.hooks = hooks_of(this.plugin);
    this.rcu_upper = opts.rcu_upper_levels ?? this.plugin?.supports.rcu_upper_levels === true;
    const sleep = opts.pmd_entry_sleep ?? this.plugin?.supports.pmd_entry_sleep ?? "rcu-refcount";
    if (sleep !== "srcu" && sleep !== "rcu-refcount")
      throw new MmsimError("config-error", `KernelOptions.pmd_entry_sleep: ${JSON.stringify(sleep)} is not "srcu" or "rcu-refcount"`);
    this.pmd_entry_sleep = sleep;
    if (this.rcu_upper) this.rcu.srcu = this.srcu;
    this.frames = new PageFrames(opts.max_pfn);
    // Every PFN up to max_pfn must survive the arch's entries (x86-64: 40-bit PFNs; the arm64 model's packed form: 32).
    const top_pfn = this.frames.max_pfn;
    if (opts.max_pfn !== undefined && (this.arch.pte_pfn(this.arch.pfn_pte(top_pfn, this.arch.vm_get_page_prot(VM_READ))) !== top_pfn || this.arch.pxd_table_pfn(this.arch.mk_table_entry(top_pfn)) !== top_pfn))
      throw new MmsimError("config-error", `KernelOptions.max_pfn: ${top_pfn} does not fit arch ${this.arch.name}'s page-table entries`);
    // Idle split locks may be dropped when nothing observes lock objects (pgtable/store.ts drop_idle_locks).
    this.pt = new PtStore(this.frames, 0, this);
    this.tlb = new TlbModel(opts.nr_cpus ?? 2);
    this.cpu_curr = new Array(opts.nr_cpus ?? 2).fill(null);
    const a = this.arch;
    this.PMD_SIZE = 2 ** a.PMD_SHIFT;
    this.PUD_SIZE = 2 ** a.PUD_SHIFT;
    this.P4D_SIZE = 2 ** a.P4D_SHIFT;
    this.PGDIR_SIZE = 2 ** a.PGDIR_SHIFT;
    if (opts.swap_bytes !== undefined && sys_swapon(this, opts.swap_bytes) < 0)
      throw new MmsimError("config-error", `KernelOptions.swap_bytes: ${opts.swap_bytes} is not a swap area (at least 2 pages, one for the header)`);
    this.plugin?.attach?.(this);
  }

  /** mm_alloc() + mm_init(): an empty mm with its PGD page. */
  /**
   * PtStore's LockDropPolicy: idle split locks may be dropped only while no lock
   * object's identity can be observed (no sanitizer, no stepping task).
   */
  may_drop_locks(): boolean {
    if (this.sanitizer !== null) return false;
    for (const t of this.rcu.tasks) if (t.stepping) return false;
    return true;
  }

  mm_alloc(): MmStruct {
    const id = this.next_mm++;
    const pgd = this.pt.alloc(PGD_LEVEL, id);
    const mm = new MmStruct(id, this.arch, pgd);
    this.mms.set(id, mm);
    return mm;
  }

  /** A task running `mm` on `cpu`; the CPU switches to the mm. */
  new_task(mm: MmStructT | null, cpu = 0, comm = "task"): Task {
    const t = new Task(this, this.next_pid++, mm, cpu, comm);
    this.tasks.push(t);
    if (!this.cpu_curr[cpu]) this.cpu_curr[cpu] = t;
    this.rcu.tasks.add(t);
    if (mm) this.tlb.switch_mm(cpu, mm);
    return t;
  }

  new_anon_vma(): number {
    return this.next_anon_vma++;
  }

  new_file_id(): number {
    return this.next_file++;
  }

  /**
   * When the next scheduler tick is due: (jiffies + 1) * 1e9 / HZ, exactly (a sum of
   * integers). Read from the double field: the product, computed in small integers by
   * the optimized code, overflows at jiffies 536 and throws the fault batch's
   * optimized code away (issue #10 §4).
   */
  get next_tick(): number {
    return this.next_tick_ns;
  }

  /** Advance the clock by `ns` on `t`'s CPU; each jiffy crossed is a scheduler tick (task_tick_fair). */
  advance(t: Task, ns: number): void {
    this.now_ns += ns;
    if (this.now_ns < this.next_tick_ns) return;
    const tick = this.hooks.scheduler_tick;
    const period = 1e9 / Kernel.HZ;
    while (this.now_ns >= this.next_tick_ns) {
      this.jiffies++;
      this.next_tick_ns += period;
      if (tick !== null && t.mm) tick(t, t.mm);
    }
  }

  /**
   * What the arch's pte_free_defer() / __pte_free_tlb() drive: RCU and the free
   * of a table page. (tlb_remove_table is the gather's: see MmuGather.)
   */
  table_free_target(mm: MmStructT): TableFreeTarget {
    return {
      tlb_remove_table: () => {
        throw new Error(`${this.arch.name}: tlb_remove_table() outside an mmu_gather`);
      },
      call_rcu: (func) => this.rcu.call_rcu(func),
      pte_free_now: (pfn) => this.__tlb_remove_table(mm, pfn),
    };
  }

  /**
   * __tlb_remove_table(): the RCU callback's free of one page-table page. For a
   * PTE table it runs pagetable_dtor() here, after the grace period (Linux >=
   * 6.14's generic __tlb_remove_table / pte_free_now; 2022's pte_free_rcu).
   */
  __tlb_remove_table(mm: MmStructT, pfn: number): void {
    // The "srcu" option: a PMD/PUD table also waits for the page-table SRCU
    // domain's readers (sleeping .pmd_entry walkers); PTE tables do not (Qi
    // Zheng: "the SRCU critical section cannot prevent the PTE page from being
    // freed via RCU").
    if (this.rcu_upper && this.pmd_entry_sleep === "srcu" && this.pt.is_table(pfn) && this.pt.level_of(pfn) > PTE_LEVEL) {
      this.srcu.call_srcu(() => this.__tlb_remove_table_now(mm, pfn));
      return;
    }
    this.__tlb_remove_table_now(mm, pfn);
  }

  private __tlb_remove_table_now(mm: MmStructT, pfn: number): void {
    this.counters.tables_freed_rcu++;
    // A table freed twice is the sanitizer's "double free" (or pt.free's own
    // check): look at its level only while it is still a table.
    if (this.pt.is_table(pfn) && this.pt.level_of(pfn) === PTE_LEVEL) this.hooks.pte_table_dtor?.(this, mm, pfn);
    this.sanitizer?.table_freed(pfn);
    this.pt.free(pfn);
  }
}
