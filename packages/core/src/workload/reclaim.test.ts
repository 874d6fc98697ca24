/**
 * The `reclaim SIZE [direct]` statement (memory pressure, issue #12 §1) and a
 * raw numeric advice in `madvise`: parsing, resolution, and what they run.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import type { KPath, ReclaimPlugin, task_struct } from "../plugin/kernel.js";
import { parseScript } from "./parser.js";
import { resolveScript } from "./resolve.js";
import { runScript, type Backend } from "./runner.js";

const loc = { file: "t.wl", line: 1, col: 1 };
const run = (text: string, reclaim: ReclaimPlugin | null = null) => runScript(parseScript(text, "t.wl"), new Engine({ arch: x86_64(), reclaim }).spawn()).lines;

describe("reclaim SIZE [direct]", () => {
  it("resolves to the size in bytes and the mode", () => {
    expect([...resolveScript(parseScript("reclaim 1G\n", "t.wl"))]).toEqual([{ op: "reclaim", loc, size: 1024 ** 3, direct: false }]);
    expect([...resolveScript(parseScript("reclaim 2M direct\n", "t.wl"))]).toEqual([{ op: "reclaim", loc, size: 2 * 1024 ** 2, direct: true }]);
    expect(() => parseScript("reclaim 2M now\n", "t.wl")).toThrow(/reclaim: unknown option 'now'/);
    expect(() => parseScript("reclaim\n", "t.wl")).toThrow(/SIZE/);
  });

  it("discards the lazily freed folios: dVmRSS falls, the PTE tables stay (Linux without a plugin)", () => {
    const body = "status s0\nmmap a 4M @0x200000000000\ntouch a 0 4M\nmadvise a 0 4M free\nstatus s1\nreclaim 4M\nstatus s2\n";
    expect(run(body)).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=4096 dVmRSS=4096 dVmPTE=16", "s2 dVmSize=4096 dVmRSS=0 dVmPTE=16"]);
  });

  it("`direct` reclaims in the process's own task; without it kswapd (no mm) does", () => {
    const seen: string[] = [];
    const plugin: ReclaimPlugin = {
      specificationVersion: "v1",
      name: "who",
      version: "0",
      models: "test",
      supports: {},
      *shrink(t: task_struct): KPath {
        seen.push(t.mm === null ? `${t.comm}:no-mm` : `${t.comm}:mm`);
      },
    };
    run("reclaim 4K direct\nreclaim 4K\n", plugin);
    expect(seen[0]).toBe("mmsim:mm");
    expect(seen.at(-1)).toBe("kswapd0:no-mm");
    // Mutant: a runner that drops `direct` would show kswapd0 first; the first assertion catches it.
    expect(seen[0]).not.toBe("kswapd0:no-mm");
  });

  it("a backend without memory pressure refuses the statement", () => {
    const p = new Engine({ arch: x86_64() }).spawn();
    const b: Backend = { mmap: p.mmap.bind(p), munmap: p.munmap.bind(p), mprotect: p.mprotect.bind(p), madvise: p.madvise.bind(p), touch: p.touch.bind(p), status: p.status.bind(p) };
    expect(() => runScript(parseScript("reclaim 1M\n", "t.wl"), b)).toThrow(/reclaim: this backend cannot apply memory pressure/);
  });
});

describe("madvise with a raw advice value", () => {
  it("passes the number to madvise(2): an advice Linux does not know is EINVAL", () => {
    const s = [...resolveScript(parseScript("mmap a 2M\nmadvise a 0 2M 8\nmadvise a 0 2M 77\n", "t.wl"))];
    expect(s[1]).toMatchObject({ op: "madvise", advice: 8 });
    expect(run("mmap a 2M\nmadvise a 0 2M 8\nmadvise a 0 2M 77\n")).toEqual(["madvise-error Invalid argument"]);
  });
});
