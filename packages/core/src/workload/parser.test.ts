import { describe, it, expect } from "vitest";
import type { Expr, Loc, Script, Stmt } from "./ast.js";
import { BUILTIN_WORKLOADS, builtinScript } from "./builtins.js";
import { ScriptError } from "./errors.js";
import { evalExpr } from "./expr.js";
import { parseScript } from "./parser.js";

const FILE = "s.wl";
const at = (line: number, col: number): Loc => ({ file: FILE, line, col });
const num = (value: number, line: number, col: number): Expr => ({ kind: "num", value, loc: at(line, col) });
const K = 1024;
const M = K * K;
const G = M * K;

const parse = (text: string): Script => parseScript(text, FILE);
const stmts = (text: string): Stmt[] => parse(text).stmts;

function errorOf(text: string, file = FILE): ScriptError {
  try {
    parseScript(text, file);
  } catch (e) {
    if (e instanceof ScriptError) return e;
    throw e;
  }
  throw new Error("expected a ScriptError");
}

/** The error message for `text`, which must fail to parse. */
const fails = (text: string): string => errorOf(text).message;

/** Strips locations so tests can compare shapes. */
function shape(e: Expr): unknown {
  if (e.kind === "num") return e.value;
  if (e.kind === "var") return e.name;
  return [shape(e.left), e.op, shape(e.right)];
}

describe("commands", () => {
  it("parses mmap with its defaults", () => {
    expect(stmts("mmap heap 50G")).toEqual([
      {
        op: "mmap",
        loc: at(1, 1),
        name: "heap",
        size: num(50 * G, 1, 11),
        prot: "rw",
        shared: false,
        thp: null,
        addr: null,
      },
    ]);
  });

  it("parses mmap options in any order", () => {
    const [a, b] = stmts("mmap a 4K @0x7f0000000000 nohugepage shared r\nmmap b.x-1 2M hugepage none");
    expect(a).toMatchObject({ op: "mmap", name: "a", prot: "r", shared: true, thp: "nohugepage" });
    expect(a.op === "mmap" && a.addr).toEqual(num(0x7f0000000000, 1, 12));
    expect(b).toMatchObject({ op: "mmap", name: "b.x-1", prot: "none", shared: false, thp: "hugepage", addr: null });
  });

  it("parses touch with defaults, read/write and a stride", () => {
    const [, t1, t2, t3, t4] = stmts(
      "mmap h 1G\ntouch h 0 2M\ntouch h 4K 8K read\ntouch h 0 1M write 64K\ntouch h 0 1M 16K",
    );
    expect(t1).toEqual({
      op: "touch",
      loc: at(2, 1),
      name: "h",
      offset: num(0, 2, 9),
      length: num(2 * M, 2, 11),
      write: true,
      stride: null,
    });
    expect(t2).toMatchObject({ write: false, stride: null });
    expect(t3).toMatchObject({ write: true, stride: num(64 * K, 4, 20) });
    expect(t4).toMatchObject({ write: true, stride: num(16 * K, 5, 14) });
  });

  it("takes a raw advice value up to INT_MAX (madvise(2)'s advice is an int), as written in decimal", () => {
    const parsed = stmts("mmap h 1G\nmadvise h 0 2M 0\nmadvise h 0 2M 200\nmadvise h 0 2M 2147483647\nmadvise h 0 2M 007").slice(1);
    expect(parsed.map((s) => (s.op === "madvise" ? s.advice : s.op))).toEqual([0, 200, 2147483647, 7]);
  });

  it("parses every madvise advice", () => {
    const advices = ["dontneed", "free", "hugepage", "nohugepage", "willneed", "cold", "pageout"];
    const text = ["mmap h 1G", ...advices.map((a) => `madvise h 0 2M ${a}`)].join("\n");
    const parsed = stmts(text).slice(1);
    expect(parsed.map((s) => (s.op === "madvise" ? s.advice : s.op))).toEqual(advices);
    expect(parsed[0]).toEqual({
      op: "madvise",
      loc: at(2, 1),
      name: "h",
      offset: num(0, 2, 11),
      length: num(2 * M, 2, 13),
      advice: "dontneed",
    });
  });

  it("parses munmap, mprotect and status", () => {
    expect(stmts("mmap h 1G\nmunmap h 2M 4K\nmprotect h 0 4K none\nstatus after-zap:1").slice(1)).toEqual([
      { op: "munmap", loc: at(2, 1), name: "h", offset: num(2 * M, 2, 10), length: num(4 * K, 2, 13) },
      { op: "mprotect", loc: at(3, 1), name: "h", offset: num(0, 3, 12), length: num(4 * K, 3, 14), prot: "none" },
      { op: "status", loc: at(4, 1), label: "after-zap:1" },
    ]);
  });

  it("lets mmap rebind a name that is already defined", () => {
    const parsed = stmts("mmap h 1G\nmunmap h 0 1G\nmmap h 2G\ntouch h 0 4K");
    expect(parsed.map((s) => s.op)).toEqual(["mmap", "munmap", "mmap", "touch"]);
  });

  it("names the file in the script", () => {
    expect(parseScript("status x", "other.wl")).toEqual({
      file: "other.wl",
      stmts: [{ op: "status", loc: { file: "other.wl", line: 1, col: 1 }, label: "x" }],
    });
  });
});

