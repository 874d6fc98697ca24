/**
 * The kit's fault-vs-dontneed race (R32) as the core tests write it: one task
 * discards the slice its setup filled while another faults pages of it back in
 * (a fixture shared by the explorer's, the execution-order and the post-setup
 * snapshot tests).
 */
import type { Scenario } from "../check/scenario.js";

export const faultVsDontneed: Scenario = {
  name: "fault-vs-dontneed",
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "2M" },
    { op: "touch", at: 0, len: "2M", write: true },
  ],
  actors: [
    { name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
    { name: "fault", cpu: 1, ops: [{ op: "touch", at: "8K", len: "12K", write: true }, { op: "touch", at: "8K", len: "12K" }] },
  ],
  hw_walkers: [1],
};
