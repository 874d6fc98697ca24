/** Small helpers for core's tests. */
import type { Process } from "../engine.js";
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from "../mm/mmap.js";

export const K = 1024;
export const M = 1024 * K;
export const G = 1024 * M;
/** An untouched 512 GiB slot, as the fidelity corpus uses. */
export const SLOT = 0x200000000000;
export const RW = PROT_READ | PROT_WRITE;

export function mmapFixed(p: Process, addr: number, len: number, opts: { shared?: boolean; prot?: number } = {}): number {
  return p.mmap(addr, len, opts.prot ?? RW, MAP_ANONYMOUS | (opts.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE);
}

export function mmapAnon(p: Process, len: number, prot = RW): number {
  return p.mmap(0, len, prot, MAP_ANONYMOUS | MAP_PRIVATE);
}

/** VmPTE / VmRSS / VmSize in kB. */
export const vm = (p: Process) => {
  const s = p.status();
  return { VmSize: s.VmSize, VmRSS: s.VmRSS, VmPTE: s.VmPTE };
};
