/**
 * The user-facing engine: a Kernel plus processes whose syscalls and memory
 * accesses run the kernel paths to completion (the bulk runner). Every syscall
 * ends with return to user space: a quiescent state for RCU (completed grace
 * periods run their callbacks) and the plugin's task_work.
 */
import { Kernel, show_value, type KernelOptions } from "./kernel.js";
import { do_user_addr_fault, hw_access, type AccessResult } from "./mm/fault.js";
import { set_brk, sys_brk } from "./mm/brk.js";
import { MmsimError } from "@mmsim/spec";
import { ENOENT, errno_name } from "./mm/errno.js";
import { overcommit_kbytes_handler, overcommit_policy_handler, overcommit_ratio_handler } from "./mm/overcommit.js";
import { dup_mm } from "./mm/fork.js";
import { exit_mmap, sys_munmap } from "./mm/mmap.js";
import { sys_mprotect } from "./mm/mprotect.js";
import { sys_mremap } from "./mm/mremap.js";
import { sys_swapon } from "./mm/swapfile.js";
import { balance_pgdat, enter_lazy_tlb, kswapd_task, try_to_free_pages } from "./mm/kswapd.js";
import { do_madvise, vm_mmap_pgoff } from "./mm/populate.js";
import { do_anonymous_page_batch, type FaultBatchResult, type FaultBatchUser } from "./mm/do_anonymous_page_batch.js";
import { range_batch_allowed, set_range_batch } from "./mm/range_batch.js";
import type { MmStruct } from "./mm/mm_struct.js";
import { render_status, task_mem, type ProcStatus } from "./proc/status.js";
import { run_stepped, run_to_completion } from "./sched/runner.js";
import type { Task } from "./sched/task.js";

export interface EngineOptions extends KernelOptions {
  /**
   * Run every kernel path as its generator, stepping through each preemption point
   * (what the deterministic scheduler does), instead of the bulk twin. Slower;
   * for the differential test and for debugging.
   */
  stepped?: boolean;
  /**
   * Let bulk runs take the range fast paths where nothing observes single steps
   * (mm/range_batch.ts: a touch faults a PTE table's pages in as one batch, the
   * zap clears a run of present PTEs as one batch; same resulting state). Default
   * true; false forces the step-by-step path (the digest test compares the two).
   */
  batch?: boolean;
}

export class Engine {
  readonly k: Kernel;
  readonly processes: Process[] = [];
  readonly stepped: boolean;

  constructor(opts: EngineOptions) {
    this.k = new Kernel(opts);
    this.stepped = opts.stepped ?? false;
    set_range_batch(this.k, opts.batch ?? true);
  }

  /** A new process with an empty mm on `cpu`. */
  spawn(cpu = 0, comm = "mmsim"): Process {
    const n = this.k.cpu_curr.length;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= n)
      throw new MmsimError("config-error", `Engine.spawn(): cpu ${show_value(cpu)} is not a CPU of this engine (0 to ${n - 1}: KernelOptions.nr_cpus is ${n})`);
    const mm = this.k.mm_alloc();
    const p = new Process(this.k, mm, this.k.new_task(mm, cpu, comm), this.stepped);
    this.processes.push(p);
    return p;
  }
}

export function createEngine(opts: EngineOptions): Engine {
  return new Engine(opts);
}

/** A user process: its syscalls return what the C library's raw syscall returns (a value or -errno). */
export class Process {
  /** Value the next user write stores (the user-data oracle's sequence). */
  private seq = 0;

  constructor(
    readonly k: Kernel,
    readonly mm: MmStruct,
    readonly task: Task,
    /** Run kernel paths stepped (generators) rather than as bulk twins. */
    readonly stepped = false,
  ) {}

  get pid(): number {
    return this.task.pid;
  }

  /**
   * An exited process makes no more syscalls and runs no more instructions: its mm
   * was torn down by exit_mmap() (PGD freed, commitment returned). Using it is the
   * caller's bug, refused before it can corrupt the machine's accounting. status(),
   * proc_status(), idle() and kswapd's reclaim() stay usable.
   */
  private live(what: string): void {
    if (this.mm.exited) throw new Error(`Process ${this.task.pid}: ${what}() after exit(): the process has exited`);
  }

  /** The syscall's result after return to user space (run_to_completion() becomes the twin at build time). */
  private ret<T>(r: T): T {
    this.return_to_user();
    return r;
  }

