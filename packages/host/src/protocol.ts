/**
 * The line protocol between `mmsim host` and its C helper (helper/mmsim-host.c,
 * whose header comment is the other copy of this definition).
 *
 * The helper first writes `hello mmsim-host 2`. Then, for every request line on
 * its stdin, in order, exactly one response line on stdout:
 *
 *   request                                   response
 *   mmap NAME SIZE PROT SHARED THP ADDR       ok | err ERRNO | err-madvise ERRNO
 *   touch NAME OFFSET LENGTH W STRIDE         ok | segv | sigbus
 *   madvise NAME OFFSET LENGTH ADVICE         ok | err ERRNO
 *   munmap NAME OFFSET LENGTH                 ok | err ERRNO
 *   mprotect NAME OFFSET LENGTH PROT          ok | err ERRNO
 *   status LABEL                              status VMSIZE VMRSS VMPTE VMSWAP   (kB)
 *   swapon SIZE                               ok | bad swapon impossible: WHAT: STRERROR
 *   (anything it cannot parse)                bad REASON
 *
 * Fields are separated by one space. Numbers are unsigned decimal, except ADDR:
 * `0x` + lower-case hex, or `-` for none. PROT is rw|r|none, SHARED 0|1, THP
 * hugepage|nohugepage|-, W 1 (write one byte) or 0 (read one byte) every STRIDE
 * bytes, ADVICE the numeric MADV_* value (core's ADVICE table).
 *
 * Semantics follow the simulator's runner (packages/core/src/workload/runner.ts):
 * mmap uses MAP_ANONYMOUS | MAP_SHARED/MAP_PRIVATE, plus MAP_FIXED_NOREPLACE when
 * ADDR is given (never MAP_FIXED); a THP mode is applied with madvise() after a
 * successful mmap (`err-madvise` if that fails); a failed mmap binds NAME to
 * MAP_FAILED, later syscalls on it are made with that base (the kernel answers
 * EINVAL) and touches of it answer `segv` without touching. `swapon` creates a
 * swap file of SIZE bytes in a private temporary directory, swapon(2)s it, and
 * removes it at exit (swapoff first); the helper cannot run `swapon` without
 * root, and says why in its `bad` reply (a fatal error for the run).
 */
import { ADVICE, type ResolvedOp } from "@mmsim/core/workload";
import { HostProtocolError } from "./errors.js";

export const PROTOCOL_VERSION = 2;
export const HELLO = `hello mmsim-host ${PROTOCOL_VERSION}`;

/** A response of the helper, parsed. */
export type HostResponse =
  | { kind: "ok" }
  | { kind: "err"; errno: number }
  | { kind: "err-madvise"; errno: number }
  | { kind: "segv" }
  | { kind: "sigbus" }
  | { kind: "status"; VmSize: number; VmRSS: number; VmPTE: number; VmSwap: number }
  | { kind: "bad"; reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** The helper's name table holds names of at most 63 bytes. */
const NAME_MAX = 63;

function num(n: number, what: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new HostProtocolError(`cannot send ${what} ${n} to the helper: not a non-negative integer`);
  return String(n);
}

function name(n: string): string {
  if (!NAME.test(n) || n.length > NAME_MAX) throw new HostProtocolError(`cannot send mapping name '${n}' to the helper (at most ${NAME_MAX} characters of [A-Za-z0-9_.-])`);
  return n;
}

/** The request line for one resolved operation (without the newline). */
export function encodeRequest(op: ResolvedOp): string {
  switch (op.op) {
    case "mmap":
      return [
        "mmap",
        name(op.name),
        num(op.size, "SIZE"),
        op.prot,
        op.shared ? "1" : "0",
        op.thp ?? "-",
        op.addr === null ? "-" : `0x${BigInt(num(op.addr, "ADDR")).toString(16)}`,
        ...(op.noreserve ? ["noreserve"] : []),
      ].join(" ");
    case "ram":
    case "sysctl":
    case "thp": {
      const stmt = op.op === "ram" ? `ram ${op.size}` : op.op === "sysctl" ? `sysctl ${op.name}=${op.value}` : `thp ${op.mode}`;
      throw new HostProtocolError(
        `${op.loc.file}:${op.loc.line}:${op.loc.col}: ${stmt}: mmsim host runs on this machine as it is configured and does not change machine-wide settings; configure the machine yourself and drop the statement`,
      );
    }
    case "touch":
      if (op.stride <= 0) throw new HostProtocolError(`cannot send STRIDE ${op.stride} to the helper: must be positive`);
      return ["touch", name(op.name), num(op.offset, "OFFSET"), num(op.length, "LENGTH"), op.write ? "1" : "0", num(op.stride, "STRIDE")].join(" ");
    case "madvise":
      return ["madvise", name(op.name), num(op.offset, "OFFSET"), num(op.length, "LENGTH"), String(typeof op.advice === "number" ? op.advice : ADVICE[op.advice])].join(" ");
    case "munmap":
      return ["munmap", name(op.name), num(op.offset, "OFFSET"), num(op.length, "LENGTH")].join(" ");
    case "mprotect":
      return ["mprotect", name(op.name), num(op.offset, "OFFSET"), num(op.length, "LENGTH"), op.prot].join(" ");
    case "swapon":
      return `swapon ${num(op.size, "SIZE")}`;
    case "reclaim":
      return `reclaim ${num(op.size, "SIZE")} ${op.direct ? "1" : "0"}`;
    case "status":
      // The helper ignores the label; it must still be one field.
      return `status ${/^\S+$/.test(op.label) ? op.label : "-"}`;
  }
}

const U = "(0|[1-9][0-9]*)";
const RESPONSE: [RegExp, (m: RegExpExecArray) => HostResponse][] = [
  [/^ok$/, () => ({ kind: "ok" })],
  [new RegExp(`^err ${U}$`), (m) => ({ kind: "err", errno: Number(m[1]) })],
  [new RegExp(`^err-madvise ${U}$`), (m) => ({ kind: "err-madvise", errno: Number(m[1]) })],
  [/^segv$/, () => ({ kind: "segv" })],
  [/^sigbus$/, () => ({ kind: "sigbus" })],
  [new RegExp(`^status ${U} ${U} ${U} ${U}$`), (m) => ({ kind: "status", VmSize: Number(m[1]), VmRSS: Number(m[2]), VmPTE: Number(m[3]), VmSwap: Number(m[4]) })],
  [/^bad (.*)$/, (m) => ({ kind: "bad", reason: m[1] })],
];

/** Parses one response line; throws HostProtocolError if it is none of the forms above. */
export function parseResponse(line: string): HostResponse {
  for (const [re, make] of RESPONSE) {
    const m = re.exec(line);
    if (m) return make(m);
  }
  throw new HostProtocolError(`unrecognised helper response ${JSON.stringify(line)}`);
}

/** Which responses each request may get. */
export const ALLOWED: Record<ResolvedOp["op"], readonly HostResponse["kind"][]> = {
  mmap: ["ok", "err", "err-madvise"],
  touch: ["ok", "segv", "sigbus"],
  madvise: ["ok", "err"],
  munmap: ["ok", "err"],
  mprotect: ["ok", "err"],
  status: ["status"],
  swapon: ["ok"],
  reclaim: ["ok", "err"],
  // Never sent: encodeRequest() refuses the machine-wide statements.
  ram: [],
  sysctl: [],
  thp: [],
};
