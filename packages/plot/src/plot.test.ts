import { describe, expect, it } from "vitest";
import { plotSpec, plotSvg, unitFor, type PlotInput } from "./index.js";

const INPUT: PlotInput = {
  title: "seed-small",
  xTitle: "status point",
  series: [
    { name: "none", points: [{ x: "1 before", VmPTE: 0, VmRSS: 0 }, { x: "2 after", VmPTE: 2052, VmRSS: 8 }] },
    { name: "pt-reclaim", points: [{ x: "1 before", VmPTE: 0, VmRSS: 0 }, { x: "2 after", VmPTE: 8, VmRSS: 8 }] },
  ],
};

describe("plotSvg", () => {
  it("renders an SVG with both panels, every design in the legend, the same bytes every time", async () => {
    const a = await plotSvg(INPUT);
    expect(a.startsWith("<svg")).toBe(true);
    expect(a.endsWith("</svg>\n")).toBe(true);
    for (const text of ["VmPTE (kB)", "VmRSS (kB)", "none", "pt-reclaim", "seed-small", "status point"]) expect(a).toContain(`>${text}<`);
    expect(await plotSvg(INPUT)).toBe(a);
    expect(await plotSvg({ ...INPUT, series: [...INPUT.series].reverse() })).not.toBe(a);
  });

  it("a time axis for numbers; units scale per panel", async () => {
    const svg = await plotSvg({ title: "t", xTitle: "trace time (s)", series: [{ name: "none", points: [{ x: 0, VmPTE: 4, VmRSS: 50 * 1024 * 1024 }, { x: 1.5, VmPTE: 40960, VmRSS: 0 }] }] });
    expect(svg).toContain(">VmPTE (MiB)<");
    expect(svg).toContain(">VmRSS (GiB)<");
    expect(unitFor(10 * 1024 - 1).name).toBe("kB");
  });

  it("refuses what it cannot draw, saying what", () => {
    expect(() => plotSpec({ ...INPUT, series: [] })).toThrow("nothing to plot: no series");
    expect(() => plotSpec({ ...INPUT, series: [{ name: "x", points: [{ x: 1, VmPTE: 0, VmRSS: 0 }, { x: "a", VmPTE: 0, VmRSS: 0 }] }] })).toThrow("x values mix labels and numbers");
    expect(() => plotSpec({ ...INPUT, series: [{ name: "x", points: [{ x: 1, VmPTE: NaN, VmRSS: 0 }] }] })).toThrow("series 'x': VmPTE at x=1 is NaN, not a size in kB");
    // Not an input at all (a JS caller), an x that is neither a label nor a finite number, a text the SVG (XML 1.0) cannot hold.
    expect(() => plotSpec(null as unknown as PlotInput)).toThrow("input: null is not { title, xTitle, series: [...] }");
    expect(() => plotSpec({ ...INPUT, series: "none" } as unknown as PlotInput)).toThrow("input: series is not an array");
    expect(() => plotSpec({ ...INPUT, series: [{ name: "x" }] } as unknown as PlotInput)).toThrow("series 'x': points is not an array");
    expect(() => plotSpec({ ...INPUT, series: [{ name: 3, points: [] }] } as unknown as PlotInput)).toThrow("series 0: name 3 is not a string");
    expect(() => plotSpec({ ...INPUT, series: [{ name: "x", points: [{ x: Infinity, VmPTE: 0, VmRSS: 0 }] }] })).toThrow("series 'x': x=Infinity is neither a label nor a finite number");
    expect(() => plotSpec({ ...INPUT, series: [{ name: "x", points: [{ x: null, VmPTE: 0, VmRSS: 0 }] }] } as unknown as PlotInput)).toThrow("series 'x': x=null is neither a label nor a finite number");
    expect(() => plotSpec({ ...INPUT, series: [{ name: "x", points: [{ x: "a\u0000b", VmPTE: 0, VmRSS: 0 }] }] })).toThrow('series \'x\': x="a\\u0000b" holds a control character an SVG (XML 1.0) cannot hold');
    expect(() => plotSpec({ ...INPUT, title: "t\u0007" })).toThrow('title "t\\u0007" holds a control character an SVG (XML 1.0) cannot hold');
    expect(() => plotSpec({ ...INPUT, series: [{ name: "a\u001b[0m", points: [] }] })).toThrow('series 0: name "a\\u001b[0m" holds a control character');
    expect(plotSpec({ ...INPUT, title: "tabs\tand\nnewlines, ünïcödé <&>" })).toBeTruthy();
    for (const width of [0, -1, NaN, 1.5, 1e6]) expect(() => plotSpec({ ...INPUT, width }), String(width)).toThrow(/^input: width .* is not a number of pixels \(an integer from 1 to 100000\)$/);
    expect(() => plotSpec({ ...INPUT, width: "640" } as unknown as PlotInput)).toThrow('input: width "640" is not a number of pixels');
  });

  it("the status points keep their order (a mutant sorting them alphabetically is caught)", () => {
    const spec = plotSpec({ title: "t", xTitle: "s", series: [{ name: "a", points: ["3 z", "1 b", "2 a"].map((x) => ({ x, VmPTE: 1, VmRSS: 1 })) }] });
    const x = (spec as { vconcat: { encoding: { x: { sort: string[] } } }[] }).vconcat[0].encoding.x;
    expect(x.sort).toEqual(["3 z", "1 b", "2 a"]);
  });
});
