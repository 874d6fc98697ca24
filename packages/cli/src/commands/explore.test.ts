import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { SCENARIOS } from "@mmsim/conformance";
import { mmsim, tempDir } from "../testing.js";

describe("mmsim explore", () => {
  it("prints the broken rule, a schedule that replays it, and a per-CPU trace; same output every time", async () => {
    const args = ["explore", "fault-vs-dontneed", "--reclaim", "mutant:no-rescan", "--budget", "50"];
    const a = await mmsim(args);
    expect(a.code).toBe(1);
    expect(a.stdout).toContain("VIOLATION: lost mapping");
    // Actor 0 ran the setup, but the rule is broken by the actor: its name, never "setup".
    expect(a.stdout).toMatch(/VIOLATION: lost mapping\n {2}(dontneed|fault) freed PTE table/);
    const replay = /--replay (s1:[a-z0-9]+)/.exec(a.stdout)![1];
    expect(a.stdout).toMatch(/dontneed +\| fault/);
    const b = await mmsim(args);
    expect(b.stdout).toBe(a.stdout);
    const c = await mmsim(["explore", "fault-vs-dontneed", "--reclaim", "mutant:no-rescan", "--replay", replay]);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain("VIOLATION: lost mapping");
  }, 600_000);

  it("passes pt-reclaim and rejects an unknown scenario", async () => {
    expect((await mmsim(["explore", "gup-fast-vs-dontneed", "--reclaim", "pt-reclaim", "--budget", "20"])).code).toBe(0);
    const r = await mmsim(["explore", "no-such-scenario"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown scenario 'no-such-scenario'");
  }, 600_000);
});

describe("mmsim conformance", () => {
  it("fails a mutant with a replayable schedule and writes JUnit", async () => {
    const r = await mmsim(["conformance", "mutant:still-linked", "--budget", "20", "--fuzz-runs", "5"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL");
    expect(r.stdout).toContain("table freed while still reachable");
    expect(r.stdout).toMatch(/replay: mmsim explore \S+ --reclaim mutant:still-linked --replay s1:/);
  }, 600_000);

  it("replay lines carry the scenario's fingerprint, as explore's do: the schedule is refused against another version of the scenario", async () => {
    // Shard 4 of 27 is the kit's fourth check: the first race, fault-vs-dontneed.
    const r = await mmsim(["conformance", "mutant:no-rescan", "--budget", "20", "--fuzz-runs", "1", "--shard", "4/27"]);
    expect(r.code).toBe(1);
    const replay = /replay: mmsim explore fault-vs-dontneed --reclaim mutant:no-rescan --replay (s1:[a-z0-9]+@[0-9a-f]{8})$/m.exec(r.stdout);
    expect(replay, r.stdout).not.toBeNull();
    const pasted = await mmsim(["explore", "fault-vs-dontneed", "--reclaim", "mutant:no-rescan", "--replay", replay![1]]);
    expect(pasted.code).toBe(1);
    expect(pasted.stdout).toContain("VIOLATION: lost mapping");
    const dir = tempDir({ "changed.json": JSON.stringify({ ...SCENARIOS.find((s) => s.name === "fault-vs-dontneed")!, name: "changed" }) });
    const elsewhere = await mmsim(["explore", "changed.json", "--reclaim", "mutant:no-rescan", "--replay", replay![1]], dir);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/recorded for another scenario/);
  }, 600_000);

  it("prints replay lines that reproduce as pasted, for a plugin given as a module path", async () => {
    const kit = pathToFileURL(createRequire(import.meta.url).resolve("@mmsim/conformance").replace(/\.cjs$/, ".js")).href;
    const dir = tempDir({ "mut.mjs": `import { MUTANTS } from ${JSON.stringify(kit)};\nexport default MUTANTS.find((m) => m.name === "still-linked").plugin;\n` });
    const r = await mmsim(["conformance", "./mut.mjs", "--budget", "20", "--fuzz-runs", "5"], dir);
    expect(r.code).toBe(1);
    const lines = [...r.stdout.matchAll(/replay: mmsim (explore .*)$/gm)].map((m) => m[1]);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toContain("--reclaim ./mut.mjs");
      const replayed = await mmsim(line.split(" "), dir);
      expect(replayed.code, line).toBe(1);
      expect(replayed.stdout).toContain("VIOLATION:");
    }
  }, 600_000);
});
