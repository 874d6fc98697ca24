/**
 * Workloads that ship with mmsim. `seed` is the seed threads' loop from the
 * issue: fault in each 2M chunk of a 50G heap, then MADV_DONTNEED it, leaving
 * behind empty PTE tables for reclaim to find.
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
};

/** Parses a built-in workload (file name `<builtin:NAME>`), or undefined if there is none. */
export function builtinScript(name: string): Script | undefined {
  if (!Object.hasOwn(BUILTIN_WORKLOADS, name)) return undefined;
  return parseScript(BUILTIN_WORKLOADS[name].text, `<builtin:${name}>`);
}