  /** exit_to_user_mode(): an RCU quiescent state, then task_work (the plugin's). */
  return_to_user(): void {
    const k = this.k;
    k.advance(this.task, Kernel.ENTRY_NS);
    k.rcu.rcu_poll();
    const tw = k.hooks.task_work;
    if (tw !== null && this.task.task_work_pending) {
      this.task.task_work_pending = false; // task_work_run()
      if (this.stepped) run_stepped(this.task, tw(this.task, this.mm));
      else run_to_completion(tw(this.task, this.mm));
      k.rcu.rcu_poll();
    }
  }

  /** mmap(); MAP_POPULATE and MAP_LOCKED populate the range (vm_mmap_pgoff → mm_populate). */
  mmap(addr: number, len: number, prot: number, flags: number, off = 0): number {
    this.live("mmap");
    return this.ret(this.stepped ? run_stepped(this.task, vm_mmap_pgoff(this.task, addr, len, prot, flags, off)) : run_to_completion(vm_mmap_pgoff(this.task, addr, len, prot, flags, off)));
  }
  munmap(addr: number, len: number): number {
    this.live("munmap");
    return this.ret(this.stepped ? run_stepped(this.task, sys_munmap(this.task, addr, len)) : run_to_completion(sys_munmap(this.task, addr, len)));
  }
  mprotect(addr: number, len: number, prot: number): number {
    this.live("mprotect");
    return this.ret(this.stepped ? run_stepped(this.task, sys_mprotect(this.task, addr, len, prot)) : run_to_completion(sys_mprotect(this.task, addr, len, prot)));
  }
  /** madvise(); MADV_POPULATE_READ/WRITE fault the range in (madvise_populate). */
  madvise(addr: number, len: number, advice: number): number {
    this.live("madvise");
    return this.ret(this.stepped ? run_stepped(this.task, do_madvise(this.task, addr, len, advice)) : run_to_completion(do_madvise(this.task, addr, len, advice)));
  }
  /** mremap(addr, old_len, new_len, flags, new_addr): the new address or -errno (mm/mremap.ts). */
  mremap(addr: number, old_len: number, new_len: number, flags = 0, new_addr = 0): number {
    this.live("mremap");
    return this.ret(this.stepped ? run_stepped(this.task, sys_mremap(this.task, addr, old_len, new_len, flags, new_addr)) : run_to_completion(sys_mremap(this.task, addr, old_len, new_len, flags, new_addr)));
  }
  /** brk(brk): the new program break, or the old one on failure (mm/brk.ts; set_brk() first). */
  brk(brk: number): number {
    this.live("brk");
    return this.ret(this.stepped ? run_stepped(this.task, sys_brk(this.task, brk)) : run_to_completion(sys_brk(this.task, brk)));
  }
  /**
   * swapon(2) of a swap area of `bytes` (mm/swapfile.ts): 0 or -errno. Swap is
   * the machine's: every process's MADV_PAGEOUT may then write anon pages to it.
   */
  swapon(bytes: number): number {
    return this.ret(sys_swapon(this.k, bytes));
  }
  /** The machine's RAM, totalram (the script's `ram` statement; KernelOptions.ram_bytes at boot). */
  set_ram(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 4096) throw new RangeError(`Process.set_ram(): ${show_value(bytes)} is not a RAM size (a whole number of bytes, at least one page)`);
    this.k.vm_commit.totalram_pages = Math.floor(bytes / 4096);
  }
  /** A write to /proc/sys/vm/overcommit_{memory,ratio,kbytes} (mm/overcommit.ts): 0 or -errno. */
  sysctl(name: string, value: number): number {
    if (name === "vm.overcommit_memory") return overcommit_policy_handler(this.k, value);
    if (name === "vm.overcommit_ratio") return overcommit_ratio_handler(this.k, value);
    if (name === "vm.overcommit_kbytes") return overcommit_kbytes_handler(this.k, value);
    return -ENOENT;
  }
  /** A write to /sys/kernel/mm/transparent_hugepage/enabled. */
  set_thp(mode: "always" | "madvise" | "never"): void {
    // Writing anything else to the sysfs file is -EINVAL in Linux.
    if (mode !== "always" && mode !== "madvise" && mode !== "never") throw new RangeError(`Process.set_thp(): ${show_value(mode)} is not "always", "madvise" or "never"`);
    this.k.thp.enabled = mode;
  }
  /** What the ELF loader sets at exec (the model loads no ELF files): mm->start_brk, and mm->brk (default: the start). */
  set_brk(start_brk: number, brk = start_brk): void {
    const top = this.k.arch.TASK_SIZE;
    if (!Number.isSafeInteger(start_brk) || start_brk < 0 || start_brk > top) throw new RangeError(`Process.set_brk(): start_brk ${show_value(start_brk)} is not a user address (an integer from 0 to TASK_SIZE ${top})`);
    if (!Number.isSafeInteger(brk) || brk < start_brk || brk > top) throw new RangeError(`Process.set_brk(): brk ${show_value(brk)} is not a user address from start_brk ${start_brk} to TASK_SIZE ${top}`);
    set_brk(this.mm, start_brk, brk);
  }
  /**
   * fork(): a new process whose mm is a copy of this one (dup_mm: the VMAs, and
   * the tables and pages of the anonymous ones; mm/fork.ts). The child is not in
   * Engine.processes (the processes spawn() made). Throws an "out-of-memory"
   * MmsimError when fork() would return -ENOMEM (strict overcommit).
   */
  fork(comm = this.task.comm): Process {
    this.live("fork");
    const mm = this.ret(this.stepped ? run_stepped(this.task, dup_mm(this.task, this.mm)) : run_to_completion(dup_mm(this.task, this.mm)));
    if (typeof mm === "number")
      throw new MmsimError("out-of-memory", `fork(): ${errno_name(-mm)}: the child's private writable memory could not be charged (vm.overcommit_memory=${this.k.vm_commit.overcommit_memory})`);
    return new Process(this.k, mm, this.k.new_task(mm, this.task.cpu, comm), this.stepped);
  }

  /**
   * One user load or store of a byte at `addr`. A store writes the next oracle value.
   * Returns "ok", or the signal the access raised.
   */
  access(addr: number, write: boolean): AccessResult {
    this.live("access");
    const v = this.user_access(addr, write, write ? ++this.seq : 0);
    return typeof v === "number" ? "ok" : v;
  }

  /** A user load: the value read (the oracle's), or the signal raised. */
  load(addr: number): number | AccessResult {
    this.live("load");
    return this.user_access(addr, false, 0);
  }

  /**
   * The instruction: the MMU translates (hw_access); on a miss the page-fault path
   * runs and the instruction is retried. Returns the value read or written, or the
   * signal the fault raised.
   */
  private user_access(addr: number, write: boolean, value: number, from_try = 0): number | AccessResult {
    // Only a user address is walked: the MMU takes an index of 9 bits per level, so an address
    // at or past TASK_SIZE (non-canonical, or the kernel half; a negative number is the
    // kernel half's unsigned long) would alias a user page. Linux raises #GP or a kernel-address
    // fault there, and the process gets SIGSEGV: here the fault path finds no VMA for it.
    const user = addr >= 0 && addr < this.k.arch.TASK_SIZE;
    for (let tries = from_try; tries < 4; tries++) {
      const v = user ? hw_access(this.k, this.mm, addr, write, value) : NaN;
      if (v === v) return v; // not NaN: translated
      const r = this.stepped ? run_stepped(this.task, do_user_addr_fault(this.task, addr, write, value)) : run_to_completion(do_user_addr_fault(this.task, addr, write, value));
      this.return_to_user();
      if (r !== "ok") return r;
    }
    throw new Error(`access(0x${addr.toString(16)}): no progress after 4 faults (model bug)`);
  }

  /**
   * touch: one access every `stride` bytes of [addr, addr + len). Stops at the
   * first access that raises a signal and returns it.
   */
  touch(addr: number, len: number, write: boolean, stride = 4096): AccessResult {
    this.live("touch");
    // The user program's loop, not a syscall: a bad bound is the caller's bug (a stride of 0 would never end).
    if (!Number.isSafeInteger(len) || len < 0) throw new RangeError(`Process.touch(): len ${show_value(len)} is not a length in bytes (a non-negative integer)`);
    if (!Number.isSafeInteger(stride) || stride <= 0) throw new RangeError(`Process.touch(): stride ${show_value(stride)} is not a positive integer`);
    const batch = !this.stepped && stride % 4096 === 0 && addr >= 0 && addr < this.k.arch.TASK_SIZE;
    for (let off = 0; off < len; ) {
      if (batch && range_batch_allowed(this.task)) {
        // A run of faults in one PTE table as one batch (mm/do_anonymous_page_batch.ts).
        const b = do_anonymous_page_batch(this.task, addr + off, Math.ceil((len - off) / stride), stride, write, this.batch_user, this.batch_res);
        if (b.done > 0) {
          off += b.done * stride;
          if (b.retry) {
            // Its return to user ran a tick hook, RCU callbacks or task_work: retry the instruction as user_access() would.
            const r = this.user_access(addr + off - stride, write, b.value, 1);
            if (typeof r !== "number") return r;
          }
          continue;
        }
      }
      const r = this.access(addr + off, write);
      if (r !== "ok") return r;
      off += stride;
    }
    return "ok";
  }

  /** What do_anonymous_page_batch() needs of this process: the oracle's next value, the return to user. */
  private readonly batch_user: FaultBatchUser = {
    store_value: () => ++this.seq,
    store_values: (n: number) => {
      const first = this.seq + 1;
      this.seq += n;
      return first;
    },
    return_to_user: (owed: number) => {
      const k = this.k;
      k.now_ns += owed * Kernel.ENTRY_NS; // return_to_user_quiet(owed)
      const jiffies = k.jiffies;
      const invoked = k.rcu.invoked;
      const tw = k.hooks.task_work !== null && this.task.task_work_pending;
      this.return_to_user();
      if (!((jiffies === k.jiffies || k.hooks.scheduler_tick === null) && invoked === k.rcu.invoked && !tw && !this.task.task_work_pending)) return -1;
      // After a return to user that ran nothing, the next ones that cross no tick only move
      // the clock: rcu_poll() finds nothing (the grace periods waiting for this task completed
      // at that one; the others wait for tasks that do not run meanwhile) and no task_work is
      // pending. Kernel.advance() ticks when now_ns reaches next_tick_ns = (jiffies + 1) * 1e9 / HZ
      // (every tick adds 1e9 / HZ to both; integers, exact): the quiet ones are those with
      // now_ns + j * ENTRY_NS < next_tick_ns.
      return Math.max(0, Math.ceil((k.next_tick - k.now_ns) / Kernel.ENTRY_NS) - 1);
    },
    return_to_user_quiet: (n: number) => {
      this.k.now_ns += n * Kernel.ENTRY_NS;
    },
  };
  private readonly batch_res: FaultBatchResult = { done: 0, retry: false, value: 0 };

  /**
   * Memory pressure: reclaim `bytes` (issue #12 §1, mm/vmscan.ts). By default
   * kswapd (a kernel thread on the machine's last CPU: no mm, lazy TLB) runs
   * balance_pgdat(); `direct` runs try_to_free_pages() in this process's task
   * instead, as an allocation that failed would. Returns what the pass did.
   */
  reclaim(bytes: number, direct = false): { nr_reclaimed: number; nr_scanned: number; nr_pt_reclaimed: number } {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`Process.reclaim(): ${show_value(bytes)} is not a number of bytes to reclaim (a non-negative integer)`);
    const nr = Math.ceil(bytes / 4096);
    let sc;
    if (direct) {
      sc = this.ret(this.stepped ? run_stepped(this.task, try_to_free_pages(this.task, nr)) : run_to_completion(try_to_free_pages(this.task, nr)));
    } else {
      const kt = kswapd_task(this.k);
      const leave = enter_lazy_tlb(this.k, kt);
      sc = this.stepped ? run_stepped(kt, balance_pgdat(kt, nr)) : run_to_completion(balance_pgdat(kt, nr));
      leave();
      this.k.rcu.rcu_poll();
    }
    return { nr_reclaimed: sc.nr_reclaimed, nr_scanned: sc.nr_scanned, nr_pt_reclaimed: sc.nr_pt_reclaimed };
  }

  status(): ProcStatus {
    return task_mem(this.mm);
  }

  /** /proc/<pid>/status memory lines. */
  proc_status(): string {
    return render_status(this.status());
  }

  /** Let `ms` of time pass in user space: scheduler ticks, each followed by a return to user. */
  idle(ms: number): void {
    if (!(ms >= 0 && ms < Infinity)) throw new RangeError(`Process.idle(): ${show_value(ms)} is not a time in ms (a finite non-negative number)`);
    for (let t = 0; t < ms; t += 1000 / Kernel.HZ) {
      this.k.advance(this.task, 1e6 * (1000 / Kernel.HZ) - Kernel.ENTRY_NS);
      this.return_to_user();
    }
  }

  exit(): void {
    if (this.stepped) run_stepped(this.task, exit_mmap(this.task, this.mm));
    else run_to_completion(exit_mmap(this.task, this.mm));
    this.return_to_user();
  }
}
