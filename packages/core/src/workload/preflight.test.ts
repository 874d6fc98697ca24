/**
 * preflightScript: counts and checks without unrolling. Mutants: unroll the
 * loops (the 10^12 test times out), skip the last-iteration check (the overflow
 * test fails), drop the depth limit (the nesting test fails).
 */
import { describe, expect, it } from "vitest";
import { ScriptError } from "./errors.js";
import { parseScript } from "./parser.js";
import { countOps, preflightScript } from "./preflight.js";
import { resolveScript } from "./resolve.js";
import { MAX_REPEAT_DEPTH } from "./parser.js";

const shape = (text: string) => preflightScript(parseScript(text, "t.wl"));
const fails = (text: string) => {
  try {
    shape(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptError);
    return (e as ScriptError).message;
  }
  throw new Error("no error");
};
/** The counts by unrolling, for comparison. */
const unrolled = (text: string) => {
  let ops = 0;
  let statuses = 0;
  for (const op of resolveScript(parseScript(text, "t.wl"))) {
    ops++;
    if (op.op === "status") statuses++;
  }
  return { ops, statuses };
};

describe("preflightScript", () => {
  it("counts like unrolling, nested and dependent loops included", () => {
    for (const text of [
      "mmap a 1G\nstatus s\nrepeat 3\n  touch a i*4K 4K\n  repeat 5 as j\n    status x\n  end\nend\n",
      "mmap a 1G\nrepeat 7\n  repeat i as j\n    touch a j*4K 4K\n    repeat j+1 as k\n      status k\n    end\n  end\nend\n",
      "mmap a 1G\nrepeat 0\n  touch a 0-1 4K\nend\nstatus z\n",
    ]) {
      expect(shape(text)).toEqual(unrolled(text));
    }
  });

  it("starts at once however long the loop: repeat 10^12 is counted, not unrolled", () => {
    const t0 = performance.now();
    const s = shape("mmap a 1G\nrepeat 1000000000000\n  touch a 0 4K\n  madvise a 0 4K dontneed\nend\nstatus x\n");
    expect(s).toEqual({ ops: 2_000_000_000_002, statuses: 1 });
    expect(countOps(parseScript("repeat 1000000000000\n  repeat 1000000 as j\n    status x\n  end\nend\n", "t.wl"))).toBe(1e18);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("reports a bad operand at the first or the last iteration with its location, before running", () => {
    expect(fails("mmap a 1G\nrepeat 10\n  touch a i*4K-4K 4K\nend\n")).toBe("t.wl:3:11: OFFSET must not be negative");
    expect(fails("mmap a 1G\nrepeat 9\n  touch a 0 4K 8K-i*1K\nend\n")).toBe("t.wl:3:18: touch: STRIDE must be positive");
    expect(fails("mmap a 1G\nrepeat 3000000\n  touch a i*4000000000 4K\nend\n")).toBe("t.wl:3:12: '*' overflows: result is not a safe integer");
    expect(fails("mmap a 1G\nrepeat 0-1\nend\n")).toBe("t.wl:2:8: COUNT must not be negative");
  });

  it("bounds nesting with a located error", () => {
    const deep = (n: number) => "repeat 1 as v0\n" + Array.from({ length: n - 1 }, (_, i) => `repeat 1 as v${i + 1}\n`).join("") + "end\n".repeat(n);
    expect(() => parseScript(deep(MAX_REPEAT_DEPTH), "t.wl")).not.toThrow();
    expect(() => parseScript(deep(MAX_REPEAT_DEPTH + 1), "t.wl")).toThrow(`t.wl:${MAX_REPEAT_DEPTH + 1}:1: repeat: loops nested deeper than ${MAX_REPEAT_DEPTH}`);
  });

  it("bounds the operators of one operand", () => {
    expect(() => parseScript(`mmap a ${Array(200).fill("1").join("+")}\n`, "t.wl")).toThrow("t.wl:1:137: expression has more than 64 operators");
  });
});
