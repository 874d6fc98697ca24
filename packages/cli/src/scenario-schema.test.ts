/**
 * Scenario files are validated with the path of the bad field; every bundled
 * scenario passes; `--replay` schedules are checked against the scenario before
 * running. Mutants: drop the CPU bound (the CPU test fails), drop the
 * fingerprint check (the other-scenario test prints "no rule broken").
 */
import { SCENARIOS } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { parseScenarioFile } from "./scenario-schema.js";
import { checkSchedule, scenarioFingerprint, withFingerprint } from "./schedule-check.js";
import { mmsim, tempDir } from "./testing.js";

const base = {
  name: "t",
  description: "d",
  setup: [{ op: "mmap", at: 0, len: "2M" }],
  actors: [
    { name: "a", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
    { name: "b", cpu: 1, ops: [{ op: "touch", at: 0, len: "4K" }] },
  ],
};
const err = (s: unknown) => {
  try {
    parseScenarioFile(typeof s === "string" ? s : JSON.stringify(s), "s.json");
  } catch (e) {
    return (e as Error).message;
  }
  return "ok";
};
const withActor = (patch: object) => ({ ...base, actors: [{ ...base.actors[0], ...patch }, base.actors[1]] });

describe("scenario files", () => {
  it("every bundled scenario passes", () => {
    for (const s of SCENARIOS) expect(err(s), s.name).toBe("ok");
  });

  it("reads a file saved with a UTF-8 byte order mark or CRLF line endings as without", () => {
    const text = JSON.stringify(base, null, 2);
    expect(err("\uFEFF" + text)).toBe("ok");
    expect(err(text.replace(/\n/g, "\r\n"))).toBe("ok");
    expect(parseScenarioFile("\uFEFF" + text, "s.json")).toEqual(parseScenarioFile(text, "s.json"));
    expect(err("\uFEFF")).toMatch(/^s\.json: not valid JSON/); // only the mark: still empty
  });

  it("takes a raw numeric advice (a plugin's own), not a negative or fractional one", () => {
    const adv = (advice: unknown) => err({ ...base, actors: [{ ...base.actors[0], ops: [{ op: "madvise", at: 0, len: "2M", advice }] }] });
    expect(adv(200)).toBe("ok");
    expect(adv(-1)).toContain("unknown advice -1");
    expect(adv(1.5)).toContain("unknown advice 1.5");
  });

  it("names the bad field", () => {
    expect(err({ ...base, actors: [{ ...base.actors[0], ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontnee" }] }] })).toBe(
      's.json: actors[0].ops[0].advice: unknown advice "dontnee" (expected dontneed, free, pageout, hugepage, nohugepage, or a number)',
    );
    expect(err({ ...base, actors: [{ name: "a", cpu: 0 }] })).toBe('s.json: actors[0]: missing field "ops"');
    expect(err(withActor({ cpu: 64 }))).toBe("s.json: actors[0].cpu: CPU 64 is beyond the model's 64 CPUs (0-63)");
    expect(err({ ...base, setup: [{ op: "touch", at: 0, len: "2G" }] })).toBe('s.json: setup[0].len: "2G" is more than 262144 pages (1G) for one touch');
    expect(err({ ...base, setup: [{ op: "mmap", at: "600G", len: "2M" }] })).toBe('s.json: setup[0].at: "600G" is beyond the scenario\'s 512G slot');
    expect(err({ ...base, setup: [{ op: "frob" }] })).toBe('s.json: setup[0]: unknown op "frob" (expected mmap, touch, madvise, munmap, mprotect, gup_fast, walk, khugepaged, task_work, exit, swapon, reclaim)');
    expect(err({ ...base, colour: 1 })).toBe('s.json: unknown field "colour"');
    expect(err("{")).toMatch(/^s\.json: not valid JSON: /);
    expect(err("[]")).toBe("s.json: a scenario must be a JSON object, got []");
  });
});

describe("--replay schedules", () => {
  const s = SCENARIOS.find((x) => x.name === "fault-vs-dontneed")!;

  it("checks size, actors and fingerprint without expanding", () => {
    expect(checkSchedule(withFingerprint("s1:a3b2", s), s)).toBe("s1:a3b2");
    expect(() => checkSchedule("s1:a99999999999", s)).toThrow("more than 200000 steps");
    expect(() => checkSchedule("s1:z1", s)).toThrow("names actor 'z', but fault-vs-dontneed has");
    expect(() => checkSchedule("s1:a1@00000000", s)).toThrow(`recorded for another scenario (fingerprint 00000000; fault-vs-dontneed is ${scenarioFingerprint(s)})`);
    expect(() => checkSchedule("s1:", s)).toThrow("an empty schedule");
  });

  it("explore prints the fingerprint; a schedule for another scenario is a usage error, not 'no rule broken'", async () => {
    const a = await mmsim(["explore", "fault-vs-dontneed", "--reclaim", "mutant:no-rescan", "--budget", "20"]);
    const line = /--replay (s1:[a-z0-9]+@[0-9a-f]{8})/.exec(a.stdout)![1];
    const again = await mmsim(["explore", "fault-vs-dontneed", "--reclaim", "mutant:no-rescan", "--replay", line]);
    expect(again.code).toBe(1);
    const other = SCENARIOS.find((x) => x.name !== "fault-vs-dontneed" && x.actors.length >= 2)!;
    const r = await mmsim(["explore", other.name, "--reclaim", "mutant:no-rescan", "--replay", line]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --replay s1:\S+: recorded for another scenario/);
    expect(r.stdout).not.toContain("no rule broken");
    const file = await mmsim(["explore", "s.json"], tempDir({ "s.json": JSON.stringify(withActor({ cpu: 1000 })) }));
    expect(file.code).toBe(1);
    expect(file.stderr).toBe("error: s.json: actors[0].cpu: CPU 1000 is beyond the model's 64 CPUs (0-63)\n");
  }, 600_000);
});
