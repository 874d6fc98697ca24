/** The `swapon SIZE` statement: parsing, resolution, and the dVmSwap column it turns on. */
import { x86_64 } from "@mmsim/arch-x86_64";
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import { ScriptError } from "./errors.js";
import { parseScript } from "./parser.js";
import { resolveScript } from "./resolve.js";
import { runScript } from "./runner.js";

const run = (text: string) => runScript(parseScript(text, "t.wl"), new Engine({ arch: x86_64() }).spawn()).lines;

describe("swapon SIZE", () => {
  it("resolves to the size in bytes", () => {
    expect([...resolveScript(parseScript("swapon 64M\n", "t.wl"))]).toEqual([{ op: "swapon", loc: { file: "t.wl", line: 1, col: 1 }, size: 64 * 1024 * 1024 }]);
  });

  it("is rejected twice, inside a repeat, or with a size mkswap would refuse", () => {
    expect(() => parseScript("swapon 1M\nswapon 1M\n", "t.wl")).toThrow(/swapon: given twice/);
    expect(() => parseScript("repeat 2\nswapon 1M\nend\n", "t.wl")).toThrow(/swapon: not allowed inside a repeat/);
    expect(() => [...resolveScript(parseScript("swapon 4097\n", "t.wl"))]).toThrow(ScriptError);
    expect(() => [...resolveScript(parseScript("swapon 36K\n", "t.wl"))]).toThrow(/at least 40960/);
  });

  it("without it the status lines are as before; with it they carry dVmSwap from then on", () => {
    const body = "mmap a 64K @0x200000000000\nstatus s0\ntouch a 0 64K\nmadvise a 0 64K pageout\nstatus s1\n";
    expect(run(body)).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=0 dVmRSS=64 dVmPTE=12"]);
    expect(run(`swapon 1M\n${body}`)).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0 dVmSwap=0", "s1 dVmSize=0 dVmRSS=0 dVmPTE=12 dVmSwap=64"]);
    expect(run(body.replace("status s1", "swapon 1M\nstatus s1"))).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=0 dVmRSS=64 dVmPTE=12 dVmSwap=0"]);
  });
});
