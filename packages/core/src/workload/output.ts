/** The text a workload run prints, shared by the simulator and `mmsim host`. */
export interface StatusLine {
  label: string;
  /** Absolute values in kB. */
  VmSize: number;
  VmRSS: number;
  VmPTE: number;
}

/** `LABEL dVmSize=<kB> dVmRSS=<kB> dVmPTE=<kB>`, differences from the first status line. */
export function formatStatus(first: StatusLine, cur: StatusLine): string {
  return `${cur.label} dVmSize=${cur.VmSize - first.VmSize} dVmRSS=${cur.VmRSS - first.VmRSS} dVmPTE=${cur.VmPTE - first.VmPTE}`;
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
