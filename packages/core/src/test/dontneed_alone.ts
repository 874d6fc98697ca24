/**
 * fault-vs-dontneed with the discarding task going on alone: it faults the
 * range back in and discards it again (RCU frees in between) while the other
 * task faults a few pages (a fixture shared by the solo and lone execution tests).
 */
import type { Scenario } from "../check/scenario.js";

export function dontneedAlone(name: string): Scenario {
  return {
    name,
    description: "t",
    setup: [
      { op: "mmap", at: 0, len: "2M" },
      { op: "touch", at: 0, len: "2M", write: true },
    ],
    actors: [
      {
        name: "dontneed",
        cpu: 0,
        ops: [
          { op: "madvise", at: 0, len: "2M", advice: "dontneed" },
          { op: "touch", at: 0, len: "64K", write: true },
          { op: "madvise", at: 0, len: "2M", advice: "dontneed" },
          { op: "touch", at: "4K", len: "8K" },
        ],
      },
      { name: "fault", cpu: 1, ops: [{ op: "touch", at: "8K", len: "12K", write: true }] },
    ],
  };
}
