/**
 * Workloads that ship with mmsim. `seed` is the seed threads' loop from the
 * issue: fault in each 2M chunk of a 50G heap, then MADV_DONTNEED it, leaving
 * behind empty PTE tables for reclaim to find. `production` is the seed
 * threads' motivating process (VIRT 55t, RES 590g, VmPTE 110g; issue #10 §3).
 */
import type { Script } from "./ast.js";
import { parseScript } from "./parser.js";

function seedLoop(comment: string, size: string, chunks: number, advice: string): string {
  return [
    `# ${comment}`,
    `mmap heap ${size}`,
    "status before",
    `repeat ${chunks}`,
    "  touch heap i*2M 2M",
    `  madvise heap i*2M 2M ${advice}`,
    "end",
    "status after",
    "",
  ].join("\n");
}

/** A byte count in the script's largest exact unit (55T, 590G, 4K, ...). */
function size(bytes: number): string {
  for (const [u, b] of [["T", 2 ** 40], ["G", 2 ** 30], ["M", 2 ** 20], ["K", 2 ** 10]] as const) if (bytes % b === 0) return `${bytes / b}${u}`;
  return `${bytes}`;
}

/**
 * The `production` workload at 1/`scale` of its size (scale 1 is the builtin;
 * a power of two up to 1024 keeps every size a whole number of 2M slices): a
 * 55T noreserve, nohugepage heap on a 1T machine; one 4K page written in every
 * 2M slice of it (28.8 M PTE tables at scale 1); MADV_DONTNEED of everything
 * but the first 590G in one call; then every page of the first 590G written
 * (RES 590G). Without table reclaim VmPTE stays ~110G (every PTE table of the
 * heap, emptied, plus the upper levels); pt-reclaim frees the emptied ones
 * (VmPTE ~1.37G: the 590G's 302,080 PTE tables and the heap's 56,320 PMD
 * tables, as Linux counts them; host/corpus/production-1024 is this at 1/1024 on the real kernel).
 */
export function productionScript(scale = 1): string {
  if (!Number.isInteger(Math.log2(scale)) || scale < 1 || scale > 1024) throw new RangeError(`productionScript: scale ${scale} is not a power of two from 1 to 1024`);
  const heap = (55 * 2 ** 40) / scale;
  const res = (590 * 2 ** 30) / scale;
  return [
    `# Production${scale > 1 ? ` at 1/${scale} scale` : ""}: a ${size(heap)} heap, one 4K page written in every 2M, all but the first ${size(res)} dropped`,
    "# with one MADV_DONTNEED, then every page of the first " + size(res) + " written (the seed threads' VIRT 55t, RES 590g, VmPTE 110g).",
    `ram ${size(2 ** 40 / scale)}`,
    `mmap heap ${size(heap)} noreserve nohugepage`,
    "status start",
    `touch heap 0 ${size(heap)} write 2M`,
    "status sparse",
    `madvise heap ${size(res)} ${size(heap - res)} dontneed`,
    "status dropped",
    `touch heap 0 ${size(res)}`,
    "status end",
    "",
  ].join("\n");
}

export const BUILTIN_WORKLOADS: Record<string, { description: string; text: string }> = {
  seed: {
    description: "The seed threads' loop: touch each 2M chunk of a 50G heap, then MADV_DONTNEED it",
    text: seedLoop("Seed loop: fault in 2M, drop it with MADV_DONTNEED, 25600 times (50G).", "50G", 25600, "dontneed"),
  },
  "seed-free": {
    description: "The seed loop with MADV_FREE instead of MADV_DONTNEED",
    text: seedLoop("Seed loop with MADV_FREE: fault in 2M, free it, 25600 times (50G).", "50G", 25600, "free"),
  },
  "seed-small": {
    description: "The seed loop over a 1G heap (512 chunks) for quick runs",
    text: seedLoop("Small seed loop: fault in 2M, drop it with MADV_DONTNEED, 512 times (1G).", "1G", 512, "dontneed"),
  },
  production: {
    description: "The seed threads' production process: a 55T heap with a 4K page in every 2M, all but 590G dropped, 590G written (VmPTE 110G)",
    text: productionScript(),
  },
};

/** Parses a built-in workload (file name `<builtin:NAME>`), or undefined if there is none. */
export function builtinScript(name: string): Script | undefined {
  if (!Object.hasOwn(BUILTIN_WORKLOADS, name)) return undefined;
  return parseScript(BUILTIN_WORKLOADS[name].text, `<builtin:${name}>`);
}
