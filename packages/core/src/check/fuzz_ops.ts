/**
 * Operations for differential fuzzing and random-workload tests, and how one is
 * applied to a process: what user space sees (a return value, a signal, or the
 * values read). The fast-check arbitraries that generate them live with their
 * users (core's tests, @mmsim/conformance), so core carries no test dependency.
 */
import type { Process } from "../engine.js";
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED } from "../mm/mmap.js";

export type FuzzOp =
  | { op: "mmap"; at: number; len: number; shared: boolean; prot: number }
  | { op: "munmap" | "madvise" | "mprotect"; at: number; len: number; arg: number }
  | { op: "touch"; at: number; len: number; write: boolean }
  /** Time passes in user space: scheduler ticks and returns to user (an asynchronous scanner's task_work). */
  | { op: "idle"; ms: number };

export function applyOp(p: Process, o: FuzzOp): string {
  switch (o.op) {
    case "mmap":
      return String(p.mmap(o.at, o.len, o.prot, MAP_ANONYMOUS | (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE));
    case "munmap":
      return String(p.munmap(o.at, o.len));
    case "madvise":
      return String(p.madvise(o.at, o.len, o.arg));
    case "mprotect":
      return String(p.mprotect(o.at, o.len, o.arg));
    case "touch": {
      if (o.write) return p.touch(o.at, o.len, true, 4096);
      const vals: (number | string)[] = [];
      for (let a = o.at; a < o.at + o.len; a += 65536) vals.push(p.load(a));
      return vals.join(",");
    }
    case "idle":
      p.idle(o.ms);
      return "0";
  }
}
