import { describe, it, expect } from "vitest";
import { splitLines, tokenizeLine } from "./lexer.js";

describe("tokenizeLine", () => {
  it("splits on spaces and tabs with 1-based columns", () => {
    expect(tokenizeLine("mmap heap\t50G")).toEqual([
      { text: "mmap", col: 1 },
      { text: "heap", col: 6 },
      { text: "50G", col: 11 },
    ]);
  });

  it("keeps the column of indented words", () => {
    expect(tokenizeLine("  \ttouch heap")).toEqual([
      { text: "touch", col: 4 },
      { text: "heap", col: 10 },
    ]);
  });

  it("drops a comment that starts a word, to the end of the line", () => {
    expect(tokenizeLine("status x # a comment with words")).toEqual([
      { text: "status", col: 1 },
      { text: "x", col: 8 },
    ]);
    expect(tokenizeLine("# whole line")).toEqual([]);
    expect(tokenizeLine("   #indented comment")).toEqual([]);
  });

  it("keeps a # inside a word", () => {
    expect(tokenizeLine("status a#b")).toEqual([
      { text: "status", col: 1 },
      { text: "a#b", col: 8 },
    ]);
  });

  it("returns no words for blank lines", () => {
    expect(tokenizeLine("")).toEqual([]);
    expect(tokenizeLine(" \t  ")).toEqual([]);
  });

  it("ignores a trailing carriage return", () => {
    expect(tokenizeLine("end\r")).toEqual([{ text: "end", col: 1 }]);
  });
});

describe("splitLines", () => {
  it("accepts LF and CRLF line ends", () => {
    expect(splitLines("a\r\nb\nc\r\n")).toEqual(["a", "b", "c", ""]);
  });

  it("drops a leading byte-order mark", () => {
    expect(splitLines("\uFEFFmmap x 4K")).toEqual(["mmap x 4K"]);
  });
});
