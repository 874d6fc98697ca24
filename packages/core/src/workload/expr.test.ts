import { describe, it, expect } from "vitest";
import type { Expr, Loc } from "./ast.js";
import { ScriptError } from "./errors.js";
import { evalExpr, evalNonNegative, exprVars, parseExpr, startLoc } from "./expr.js";

const at = (col: number): Loc => ({ file: "e.wl", line: 2, col });
const NO_VARS: ReadonlyMap<string, number> = new Map();
const K = 1024;
const M = K * K;
const G = M * K;
const T = G * K;

/** Parses `text` as an operand starting at column 5 and evaluates it. */
function value(text: string, env: ReadonlyMap<string, number> = NO_VARS): number {
  return evalExpr(parseExpr(text, at(5)), env);
}

function errorOf(fn: () => unknown): ScriptError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScriptError) return e;
    throw e;
  }
  throw new Error("expected a ScriptError");
}

describe("numbers", () => {
  it("reads decimal and hex", () => {
    expect(value("0")).toBe(0);
    expect(value("4096")).toBe(4096);
    expect(value("007")).toBe(7);
    expect(value("0x1000")).toBe(4096);
    expect(value("0xdeadBEEF")).toBe(0xdeadbeef);
    expect(value("0X10")).toBe(16);
  });

  it("scales K/M/G/T suffixes by powers of 1024, either case", () => {
    expect(value("4K")).toBe(4 * K);
    expect(value("4k")).toBe(4 * K);
    expect(value("2M")).toBe(2 * M);
    expect(value("2m")).toBe(2 * M);
    expect(value("50G")).toBe(50 * G);
    expect(value("1g")).toBe(G);
    expect(value("3T")).toBe(3 * T);
    expect(value("1t")).toBe(T);
    expect(value("0x10K")).toBe(16 * K);
  });

  it("records the number's column", () => {
    expect(parseExpr("2M", at(7))).toEqual({ kind: "num", value: 2 * M, loc: at(7) });
  });

  it("rejects a number that is not a safe integer, at the number", () => {
    const e = errorOf(() => parseExpr("1+9007199254740992", at(10)));
    expect(e.message).toBe("e.wl:2:12: number '9007199254740992' is too large");
    expect(value("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
    expect(errorOf(() => parseExpr("8192T", at(1))).message).toBe("e.wl:2:1: number '8192T' is too large");
    expect(errorOf(() => parseExpr("0x20000000000000", at(1))).reason).toMatch(/too large/);
  });
});

describe("operators", () => {
  it("gives * precedence over + and -", () => {
    expect(value("1+2*3")).toBe(7);
    expect(value("2*3-1")).toBe(5);
    expect(value("2*3+4*5")).toBe(26);
  });

  it("associates left", () => {
    expect(value("10-3-2")).toBe(5);
    expect(value("2*3*4")).toBe(24);
    expect(value("1-2+3")).toBe(2);
  });

  it("builds the tree with the operator's column on bin nodes", () => {
    const e = parseExpr("i*2M+4K", at(3));
    expect(e).toEqual({
      kind: "bin",
      op: "+",
      loc: at(7),
      left: {
        kind: "bin",
        op: "*",
        loc: at(4),
        left: { kind: "var", name: "i", loc: at(3) },
        right: { kind: "num", value: 2 * M, loc: at(5) },
      },
      right: { kind: "num", value: 4 * K, loc: at(8) },
    } satisfies Expr);
    expect(startLoc(e)).toEqual(at(3));
    expect(exprVars(e).map((v) => v.name)).toEqual(["i"]);
  });
});

describe("variables", () => {
  it("reads loop variables from the environment", () => {
    const env = new Map([
      ["i", 3],
      ["j_2", 5],
    ]);
    expect(value("0+i*2M", env)).toBe(6 * M);
    expect(value("i*2M+4K", env)).toBe(6 * M + 4 * K);
    expect(value("0x200000000000+i*1G", env)).toBe(0x200000000000 + 3 * G);
    expect(value("i*j_2", env)).toBe(15);
  });

  it("reports an unbound variable at its column", () => {
    expect(errorOf(() => value("1+k")).message).toBe("e.wl:2:7: unknown variable 'k'");
  });
});

describe("syntax errors point at the bad character", () => {
  const cases: Array<[string, number, string]> = [
    ["2Mb", 7, "unexpected character 'b' in number"],
    ["2KK", 7, "unexpected character 'K' in number"],
    ["12abc", 7, "unexpected character 'a' in number"],
    ["1.5G", 6, "unexpected character '.' in number"],
    ["0x", 7, "expected hex digits after '0x'"],
    ["0xg", 7, "expected hex digits after '0x'"],
    ["2M+", 8, "expected a number or variable after '+'"],
    ["+2", 5, "expected a number or variable, found '+'"],
    ["2**3", 7, "expected a number or variable, found '*'"],
    ["(1+2)", 5, "expected a number or variable, found '('"],
    ["1/2", 6, "unexpected character '/' in expression"],
    ["i-j)", 8, "unexpected character ')' in expression"],
    ["", 5, "expected a number or variable"],
    // A character outside the BMP is shown whole (not half a surrogate pair), a control character escaped (a CR of old Mac line ends).
    ["🙂", 5, "expected a number or variable, found '🙂'"],
    ["2M🙂", 7, "unexpected character '🙂' in expression"],
    ["4K\r", 7, "unexpected character '\\r' in expression"],
    ["\u0000", 5, "expected a number or variable, found '\\u0000'"],
    ["2\t", 6, "unexpected character '\\t' in expression"],
    ["2\u007f", 6, "unexpected character '\\u007f' in expression"],
  ];
  for (const [text, col, reason] of cases) {
    it(`'${text}' -> col ${col}`, () => {
      const e = errorOf(() => parseExpr(text, at(5)));
      expect(e.reason).toBe(reason);
      expect(e.loc).toEqual(at(col));
      expect(e.message).toBe(`e.wl:2:${col}: ${reason}`);
    });
  }
});

describe("evaluation checks", () => {
  it("allows negative intermediate and final results", () => {
    expect(value("1-2+3")).toBe(2);
    expect(value("1-2")).toBe(-1);
  });

  it("never yields -0", () => {
    expect(Object.is(value("0-1*0"), 0)).toBe(true);
    expect(Object.is(evalExpr(parseExpr("i*0", at(1)), new Map([["i", -1]])), 0)).toBe(true);
  });

  it("throws at the operator whose result is not a safe integer", () => {
    const env = new Map([["i", 8192]]);
    const e = errorOf(() => value("1+i*1T", env));
    expect(e.message).toBe("e.wl:2:8: '*' overflows: result is not a safe integer");
    const sum = errorOf(() => value("9007199254740991+1"));
    expect(sum.loc).toEqual(at(21));
  });

  it("evalNonNegative returns the value or throws at the operand's start", () => {
    expect(evalNonNegative(parseExpr("2M-4K", at(5)), NO_VARS, "length")).toBe(2 * M - 4 * K);
    expect(evalNonNegative(parseExpr("0", at(5)), NO_VARS, "length")).toBe(0);
    const e = errorOf(() => evalNonNegative(parseExpr("i-4K", at(9)), new Map([["i", 0]]), "offset"));
    expect(e.message).toBe("e.wl:2:9: offset must not be negative");
    expect(e.reason).toBe("offset must not be negative");
  });
});