describe("layout", () => {
  it("skips comments and blank lines and counts lines through them", () => {
    const text = "# header\n\n   \nmmap h 1G   # trailing comment\n\t# indented comment\n  status   done";
    expect(stmts(text)).toEqual([
      expect.objectContaining({ op: "mmap", loc: at(4, 1), name: "h" }),
      { op: "status", loc: at(6, 3), label: "done" },
    ]);
  });

  it("parses an empty or comment-only script to no statements", () => {
    expect(parse("")).toEqual({ file: FILE, stmts: [] });
    expect(parse("# nothing\n\n")).toEqual({ file: FILE, stmts: [] });
  });

  it("accepts CRLF line ends with the same result as LF", () => {
    const lf = "mmap h 1G\nrepeat 2\n  touch h i*2M 2M\nend\n";
    expect(parse(lf.replace(/\n/g, "\r\n"))).toEqual(parse(lf));
    expect(fails("mmap h 1G\r\ntouch h 0 2M bogus\r\n")).toBe("s.wl:2:14: touch: unknown option 'bogus' (expected write, read or a STRIDE)");
  });
});

describe("repeat", () => {
  it("binds i by default and nests its body", () => {
    expect(stmts("mmap h 1G\nrepeat 512\n  touch h i*2M 2M\nend")[1]).toEqual({
      op: "repeat",
      loc: at(2, 1),
      count: num(512, 2, 8),
      var: "i",
      body: [
        {
          op: "touch",
          loc: at(3, 3),
          name: "h",
          offset: {
            kind: "bin",
            op: "*",
            loc: at(3, 12),
            left: { kind: "var", name: "i", loc: at(3, 11) },
            right: num(2 * M, 3, 13),
          },
          length: num(2 * M, 3, 16),
          write: true,
          stride: null,
        },
      ],
    });
  });

  it("nests loops with 'as j' and sees outer variables", () => {
    const text = [
      "mmap h 1G",
      "repeat 4",
      "  repeat i+1 as j",
      "    touch h i*2M+j*4K 4K",
      "  end",
      "  status row",
      "end",
      "status done",
    ].join("\n");
    const [, outer, last] = stmts(text);
    expect(outer.op).toBe("repeat");
    if (outer.op !== "repeat") return;
    expect(outer.var).toBe("i");
    expect(outer.body.map((s) => s.op)).toEqual(["repeat", "status"]);
    const inner = outer.body[0];
    if (inner.op !== "repeat") throw new Error("expected the inner repeat");
    expect(inner.var).toBe("j");
    expect(shape(inner.count)).toEqual(["i", "+", 1]);
    const touch = inner.body[0];
    if (touch.op !== "touch") throw new Error("expected touch");
    expect(shape(touch.offset)).toEqual([["i", "*", 2 * M], "+", ["j", "*", 4 * K]]);
    const env = new Map([
      ["i", 2],
      ["j", 3],
    ]);
    expect(evalExpr(touch.offset, env)).toBe(4 * M + 12 * K);
    expect(last).toEqual({ op: "status", loc: at(8, 1), label: "done" });
  });

  it("lets a loop variable be reused once its loop has ended", () => {
    const parsed = stmts("repeat 2 as k\nend\nrepeat 3 as k\nend");
    expect(parsed.map((s) => (s.op === "repeat" ? s.var : s.op))).toEqual(["k", "k"]);
  });

  it("accepts a mapping defined inside an earlier loop", () => {
    const parsed = stmts("repeat 2\n  mmap buf 4K\nend\ntouch buf 0 4K");
    expect(parsed[1]).toMatchObject({ op: "touch", name: "buf" });
  });
});

