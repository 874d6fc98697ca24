/**
 * The replay driver: one simulated machine (an Engine with the given reclaim
 * plugin), one simulated mm per traced process image, and the events of the
 * trace applied in trace order to the image they belong to. It pairs each
 * thread's syscall enter with its exit, tells threads from processes, follows
 * exec (a fresh mm), fork (Process.fork(): the child's copy) and exit (the
 * figures freeze), and orders kernel-mode page faults (see `event`). The
 * result (the figures, the summary, the warnings) is assembled by summary.ts.
 */
import { Engine, type Kernel, type ProcStatus, type ReclaimPlugin } from "@mmsim/core";
import { archOf, type ReplayArch } from "./arch.js";
import { applyFault, applySyscall } from "./apply.js";
import { bump } from "./counts.js";
import { isKnownSyscall, type ExecEvent, type ExitEvent, type FaultEvent, type ForkEvent, type ParsedTrace, type ParseOptions, type SysEnterEvent, type TraceEvent } from "./events.js";
import { Image, type ImageInfo, type ReplayContext } from "./image.js";

export interface ReplayOptions extends ParseOptions {
  /** The reclaim plugin instance for this replay's engine (null or absent: Linux without page-table reclaim). */
  reclaim?: ReclaimPlugin | null;
  /** The simulated paging: "x86_64" (4 levels, the default), "x86_64-la57" (5 levels), or an Arch. */
  arch?: ReplayArch;
  /** Transparent huge pages mode of the simulated kernel (default "madvise", like our machines). */
  thp?: "always" | "madvise" | "never";
  /** The process to report (default: the first that exec'd, else the first seen). */
  pid?: number;
  /** Called now and then (every 4096 events, and at the end) with the events replayed and their total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called after each event with the event and the current /proc/<pid>/status of a
   * process's current image (undefined for a pid not seen yet): for time series such
   * as `mmsim replay --plot`. Absent: no cost.
   */
  onEvent?: (e: TraceEvent, statusOf: (pid: number) => ProcStatus | undefined) => void;
}

export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayError";
  }
}

const MAX_NOTES = 50;
const MAX_SIM_ERRORS = 10;

const isKernelFault = (e: TraceEvent): e is FaultEvent => e.kind === "fault" && e.mode === "kernel";

export class Replayer implements ReplayContext {
  readonly engine: Engine;
  readonly k: Kernel;
  /** The current image of each process (thread-group id). */
  readonly current = new Map<number, Image>();
  readonly images: Image[] = [];
  /** Thread id -> thread-group id, from the `PID/TID` headers of the whole trace. */
  readonly tgidOf = new Map<number, number>();
  /** Syscall enter events waiting for their exit, by thread. */
  readonly pending = new Map<number, SysEnterEvent>();
  /** Kernel-mode faults of a thread that is about to exec, waiting for the exec event (they belong to the new image). */
  readonly waiting = new Map<number, FaultEvent[]>();
  readonly unknownEvents: Record<string, number> = {};
  readonly notes: string[] = [];
  notesTotal = 0;
  /** Events the simulation threw on (a plugin hook's error, a model gap): the first MAX_SIM_ERRORS, `line N: message`. */
  readonly simErrors: string[] = [];
  simErrorsTotal = 0;
  /** Each thread's first event other than a kernel-mode fault: "exec" right after a fork (vfork + exec, posix_spawn) needs no copy. */
  readonly firstKind = new Map<number, TraceEvent["kind"]>();
  /** The kernel-mode faults whose thread's next other event is its exec (the ELF loader's, in the new mm). */
  readonly beforeExec = new Set<FaultEvent>();
  firstExec: number | null = null;
  firstSeen: number | null = null;

  constructor(
    readonly trace: ParsedTrace,
    readonly opts: ReplayOptions,
  ) {
    this.engine = new Engine({ arch: archOf(opts.arch ?? "x86_64"), reclaim: opts.reclaim ?? null, thp: opts.thp ?? "madvise" });
    this.k = this.engine.k;
    for (const e of trace.events) {
      if (e.pid !== null && !this.tgidOf.has(e.tid)) this.tgidOf.set(e.tid, e.pid);
      if (!this.firstKind.has(e.tid) && !isKernelFault(e)) this.firstKind.set(e.tid, e.kind);
    }
    const next = new Map<number, TraceEvent["kind"]>();
    for (let i = trace.events.length - 1; i >= 0; i--) {
      const e = trace.events[i];
      if (!isKernelFault(e)) next.set(e.tid, e.kind);
      else if (next.get(e.tid) === "exec") this.beforeExec.add(e);
    }
  }

