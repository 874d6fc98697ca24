import { describe, expect, it } from "vitest";
import { formatKb, formatSupports, humanKb, renderTable } from "./format.js";

describe("sizes", () => {
  it("keeps kB exact and adds binary units from 1 MB up", () => {
    expect(formatKb(0)).toBe("0 kB");
    expect(formatKb(12)).toBe("12 kB");
    expect(formatKb(1023)).toBe("1023 kB");
    expect(formatKb(1024)).toBe("1024 kB (1.0 MB)");
    expect(formatKb(102608)).toBe("102608 kB (100.2 MB)");
    expect(formatKb(52428800)).toBe("52428800 kB (50.0 GB)");
    expect(humanKb(2 * 1024 ** 3)).toBe("2.0 TB");
    expect(humanKb(-2060)).toBe("-2.0 MB");
  });

  it("labels the same binary values MiB, GiB, TiB with iec units (--iec)", () => {
    expect(formatKb(102608, "iec")).toBe("102608 kB (100.2 MiB)");
    expect(formatKb(52428800, "iec")).toBe("52428800 kB (50.0 GiB)");
    expect(humanKb(2 * 1024 ** 3, "iec")).toBe("2.0 TiB");
    expect(formatKb(12, "iec")).toBe("12 kB");
  });
});

describe("renderTable", () => {
  it("left-aligns columns with a gap and trims trailing spaces", () => {
    expect(renderTable([["a", "bb", ""], ["ccc", "d", "e"]])).toBe("a    bb\nccc  d   e\n");
  });
});

describe("formatSupports", () => {
  it("lists true flags by name and other values as name=value", () => {
    expect(formatSupports({ madv_dontneed: true, madv_free: false, walker_refcount: "percpu" })).toBe(
      "madv_dontneed, walker_refcount=percpu",
    );
    expect(formatSupports({})).toBe("(nothing)");
  });
});
