/**
 * /proc/<pid>/status memory lines (fs/proc/task_mmu.c: task_mem()), in Linux's
 * format: `Name:\t%8lu kB`. VmPTE is mm_pgtables_bytes(mm) >> 10.
 */
import type { MmStruct } from "../mm/mm_struct.js";
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS } from "../mm/mm.js";

export interface ProcStatus {
  VmPeak: number;
  VmSize: number;
  VmLck: number;
  VmHWM: number;
  VmRSS: number;
  RssAnon: number;
  RssFile: number;
  RssShmem: number;
  VmData: number;
  VmPTE: number;
  VmSwap: number;
}

/** task_mem(): every value in kB. */
export function task_mem(mm: MmStruct): ProcStatus {
  const kb = (pages: number) => pages * 4;
  const anon = mm.get_mm_counter(MM_ANONPAGES);
  const file = mm.get_mm_counter(MM_FILEPAGES);
  const shmem = mm.get_mm_counter(MM_SHMEMPAGES);
  const rss = anon + file + shmem;
  return {
    VmPeak: kb(Math.max(mm.hiwater_vm, mm.total_vm)),
    VmSize: kb(mm.total_vm),
    VmLck: kb(mm.locked_vm),
    VmHWM: kb(Math.max(mm.hiwater_rss, rss)),
    VmRSS: kb(rss),
    RssAnon: kb(anon),
    RssFile: kb(file),
    RssShmem: kb(shmem),
    VmData: kb(mm.data_vm),
    VmPTE: mm.pgtables_bytes / 1024,
    VmSwap: kb(mm.get_mm_counter(MM_SWAPENTS)),
  };
}

/** The lines as /proc/<pid>/status prints them (seq_put_decimal_ull_width(m, ..., 8) + " kB"). */
export function render_status(s: ProcStatus): string {
  const line = (name: keyof ProcStatus) => `${name}:\t${String(s[name]).padStart(8)} kB`;
  return (["VmPeak", "VmSize", "VmLck", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData", "VmPTE", "VmSwap"] as const).map(line).join("\n") + "\n";
}
