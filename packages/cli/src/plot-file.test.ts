/** `--plot FILE.svg` on run and compare: an SVG with every design, the same bytes for the same run, stdout unchanged. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { statusSeries, thin } from "./plot-file.js";
import { mmsim, tempDir } from "./testing.js";

describe("--plot", () => {
  it("run: stdout as without --plot; the SVG names the design and the status lines; same bytes twice", async () => {
    const dir = tempDir();
    const plain = await mmsim(["run", "seed-small", "--reclaim", "pt-reclaim"], dir);
    const a = await mmsim(["run", "seed-small", "--reclaim", "pt-reclaim", "--plot", "a.svg"], dir);
    expect(a.stdout).toBe(plain.stdout);
    expect(a.stderr).toBe("plot: a.svg\n");
    await mmsim(["run", "seed-small", "--reclaim", "pt-reclaim", "--plot", "b.svg"], dir);
    const svg = readFileSync(join(dir, "a.svg"), "utf8");
    expect(readFileSync(join(dir, "b.svg"), "utf8")).toBe(svg);
    expect(svg).toContain(">pt-reclaim<");
    expect(svg).toContain(">VmPTE (kB)<");
  }, 600_000);

  it("compare: one line per design", async () => {
    const dir = tempDir();
    const r = await mmsim(["compare", "seed-small", "--reclaim", "none,pt-reclaim,rcu-freept", "--plot", "c.svg", "--json"], dir);
    expect(r.code).toBe(0);
    const svg = readFileSync(join(dir, "c.svg"), "utf8");
    for (const d of ["none", "pt-reclaim", "rcu-freept"]) expect(svg).toContain(`>${d}<`);
  }, 600_000);

  it("many status lines: numbered, and thinned to at most 2000 with the last kept", () => {
    const st = Array.from({ length: 5001 }, (_, i) => ({ label: `s${i}`, VmPTE: i, VmRSS: 0 }));
    const s = statusSeries("x", st);
    expect(s.points.length).toBeLessThanOrEqual(2001);
    expect(s.points[0].x).toBe(1);
    expect(s.points.at(-1)).toEqual({ x: 5001, VmPTE: 5000, VmRSS: 0 });
    expect(thin([1, 2, 3]).points).toEqual([1, 2, 3]);
    expect(statusSeries("x", st.slice(0, 3)).points.map((p) => p.x)).toEqual(["1 s0", "2 s1", "3 s2"]);
  });
});
