/** A scenario file's setup must succeed (scenario-setup.ts); the bundled scenarios' do, with every bundled plugin. */
import { run_setup } from "@mmsim/core/check";
import { SCENARIOS } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { installedReclaims } from "./plugins.js";
import { checkScenarioSetup, setupFailure } from "./scenario-setup.js";
import { parseScenarioFile } from "./scenario-schema.js";
import { archOf } from "./simulate.js";

const file = (setup: unknown[], actorOps: unknown[] = [{ op: "touch", at: 0, len: "4K" }]) =>
  parseScenarioFile(JSON.stringify({ name: "s", setup, actors: [{ name: "a", cpu: 0, ops: actorOps }] }), "s.json");

describe("scenario setup check", () => {
  it("passes every bundled scenario with every bundled plugin it applies to, and with none (no false alarm)", async () => {
    const plugins = [null, ...(await installedReclaims()).map((r) => r.create)];
    let checked = 0;
    for (const s of SCENARIOS)
      for (const create of plugins) {
        const plugin = create?.() ?? null;
        // As the kit: a scenario that `requires` a feature runs on plugins that support it (its setup may use their own advice).
        if (s.requires && !(plugin?.supports as Record<string, unknown> | undefined)?.[s.requires]) continue;
        const results = run_setup(s, { plugin, arch: archOf("x86_64") });
        if (results === null) continue; // a rule broken in the setup is the exploration's to report
        expect(results.map((r, i) => setupFailure(s.setup[i], r.result)).filter((f) => f !== null), `${s.name} with ${plugin?.name ?? "none"}`).toEqual([]);
        checked++;
      }
    expect(checked).toBeGreaterThan(SCENARIOS.length * 2);
  }, 600_000);

  it("names the first operation that fails, with the errno Linux returns", () => {
    const fails = (setup: unknown[]) => () => checkScenarioSetup(file(setup), "s.json", null, archOf("x86_64"));
    expect(fails([{ op: "mmap", at: 0, len: "2M" }, { op: "mmap", at: "1M", len: "2M" }])).toThrow(
      "s.json: setup[1]: mmap failed with EEXIST (File exists); the setup must succeed, or the actors race over nothing",
    );
    expect(fails([{ op: "mmap", at: 1, len: "4K" }])).toThrow("s.json: setup[0]: mmap failed with EINVAL (Invalid argument)");
    expect(fails([{ op: "mmap", at: 0, len: 0 }])).toThrow("s.json: setup[0]: mmap failed with EINVAL (Invalid argument)");
    expect(fails([{ op: "mmap", at: 0, len: "8K" }, { op: "touch", at: 0, len: "16K", write: true }])).toThrow("s.json: setup[1]: touch got SIGSEGV at its page 2");
    expect(fails([{ op: "mmap", at: 0, len: "8K", prot: "r" }, { op: "touch", at: 0, len: "4K", write: true }])).toThrow("s.json: setup[1]: touch got SIGSEGV at its page 0");
    expect(fails([{ op: "mprotect", at: "4M", len: "4K", prot: "r" }])).toThrow("s.json: setup[0]: mprotect failed with ENOMEM (Cannot allocate memory)");
    expect(fails([{ op: "mmap", at: 0, len: "2M" }, { op: "madvise", at: 0, len: "2M", advice: 12345 }])).toThrow("s.json: setup[1]: madvise failed with EINVAL (Invalid argument)");
    expect(fails([{ op: "mmap", at: 0, len: "2M" }, { op: "touch", at: 0, len: "2M", write: true }, { op: "madvise", at: 0, len: "2M", advice: "dontneed" }])).not.toThrow();
    const marked = SCENARIOS.find((s) => s.name === "free-reclaim-vs-fault-marked")!;
    expect(() => checkScenarioSetup(marked, "m.json", null, archOf("x86_64"))).toThrow(
      "m.json: setup[1]: madvise failed with EINVAL (Invalid argument) (the scenario requires madv_pt_reclaim, which no plugin supports); the setup must succeed, or the actors race over nothing",
    );
  });
});
