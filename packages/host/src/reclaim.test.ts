/**
 * The reclaim statement through the host path: the request line, the replies
 * it may get, the helper's environment (a memory cgroup only for scripts that
 * reclaim, found in the syntax tree so an endless loop is never resolved), and
 * the helper's clear error when it has no memory cgroup. No host run (the
 * corpus test replays the recordings; `mmsim check-host` runs them live).
 */
import { parseScript, resolveScript } from "@mmsim/core/workload";
import { describe, expect, test } from "vitest";
import { ALLOWED, encodeRequest, HELLO } from "./protocol.js";
import { helperEnv, linesFromResponses, scriptHasReclaim } from "./run.js";

const parse = (text: string) => parseScript(text, "t.wl");

describe("reclaim over the helper protocol", () => {
  test("the request and its replies", () => {
    const o = [...resolveScript(parse("reclaim 64M\nreclaim 4K direct\n"))];
    expect(o.map(encodeRequest)).toEqual(["reclaim 67108864 0", "reclaim 4096 1"]);
    expect(ALLOWED.reclaim).toEqual(["ok", "err"]);
    expect(linesFromResponses(o, `${HELLO}\nok\nok\n`).lines).toEqual([]);
  });

  test("only a script with a reclaim statement (at any depth) runs the helper in a memory cgroup", () => {
    expect(scriptHasReclaim(parse("mmap a 2M\nrepeat 1000000000000\n  repeat 2 as j\n    reclaim 4K\n  end\nend\n"))).toBe(true);
    expect(scriptHasReclaim(parse("mmap a 2M\nrepeat 3\n  touch a 0 2M\nend\n"))).toBe(false);
    expect(helperEnv(parse("reclaim 1M\n")).MMSIM_HOST_MEMCG).toBe("1");
    expect(helperEnv(parse("mmap a 2M\n")).MMSIM_HOST_MEMCG).toBeUndefined();
    // Mutant: looking at the top level only would miss the nested statement above.
    const topOnly = (text: string) => parse(text).stmts.some((s) => s.op === "reclaim");
    expect(topOnly("repeat 2\n  reclaim 4K\nend\n")).toBe(false);
  });

  test("a helper without a memory cgroup says why, and the run fails with it", () => {
    const o = [...resolveScript(parse("reclaim 1M\n"))];
    expect(() => linesFromResponses(o, `${HELLO}\nbad reclaim impossible: no cgroup v1 memory controller (no ':memory:' line in /proc/self/cgroup)\n`)).toThrow(
      /rejected request "reclaim 1048576 0" \(t.wl:1:1\): reclaim impossible: no cgroup v1 memory controller/,
    );
  });
});
