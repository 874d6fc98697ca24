/** The text a workload run prints, shared by the simulator and `mmsim host`. */
export interface StatusLine {
  label: string;
  /** Absolute values in kB. */
  VmSize: number;
  VmRSS: number;
  VmPTE: number;
  /** Set once the script has turned swap on (`swapon`): VmSwap in kB. */
  VmSwap?: number;
}

/**
 * `LABEL dVmSize=<kB> dVmRSS=<kB> dVmPTE=<kB>`, differences from the first status
 * line, then ` dVmSwap=<kB>` when swap is on (from the first line's VmSwap, 0 if
 * it had none).
 */
export function formatStatus(first: StatusLine, cur: StatusLine): string {
  const base = `${cur.label} dVmSize=${cur.VmSize - first.VmSize} dVmRSS=${cur.VmRSS - first.VmRSS} dVmPTE=${cur.VmPTE - first.VmPTE}`;
  return cur.VmSwap === undefined ? base : `${base} dVmSwap=${cur.VmSwap - (first.VmSwap ?? 0)}`;
}

/** `<op>-error <strerror text>` */
export function formatError(op: string, text: string): string {
  return `${op}-error ${text}`;
}

/** strsignal() texts for the signals a touch can raise. */
export const SIGNAL_TEXT: Record<string, string> = {
  SIGSEGV: "Segmentation fault",
  SIGBUS: "Bus error",
  OOM: "Cannot allocate memory",
};
