/** What the running kernel is configured with, as far as the comparison cares. */
import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** CONFIG_PT_RECLAIM of the running kernel from /proc/config.gz, or null if unknown. */
export function kernelHasPtReclaim(configGz = "/proc/config.gz"): boolean | null {
  try {
    const text = gunzipSync(readFileSync(configGz)).toString("utf8");
    return /^CONFIG_PT_RECLAIM=y$/m.test(text);
  } catch {
    return null;
  }
}

/** The transparent hugepage mode (`always`, `madvise`, `never`), or "?" if unknown. */
export function thpMode(file = "/sys/kernel/mm/transparent_hugepage/enabled"): string {
  try {
    return /\[(\w+)\]/.exec(readFileSync(file, "utf8"))?.[1] ?? "?";
  } catch {
    return "?";
  }
}

/** The transparent hugepage settings that change what a script's status lines say. */
export interface ThpSettings {
  /** `enabled`: the PMD-sized THP mode, or null when unknown (no THP support, not Linux). */
  enabled: "always" | "madvise" | "never" | null;
  /** `use_zero_page`: read faults of a THP-enabled region map the huge zero page; null when unknown. */
  useZeroPage: boolean | null;
  /** `shmem_enabled`'s mode (`never`, `always`, `within_size`, `advise`, `deny`, `force`), or null when unknown. */
  shmemEnabled: string | null;
  /** The smaller THP sizes (mTHP, `hugepages-<size>kB/enabled`) that anonymous faults may allocate, e.g. ["64kB"]. */
  mthp: string[];
}

const THP_DIR = "/sys/kernel/mm/transparent_hugepage";

function readOr(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** The machine's THP settings from `dir` (/sys/kernel/mm/transparent_hugepage). */
export function thpSettings(dir = THP_DIR): ThpSettings {
  const bracketed = (text: string | null) => (text === null ? null : (/\[(\w+)\]/.exec(text)?.[1] ?? null));
  const e = bracketed(readOr(`${dir}/enabled`));
  const enabled = e === "always" || e === "madvise" || e === "never" ? e : null;
  const zero = readOr(`${dir}/use_zero_page`)?.trim();
  const pmdKb = Number(readOr(`${dir}/hpage_pmd_size`) ?? 2097152) / 1024;
  const mthp: string[] = [];
  let sizes: string[] = [];
  try {
    sizes = readdirSync(dir).filter((d) => /^hugepages-\d+kB$/.test(d));
  } catch {
    // no mTHP controls (before 6.8): nothing but the PMD size
  }
  for (const d of sizes.sort((a, b) => parseInt(a.slice(10), 10) - parseInt(b.slice(10), 10))) {
    const kb = parseInt(d.slice(10), 10);
    if (kb === pmdKb) continue; // the PMD size: `enabled` above
    const mode = bracketed(readOr(`${dir}/${d}/enabled`));
    if (mode === "always" || mode === "madvise" || (mode === "inherit" && enabled !== null && enabled !== "never")) mthp.push(`${kb}kB`);
  }
  return { enabled, useZeroPage: zero === "1" ? true : zero === "0" ? false : null, shmemEnabled: bracketed(readOr(`${dir}/shmem_enabled`)), mthp };
}

/**
 * What of these THP settings the simulator does not model, one sentence each
 * (empty: the simulator can be this machine): mTHP sizes, and THP for shmem
 * (shared anonymous memory). `enabled` and `use_zero_page` it models.
 */
export function unmodelledThp(s: ThpSettings): string[] {
  const out: string[] = [];
  if (s.mthp.length > 0)
    out.push(`this machine enables multi-size THP (${s.mthp.join(", ")} in ${THP_DIR}/hugepages-*/enabled), which the simulator does not model: its anonymous faults map 4K pages or PMD-sized THPs only`);
  if (s.shmemEnabled !== null && s.shmemEnabled !== "never" && s.shmemEnabled !== "deny")
    out.push(`this machine has THP for shmem (${THP_DIR}/shmem_enabled is ${s.shmemEnabled}), which the simulator does not model: its shared anonymous memory maps 4K pages only`);
  return out;
}

/** What the machine's memory settings are, as far as overcommit accounting (mmap's ENOMEM) cares. */
export interface MemorySettings {
  /** MemTotal (totalram_pages()) in bytes, or null when unknown. */
  ramBytes: number | null;
  /** SwapTotal in bytes, or null when unknown. */
  swapBytes: number | null;
  /** vm.overcommit_memory, _ratio, _kbytes, or null when unknown. */
  overcommitMemory: 0 | 1 | 2 | null;
  overcommitRatio: number | null;
  overcommitKbytes: number | null;
  /** Committed_AS in bytes: every process's commitments (what mode 2 checks against), or null when unknown. */
  committedBytes: number | null;
}

/** The machine's memory settings from `proc` (/proc): meminfo and sys/vm/overcommit_*. */
export function memorySettings(proc = "/proc"): MemorySettings {
  const meminfo = readOr(`${proc}/meminfo`) ?? "";
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(meminfo);
    return m ? Number(m[1]) * 1024 : null;
  };
  const num = (file: string) => {
    const t = readOr(`${proc}/sys/vm/${file}`)?.trim();
    return t !== undefined && /^\d+$/.test(t) ? Number(t) : null;
  };
  const mode = num("overcommit_memory");
  return {
    ramBytes: kb("MemTotal"),
    swapBytes: kb("SwapTotal"),
    overcommitMemory: mode === 0 || mode === 1 || mode === 2 ? mode : null,
    overcommitRatio: num("overcommit_ratio"),
    overcommitKbytes: num("overcommit_kbytes"),
    committedBytes: kb("Committed_AS"),
  };
}

/**
 * What of these memory settings the simulator does not model, one sentence
 * each: swap configured on the machine (the simulator has swap only after a
 * script's `swapon`), and strict overcommit (mode 2 checks every process's
 * commitments, the simulator only the script's).
 */
export function unmodelledMemory(s: MemorySettings): string[] {
  const out: string[] = [];
  const k = (b: number) => `${Math.round(b / 1024)} kB`;
  if (s.swapBytes)
    out.push(`this machine has swap (SwapTotal ${k(s.swapBytes)}): on it MADV_PAGEOUT and memory pressure swap anonymous pages out and overcommit counts the swap, while the simulator has swap only after a script's swapon`);
  if (s.overcommitMemory === 2)
    out.push(
      `this machine has vm.overcommit_memory=2: the kernel checks a mapping against every process's commitments (Committed_AS${s.committedBytes === null ? "" : ` ${k(s.committedBytes)}`}), the simulator against the script's own`,
    );
  return out;
}
