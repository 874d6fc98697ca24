/**
 * The swap statement through the host path: encodeRequest/parseResponse for
 * `swapon` and VmSwap, linesFromResponses printing dVmSwap once swap is on (as
 * runScript() does), the comparison of dVmSwap, and the helper's clear error
 * when swapon(2) is impossible. No host run (the corpus test replays the
 * recordings).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine } from "@mmsim/core";
import { parseScript, resolveScript, runScript } from "@mmsim/core/workload";
import { describe, expect, test } from "vitest";
import { compareLines, parseOutputLine } from "./compare.js";
import { ALLOWED, encodeRequest, HELLO } from "./protocol.js";
import { linesFromResponses } from "./run.js";

const ops = (text: string) => [...resolveScript(parseScript(text, "t.wl"))];

describe("swapon over the helper protocol", () => {
  test("the request and its replies", () => {
    expect(encodeRequest(ops("swapon 64M")[0])).toBe("swapon 67108864");
    expect(ALLOWED.swapon).toEqual(["ok"]);
  });

  test("status lines carry dVmSwap from the swapon on, exactly as the simulator prints them", () => {
    const text = "mmap a 64K @0x200000000000\nstatus s0\nswapon 1M\ntouch a 0 64K\nstatus s1\nmadvise a 0 64K pageout\nstatus s2\n";
    const o = ops(text);
    const out = [HELLO, "ok", "status 100 50 8 0", "ok", "ok", "status 100 114 20 0", "ok", "status 100 50 20 64", ""].join("\n");
    const host = linesFromResponses(o, out).lines;
    expect(host).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=0 dVmRSS=64 dVmPTE=12 dVmSwap=0", "s2 dVmSize=0 dVmRSS=0 dVmPTE=12 dVmSwap=64"]);
    const sim = runScript(parseScript(text, "t.wl"), new Engine({ arch: x86_64() }).spawn()).lines;
    expect(sim).toEqual(host);
  });

  test("a helper that cannot swapon says why, and the run fails with it", () => {
    const o = ops("swapon 1M\n");
    expect(() => linesFromResponses(o, `${HELLO}\nbad swapon impossible: swapon(2) needs root (CAP_SYS_ADMIN): Operation not permitted\n`)).toThrow(
      /rejected request "swapon 1048576" \(t.wl:1:1\): swapon impossible: swapon\(2\) needs root/,
    );
  });
});

describe("comparing dVmSwap", () => {
  test("parsed when present, absent otherwise", () => {
    expect(parseOutputLine("s dVmSize=0 dVmRSS=4 dVmPTE=0 dVmSwap=-8")).toEqual({ kind: "status", label: "s", dVmSize: 0, dVmRSS: 4, dVmPTE: 0, dVmSwap: -8 });
    expect(parseOutputLine("s dVmSize=0 dVmRSS=4 dVmPTE=0")).toEqual({ kind: "status", label: "s", dVmSize: 0, dVmRSS: 4, dVmPTE: 0 });
  });

  test("equal values match; a different value, or a side without it, does not", () => {
    const a = "s dVmSize=0 dVmRSS=0 dVmPTE=0 dVmSwap=64";
    expect(compareLines([a], [a])[0].ok).toBe(true);
    const diff = compareLines([a], ["s dVmSize=0 dVmRSS=0 dVmPTE=0 dVmSwap=60"])[0];
    expect(diff.ok).toBe(false);
    expect(diff.fields?.find((f) => f.field === "dVmSwap")).toEqual({ field: "dVmSwap", sim: 64, host: 60, ok: false });
    expect(compareLines([a], ["s dVmSize=0 dVmRSS=0 dVmPTE=0"])[0].ok).toBe(false);
  });
});