  note(line: number, text: string): void {
    this.notesTotal++;
    if (this.notes.length < MAX_NOTES) this.notes.push(`line ${line}: ${text}`);
  }

  pidOf(e: TraceEvent): number {
    return e.pid ?? this.tgidOf.get(e.tid) ?? e.tid;
  }

  addImage(img: Image): Image {
    this.images.push(img);
    this.current.set(img.pid, img);
    return img;
  }

  /** A process image with an empty mm. */
  newImage(pid: number, comm: string, origin: ImageInfo["origin"], filename: string | null, parent: number | null, line: number): Image {
    return this.addImage(new Image(this, this.engine.spawn(0, comm), pid, comm, origin, filename, parent, line));
  }

  imageOf(e: TraceEvent): Image {
    const pid = this.pidOf(e);
    this.firstSeen ??= pid;
    return this.current.get(pid) ?? this.newImage(pid, e.comm, "first-seen", null, null, e.line);
  }

  run(): void {
    const progress = this.opts.onProgress;
    const onEvent = this.opts.onEvent;
    const statusOf = (pid: number) => this.current.get(pid)?.status();
    const total = this.trace.events.length;
    let done = 0;
    for (const e of this.trace.events) {
      if (progress && (++done & 4095) === 0) progress(done, total);
      try {
        this.event(e);
      } catch (err) {
        const img = this.current.get(this.pidOf(e));
        if (img) img.counts.simErrors++;
        const message = err instanceof Error ? err.message : String(err);
        this.simErrorsTotal++;
        if (this.simErrors.length < MAX_SIM_ERRORS) this.simErrors.push(`line ${e.line}: ${message}`);
        this.note(e.line, `the simulation failed: ${message}`);
      }
      onEvent?.(e, statusOf);
    }
    progress?.(total, total);
    // Kernel-mode faults still waiting at the end of the trace (an exec that was never recorded).
    for (const tid of [...this.waiting.keys()]) this.flush(tid);
    for (const [tid, enter] of this.pending) {
      const img = this.current.get(this.pidOf(enter));
      if (img) img.counts.unpaired.enters++;
      this.pending.delete(tid);
    }
  }

  /** A fault, to its process's current image (created if this is the process's first sign of life). */
  fault(e: FaultEvent): void {
    const img = this.imageOf(e);
    if (img.exited) img.counts.eventsAfterExit++;
    else applyFault(img, e);
  }

  /** Applies a thread's waiting kernel-mode faults to its process's current image. */
  flush(tid: number): void {
    const faults = this.waiting.get(tid);
    if (!faults) return;
    this.waiting.delete(tid);
    for (const f of faults) this.fault(f);
  }

