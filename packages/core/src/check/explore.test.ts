import { describe, expect, it } from "vitest";
import { arch } from "../test/arch.js";
import { explore } from "./explore.js";
import type { Scenario } from "./scenario.js";

const faultVsDontneed: Scenario = {
  name: "fault-vs-dontneed",
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "2M" },
    { op: "touch", at: 0, len: "2M", write: true },
  ],
  actors: [
    { name: "A", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
    { name: "B", cpu: 1, ops: [{ op: "touch", at: "4K", len: "8K", write: true }, { op: "touch", at: "4K", len: "8K" }] },
  ],
  hw_walkers: [1],
};

describe("explore", () => {
  it("finds nothing wrong with Linux without reclaim", () => {
    const r = explore(faultVsDontneed, { plugin: null, arch, strategy: "random", budget: 30, seed: 1 });
    expect(r.failure).toBeNull();
    expect(r.executions).toBe(30);
  });
});