describe("errors name file:line:col and stop the parse", () => {
  const cases: Array<[string, string, string]> = [
    // [what, script, message]
    ["unknown command", "mmap h 1G\n  tuoch h 0 4K", "s.wl:2:3: unknown command 'tuoch'"],
    ["keywords are lowercase", "MMAP h 1G", "s.wl:1:1: unknown command 'MMAP'"],
    ["missing NAME", "mmap", "s.wl:1:5: mmap: missing NAME"],
    ["missing SIZE", "mmap heap", "s.wl:1:10: mmap: missing SIZE"],
    ["missing LENGTH", "mmap h 1G\ntouch h 0", "s.wl:2:10: touch: missing LENGTH"],
    ["missing OFFSET", "mmap h 1G\nmunmap h   # comment", "s.wl:2:9: munmap: missing OFFSET"],
    ["missing advice", "mmap h 1G\nmadvise h 0 4K", "s.wl:2:15: madvise: missing ADVICE"],
    ["missing prot", "mmap h 1G\nmprotect h 0 4K", "s.wl:2:16: mprotect: missing PROT"],
    ["missing LABEL", "status", "s.wl:1:7: status: missing LABEL"],
    ["missing COUNT", "repeat", "s.wl:1:7: repeat: missing COUNT"],
    ["missing VAR", "repeat 3 as", "s.wl:1:12: repeat: missing VAR after 'as'"],
    ["extra operand: munmap", "mmap h 1G\nmunmap h 0 4K 8K", "s.wl:2:15: munmap: unexpected operand '8K'"],
    ["extra operand: madvise", "mmap h 1G\nmadvise h 0 4K free now", "s.wl:2:21: madvise: unexpected operand 'now'"],
    ["extra operand: status", "status two words", "s.wl:1:12: status: unexpected operand 'words'"],
    ["extra operand: touch", "mmap h 1G\ntouch h 0 4K read 4K 4K", "s.wl:2:22: touch: unexpected operand '4K'"],
    ["extra operand: repeat", "repeat 3 as j k\nend", "s.wl:1:15: repeat: unexpected operand 'k'"],
    ["extra operand: end", "repeat 3\nend now", "s.wl:2:5: end: unexpected operand 'now'"],
    ["touch read after stride", "mmap h 1G\ntouch h 0 4K 4K read", "s.wl:2:17: touch: unexpected operand 'read'"],
    ["bad number suffix", "mmap heap 50Gb", "s.wl:1:14: unexpected character 'b' in number"],
    ["bad character in expression", "mmap h 1G\ntouch h 0+i/2 4K", "s.wl:2:12: unexpected character '/' in expression"],
    ["dangling operator", "mmap h 1G\nrepeat 2\n  touch h i*2M+ 2M\nend", "s.wl:3:16: expected a number or variable after '+'"],
    ["number too large", "mmap h 9999999999999999", "s.wl:1:8: number '9999999999999999' is too large"],
    ["bad address", "mmap h 1G @0xZZ", "s.wl:1:14: expected hex digits after '0x'"],
    ["empty address", "mmap h 1G @", "s.wl:1:12: mmap: expected an address after '@'"],
    ["unknown mmap option", "mmap h 1G rw private", "s.wl:1:14: mmap: unknown option 'private'"],
    ["duplicate prot", "mmap h 1G r shared rw", "s.wl:1:20: mmap: protection given twice ('rw')"],
    ["duplicate shared", "mmap h 1G shared shared", "s.wl:1:18: mmap: 'shared' given twice ('shared')"],
    ["duplicate thp", "mmap h 1G hugepage nohugepage", "s.wl:1:20: mmap: THP mode given twice ('nohugepage')"],
    ["duplicate address", "mmap h 1G @0 @4K", "s.wl:1:14: mmap: address given twice ('@4K')"],
    ["invalid name", "mmap 9lives 1G", "s.wl:1:6: mmap: invalid mapping name '9lives'"],
    ["unknown touch option", "mmap h 1G\ntouch h 0 4K wirte", "s.wl:2:14: touch: unknown option 'wirte' (expected write, read or a STRIDE)"],
    [
      "unknown advice",
      "mmap h 1G\nmadvise h 0 4K DONTNEED",
      "s.wl:2:16: madvise: unknown advice 'DONTNEED' (expected dontneed|free|hugepage|nohugepage|willneed|cold|pageout|normal|random|sequential|dontfork|dofork|wipeonfork|keeponfork|dontdump|dodump|mergeable|unmergeable|guard_install|guard_remove|remove|collapse)",
    ],
    ["raw advice beyond an int", "mmap h 1G\nmadvise h 0 4K 2147483648", "s.wl:2:16: madvise: advice 2147483648 is out of range (madvise(2) takes an int advice: 0 to 2147483647)"],
    ["raw advice far beyond an int", "mmap h 1G\nmadvise h 0 4K 99999999999999999999", "s.wl:2:16: madvise: advice 99999999999999999999 is out of range (madvise(2) takes an int advice: 0 to 2147483647)"],
    ["touch mode twice", "mmap h 1G\ntouch h 0 4K write write", "s.wl:2:20: touch: access mode given twice ('write')"],
    ["touch read and write", "mmap h 1G\ntouch h 0 4K read write", "s.wl:2:19: touch: access mode given twice ('write')"],
    ["unknown prot", "mmap h 1G\nmprotect h 0 4K rwx", "s.wl:2:17: mprotect: unknown protection 'rwx' (expected rw|r|none)"],
    ["undefined NAME: touch", "mmap heap 1G\ntouch hep 0 4K", "s.wl:2:7: touch: unknown mapping 'hep' (no earlier mmap defines it)"],
    ["undefined NAME: madvise", "madvise h 0 4K free", "s.wl:1:9: madvise: unknown mapping 'h' (no earlier mmap defines it)"],
    ["undefined NAME: munmap", "munmap h 0 4K", "s.wl:1:8: munmap: unknown mapping 'h' (no earlier mmap defines it)"],
    ["undefined NAME: mprotect", "mprotect h 0 4K r", "s.wl:1:10: mprotect: unknown mapping 'h' (no earlier mmap defines it)"],
    ["NAME defined only later", "touch h 0 4K\nmmap h 1G", "s.wl:1:7: touch: unknown mapping 'h' (no earlier mmap defines it)"],
    ["variable outside any loop", "mmap h 1G\ntouch h i*2M 2M", "s.wl:2:9: unknown variable 'i' (not bound by an enclosing repeat)"],
    [
      "variable of another loop",
      "mmap h 1G\nrepeat 2 as j\n  touch h 0 4K 4K\n  touch h i*4K 4K\nend",
      "s.wl:4:11: unknown variable 'i' (not bound by an enclosing repeat)",
    ],
    ["variable after its loop ended", "mmap h 1G\nrepeat 2\nend\nmunmap h i 4K", "s.wl:4:10: unknown variable 'i' (not bound by an enclosing repeat)"],
    ["variable inside a longer operand", "mmap h 1G\nrepeat 2\n  touch h 0 i*4K+k 4K\nend", "s.wl:3:18: unknown variable 'k' (not bound by an enclosing repeat)"],
    ["variable in mmap address", "mmap h 1G @0x1000+i", "s.wl:1:19: unknown variable 'i' (not bound by an enclosing repeat)"],
    ["repeat COUNT uses its own variable", "repeat i\nend", "s.wl:1:8: unknown variable 'i' (not bound by an enclosing repeat)"],
    ["repeat without 'as'", "repeat 3 by j\nend", "s.wl:1:10: repeat: expected 'as VAR', found 'by'"],
    ["invalid loop variable", "repeat 3 as 2x\nend", "s.wl:1:13: repeat: invalid loop variable name '2x'"],
    ["end without repeat", "status a\n  end", "s.wl:2:3: 'end' without 'repeat'"],
    ["extra end", "repeat 2\nend\nend", "s.wl:3:1: 'end' without 'repeat'"],
    ["repeat without end", "status a\n  repeat 3\n  status b\n", "s.wl:2:3: repeat without matching 'end'"],
    ["inner repeat without end", "repeat 3\n  repeat 2 as j\nend", "s.wl:1:1: repeat without matching 'end'"],
    ["shadowing the default i", "repeat 3\n  repeat 2\n  end\nend", "s.wl:2:3: repeat: loop variable 'i' shadows an enclosing loop variable"],
    ["shadowing with 'as'", "repeat 3 as j\n  repeat 2 as j\n  end\nend", "s.wl:2:15: repeat: loop variable 'j' shadows an enclosing loop variable"],
    ["shadowing two levels up", "repeat 3\n repeat 2 as j\n  repeat 1 as i\n  end\n end\nend", "s.wl:3:15: repeat: loop variable 'i' shadows an enclosing loop variable"],
  ];
  for (const [what, text, message] of cases) {
    it(what, () => {
      expect(fails(text)).toBe(message);
    });
  }

  it("stops at the first error and keeps the raw reason and location", () => {
    const e = errorOf("mmap h 1G\nbogus\ntouch nope 0 4K\nend", "w/x.wl");
    expect(e).toBeInstanceOf(ScriptError);
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("w/x.wl:2:1: unknown command 'bogus'");
    expect(e.reason).toBe("unknown command 'bogus'");
    expect(e.loc).toEqual({ file: "w/x.wl", line: 2, col: 1 });
    expect(e.name).toBe("ScriptError");
  });

  it("reports the leftmost error on a line", () => {
    expect(fails("touch nope x+ 4K")).toBe("s.wl:1:7: touch: unknown mapping 'nope' (no earlier mmap defines it)");
  });
});

