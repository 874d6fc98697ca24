/**
 * Errors that cross package boundaries carry a brand, `Symbol.for("mmsim.error")`,
 * and a `kind`, so they are recognised without `instanceof`: two installed copies
 * of @mmsim/core (a plugin's and the CLI's) cannot misclassify each other's
 * violations. The pattern is vercel/ai's AISDKError (`Symbol.for` marker).
 */
const MARKER = "mmsim.error";
const symbol = Symbol.for(MARKER);

/** The kinds of error mmsim raises across packages. */
export type MmsimErrorKind =
  /** A sanitizer rule broken by a kernel path or plugin (check/sanitizer). */
  | "sanitizer-violation"
  /** The user-data oracle saw data lost or changed (check/oracle). */
  | "oracle-violation"
  /** A freed page-table page was read or written through a stale pointer. */
  | "page-table-use-after-free"
  /** A task waited on something no other task can release. */
  | "deadlock"
  /** A lock rule was broken (unlock of a lock not held, ...). */
  | "lock-error"
  /** Simulated physical memory is exhausted. */
  | "out-of-memory"
  /** A scenario file is malformed. */
  | "scenario-error"
  /** A workload script is malformed. */
  | "script-error"
  /** A schedule string is malformed or does not fit the execution. */
  | "schedule-error"
  /** A value offered as a plugin does not meet the ReclaimPlugin contract. */
  | "plugin-error"
  /** Engine options or an arch the model cannot run with. */
  | "config-error"
  /** The explorer's post-setup snapshot cannot copy the machine exactly (it runs the setup instead; core check/graph_clone). */
  | "snapshot-error";

export class MmsimError extends Error {
  private readonly [symbol] = true;
  readonly kind: MmsimErrorKind;

  constructor(kind: MmsimErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }

  /** True for an MmsimError from any copy of this package. */
  static isInstance(e: unknown): e is MmsimError {
    return isMmsimError(e);
  }
}

/** True for an MmsimError from any copy of @mmsim/spec, optionally of one kind. */
export function isMmsimError(e: unknown, kind?: MmsimErrorKind): e is MmsimError {
  if (e === null || typeof e !== "object" || (e as Record<symbol, unknown>)[symbol] !== true) return false;
  return kind === undefined || (e as MmsimError).kind === kind;
}
