/**
 * The replay's summary of one process image: every count of what was replayed,
 * approximated, refused or skipped (nothing is dropped silently). The CLI prints
 * them all, zeros included.
 */

export interface SyscallCounts {
  /** Completed calls (enter + exit paired). */
  calls: number;
  /** Applied to the simulated mm. */
  replayed: number;
  /** Failed in the trace (returned -errno): not replayed (madvise's -ENOMEM is replayed: Linux applies it to the mapped parts). */
  failedInTrace: number;
  /** Replayed, but the simulator's result differs from the traced one (see `notes`). */
  simDiffers: number;
}

/** What happened while replaying one process image (exec starts a new image). */
export interface ImageCounts {
  faults: {
    /** Page-fault events of this image. */
    total: number;
    user: number;
    /** Kernel-mode faults on user addresses (copy_to_user, the ELF loader, ...). */
    kernel: number;
    /** Replayed as an access in the simulation. */
    replayed: number;
    /** Faults where no simulated VMA covered the address: a mapping was synthesized first. */
    outsideVma: number;
    /** Write faults the simulated VMA refused (its protection differs): replayed as reads. */
    writeAsRead: number;
    /** Accesses that raised SIGSEGV/SIGBUS in the simulation even as reads. */
    signalled: number;
    /** On kernel addresses (>= TASK_SIZE): not replayed. */
    kernelAddress: number;
    /** Below mmap_min_addr (NULL-pointer faults): not replayed. */
    belowMinAddr: number;
    /** Of the kernel-mode faults: those just before this image's exec event (the ELF loader's, in the new mm). */
    carriedAcrossExec: number;
  };
  synthesized: {
    /** Anonymous mappings created around faults outside every VMA (ELF loader, stack, vDSO: mappings the trace never shows being made). */
    mappings: number;
    kb: number;
    /** Holes mapped so that a syscall that succeeded in the trace covers only mapped memory (e.g. mprotect of the executable's RELRO). */
    holes: number;
    holesKb: number;
  };
  syscalls: Record<string, SyscallCounts>;
  mmap: {
    anonymousPrivate: number;
    anonymousShared: number;
    /** File-backed mmaps, approximated as anonymous private/shared mappings of the same size. */
    filePrivate: number;
    fileShared: number;
    fileKb: number;
    /** MAP_POPULATE / MAP_LOCKED: populated by the simulated kernel (mm_populate; Linux faults them in without fault events). */
    populated: number;
    /** MAP_HUGETLB: approximated as normal pages. */
    hugetlb: number;
  };
  /** mremap by the simulated kernel: in place (grown or shrunk at the tail) or moved, with the present pages (a huge PMD counts once) it moved. */
  mremap: { inPlace: number; moved: number; pagesMoved: number };
  /** brk by the simulated kernel; `startUnknown`: a shrink below the first break seen (the start was lowered to it). */
  brk: { grows: number; shrinks: number; unchanged: number; startUnknown: number };
  /** Every madvise advice seen, by name. */
  advice: Record<string, number>;
  /** Advice the simulator does not implement: not replayed. */
  adviceIgnored: Record<string, number>;
  /** MADV_POPULATE_READ/WRITE (populated by the simulated kernel). */
  advicePopulated: number;
  /** A traced mapping landed on a synthesized one (expected: the synthesized extent is a guess): that part was unmapped first. */
  placementConflicts: number;
  /** A traced mapping landed on a mapping the trace made, which should have been gone (a model difference, noted): unmapped first too. */
  overlapsTraced: number;
  unpaired: { enters: number; exits: number };
  /** Syscall events the replay does not know, by name. */
  unknownSyscalls: Record<string, number>;
  /** Events of this process after its exit event (ignored). */
  eventsAfterExit: number;
  /** The simulation threw (a model error) while replaying an event: counted and skipped. */
  simErrors: number;
}

export function emptyCounts(): ImageCounts {
  return {
    faults: { total: 0, user: 0, kernel: 0, replayed: 0, outsideVma: 0, writeAsRead: 0, signalled: 0, kernelAddress: 0, belowMinAddr: 0, carriedAcrossExec: 0 },
    synthesized: { mappings: 0, kb: 0, holes: 0, holesKb: 0 },
    syscalls: {},
    mmap: { anonymousPrivate: 0, anonymousShared: 0, filePrivate: 0, fileShared: 0, fileKb: 0, populated: 0, hugetlb: 0 },
    mremap: { inPlace: 0, moved: 0, pagesMoved: 0 },
    brk: { grows: 0, shrinks: 0, unchanged: 0, startUnknown: 0 },
    advice: {},
    adviceIgnored: {},
    advicePopulated: 0,
    placementConflicts: 0,
    overlapsTraced: 0,
    unpaired: { enters: 0, exits: 0 },
    unknownSyscalls: {},
    eventsAfterExit: 0,
    simErrors: 0,
  };
}

export const bump = (r: Record<string, number>, key: string, n = 1) => (r[key] = (r[key] ?? 0) + n);