  /**
   * One event. Kernel-mode faults are applied where they are in the trace,
   * except those right before their thread's exec: the exec tracepoint fires
   * after the ELF loader ran in the new mm, so they wait for it and go to the
   * new image. (Holding every kernel-mode fault back until its thread's next
   * event, as this replay once did, reorders it after other threads' events: in
   * a multithreaded program a read() into a buffer on one thread, then an
   * munmap of that buffer by another, replayed the fault after the munmap, on
   * unmapped memory, and synthesized a mapping there.)
   */
  event(e: TraceEvent): void {
    switch (e.kind) {
      case "lost":
        // Whatever was pending may have lost its other half: counted as unpaired when it shows.
        return;
      case "other":
        return void bump(this.unknownEvents, e.event);
      case "exec":
        return this.exec(e);
      case "fork":
        return this.fork(e);
      case "exit":
        return this.exit(e);
    }
    if (e.kind === "fault" && e.mode === "kernel") {
      if (!this.beforeExec.has(e)) return this.fault(e);
      const l = this.waiting.get(e.tid) ?? [];
      l.push(e);
      this.waiting.set(e.tid, l);
      return;
    }
    this.flush(e.tid);
    const img = this.imageOf(e);
    if (img.exited) return void img.counts.eventsAfterExit++;
    img.comm = e.comm;
    switch (e.kind) {
      case "fault":
        return applyFault(img, e);
      case "sys_enter": {
        if (this.pending.has(e.tid)) img.counts.unpaired.enters++;
        if (!isKnownSyscall(e.name)) {
          bump(img.counts.unknownSyscalls, e.name);
          this.pending.delete(e.tid);
          return;
        }
        this.pending.set(e.tid, e);
        return;
      }
      case "sys_exit": {
        const enter = this.pending.get(e.tid);
        this.pending.delete(e.tid);
        if (!isKnownSyscall(e.name)) return; // counted at its enter
        if (!enter || enter.name !== e.name) {
          img.counts.unpaired.exits++;
          if (enter) img.counts.unpaired.enters++;
          return;
        }
        return applySyscall(img, enter, e);
      }
    }
  }

  exec(e: ExecEvent): void {
    const pid = e.execPid;
    this.firstExec ??= pid;
    this.firstSeen ??= pid;
    const carried = this.waiting.get(e.tid) ?? [];
    this.waiting.delete(e.tid);
    for (const tid of [...this.waiting.keys()]) if ((this.tgidOf.get(tid) ?? tid) === pid) this.flush(tid);
    const old = this.current.get(pid);
    if (old) {
      old.lastLine = e.line;
      old.frozen = old.p.status();
      old.p.exit();
    }
    for (const tid of [...this.pending.keys()]) if ((this.tgidOf.get(tid) ?? tid) === pid) this.pending.delete(tid);
    const img = this.newImage(pid, e.comm, "exec", e.filename, null, e.line);
    for (const f of carried) applyFault(img, f, true);
  }

  /**
   * A new process gets a copy of the parent's mm (Process.fork(): dup_mm in the
   * simulated kernel); a new thread (its events carry the parent's PID) shares it.
   */
  fork(e: ForkEvent): void {
    const parentPid = this.pidOf(e);
    this.firstSeen ??= parentPid;
    // The parent's threads' waiting faults happened before the copy.
    for (const tid of [...this.waiting.keys()]) if ((this.tgidOf.get(tid) ?? tid) === parentPid) this.flush(tid);
    const childTgid = this.tgidOf.get(e.childPid) ?? e.childPid;
    const parent = this.imageOf(e);
    if (childTgid === parentPid) {
      parent.threads++;
      return;
    }
    // A child whose first own event is its exec never uses the copy (and a vfork child shares the
    // parent's mm until then): it gets an empty mm instead.
    if (this.firstKind.get(e.childPid) === "exec") {
      this.newImage(childTgid, e.childComm, "fork", null, parentPid, e.line).copySkipped = true;
      return;
    }
    const child = this.addImage(new Image(this, parent.p.fork(e.childComm), childTgid, e.childComm, "fork", null, parentPid, e.line));
    child.synthetic = parent.synthetic.map(([s, end]): [number, number] => [s, end]);
    child.brkStart = parent.brkStart;
    child.brkEnd = parent.brkEnd;
  }

  exit(e: ExitEvent): void {
    const tid = e.exitPid;
    this.flush(tid);
    const pid = this.tgidOf.get(tid) ?? this.pidOf(e);
    const img = this.current.get(pid);
    if (!img) return;
    const groupDead = e.groupDead ?? tid === pid;
    if (!groupDead) return;
    img.exited = true;
    img.lastLine = e.line;
    img.frozen = img.p.status();
  }

  target(): Image {
    const want = this.opts.pid ?? this.firstExec ?? this.firstSeen;
    if (want === null || want === undefined) throw new ReplayError("the trace has no events of any process");
    const img = this.current.get(want);
    if (!img) {
      const pids = [...new Set(this.images.map((i) => `${i.pid} (${i.comm})`))].join(", ");
      throw new ReplayError(`process ${want} is not in the trace (processes: ${pids || "none"})`);
    }
    return img;
  }
}

