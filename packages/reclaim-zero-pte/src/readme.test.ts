/** The README's example, run as written: its printed values are what the comments say. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MAP_ANONYMOUS, MAP_PRIVATE } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { zeroPte } from "./index.js";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

describe("README", () => {
  it("gives the example's output", () => {
    const p = new Engine({ arch: x86_64(), reclaim: zeroPte() }).spawn();
    const a = p.mmap(0, 1 << 30, 3, MAP_ANONYMOUS | MAP_PRIVATE);
    p.touch(a, 1 << 30, false);
    const before = p.status().VmPTE;
    const r = p.reclaim(64 << 20);
    const after = p.status().VmPTE;
    expect(readme).toContain(`console.log(p.status().VmPTE);         // ${before} (kB: 512 PTE tables + the upper levels)`);
    // The shrinker's tables are not reclaimed pages (core's shrink_node(): they go after a grace period).
    expect(readme).toContain(`console.log(p.reclaim(64 << 20));      // kswapd: ${inspect(r)}`);
    expect(readme).toContain(`console.log(p.status().VmPTE);         // ${after}\n`);
  });
});