describe("builtins", () => {
  it("parses the seed script to the seed threads' loop", () => {
    const script = builtinScript("seed");
    const file = "<builtin:seed>";
    const loc = (line: number, col: number): Loc => ({ file, line, col });
    expect(script?.file).toBe(file);
    const [mmap, before, loop, after] = script?.stmts ?? [];
    expect(mmap).toMatchObject({ op: "mmap", loc: loc(2, 1), name: "heap", prot: "rw", shared: false, thp: null, addr: null });
    expect(mmap.op === "mmap" && mmap.size).toMatchObject({ kind: "num", value: 50 * G });
    expect(before).toEqual({ op: "status", loc: loc(3, 1), label: "before" });
    expect(after).toEqual({ op: "status", loc: loc(8, 1), label: "after" });
    if (loop?.op !== "repeat") throw new Error("expected the repeat loop");
    expect(loop.var).toBe("i");
    expect(loop.count).toMatchObject({ kind: "num", value: 25600 });
    expect(loop.body.map((s) => s.op)).toEqual(["touch", "madvise"]);
    const [touch, madvise] = loop.body;
    if (touch.op !== "touch" || madvise.op !== "madvise") throw new Error("unexpected loop body");
    expect(shape(touch.offset)).toEqual(["i", "*", 2 * M]);
    expect(shape(touch.length)).toEqual(2 * M);
    expect(touch.write).toBe(true);
    expect(touch.stride).toBeNull();
    expect(shape(madvise.offset)).toEqual(["i", "*", 2 * M]);
    expect(shape(madvise.length)).toEqual(2 * M);
    expect(madvise.advice).toBe("dontneed");
    // The loop covers exactly the heap.
    expect(25600 * 2 * M).toBe(50 * G);
  });

  it("seed-free differs from seed only in the advice", () => {
    const seed = builtinScript("seed");
    const free = builtinScript("seed-free");
    const advice = (s: Script | undefined): unknown => {
      const loop = s?.stmts[2];
      return loop?.op === "repeat" && loop.body[1].op === "madvise" ? loop.body[1].advice : undefined;
    };
    expect(advice(seed)).toBe("dontneed");
    expect(advice(free)).toBe("free");
    const normalize = (text: string): string[] => text.split("\n").filter((l) => !l.startsWith("#"));
    expect(normalize(BUILTIN_WORKLOADS["seed-free"].text)).toEqual(
      normalize(BUILTIN_WORKLOADS.seed.text).map((l) => l.replace("dontneed", "free")),
    );
  });

  it("seed-small maps 1G and covers it in 512 iterations of 2M", () => {
    const [mmap, , loop] = builtinScript("seed-small")?.stmts ?? [];
    expect(mmap.op === "mmap" && mmap.size).toMatchObject({ value: G });
    expect(loop.op === "repeat" && loop.count).toMatchObject({ value: 512 });
    expect(512 * 2 * M).toBe(G);
  });

  it("every builtin parses and has a description", () => {
    expect(Object.keys(BUILTIN_WORKLOADS)).toEqual(expect.arrayContaining(["seed", "seed-free", "seed-small"]));
    for (const [name, { description }] of Object.entries(BUILTIN_WORKLOADS)) {
      expect(description.length).toBeGreaterThan(0);
      expect(builtinScript(name)?.stmts.length).toBeGreaterThan(0);
    }
  });

  it("returns undefined for unknown names, including Object.prototype keys", () => {
    expect(builtinScript("nope")).toBeUndefined();
    expect(builtinScript("toString")).toBeUndefined();
    expect(builtinScript("__proto__")).toBeUndefined();
  });
});
