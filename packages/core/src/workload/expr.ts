/**
 * Operand expressions: `+ - *` (usual precedence, left-associative, no
 * parentheses, no spaces) over numbers and loop variables. A number is decimal
 * or `0x` hex with an optional K/M/G/T suffix (either case, powers of 1024):
 * `4096`, `2M`, `0x10K`, `0+i*2M`, `0x200000000000+i*1G`.
 *
 * A `bin` node's loc is its operator, so an overflow points at the operation
 * that overflowed; `startLoc` gives where an expression begins.
 */
import type { Expr, Loc } from "./ast.js";
import { ScriptError } from "./errors.js";

const SUFFIX: Record<string, bigint> = { k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n };
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** The most operators one operand may have (evaluation recurses once per operator). */
export const MAX_OPERATORS = 64;
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const DEC_DIGIT = /[0-9]/;
const HEX_DIGIT = /[0-9A-Fa-f]/;

/** True if `name` is a valid loop-variable / expression identifier. */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

class ExprParser {
  private readonly text: string;
  private readonly origin: Loc;
  private pos = 0;
  private operators = 0;

  constructor(text: string, origin: Loc) {
    this.text = text;
    this.origin = origin;
  }

  parse(): Expr {
    const e = this.sum();
    if (this.pos < this.text.length) this.fail(`unexpected character '${this.charAt(this.pos)}' in expression`);
    return e;
  }

  /** The character at `pos` as a message shows it: whole (a surrogate pair is one character), a control character escaped ('\r'). */
  private charAt(pos: number): string {
    const cp = this.text.codePointAt(pos)!;
    const ch = String.fromCodePoint(cp);
    return cp < 0x20 ? JSON.stringify(ch).slice(1, -1) : cp === 0x7f ? "\\u007f" : ch;
  }

  private at(pos: number): Loc {
    return { file: this.origin.file, line: this.origin.line, col: this.origin.col + pos };
  }

  private fail(message: string, pos = this.pos): never {
    throw new ScriptError(message, this.at(pos));
  }

  private sum(): Expr {
    let left = this.product();
    while (this.text[this.pos] === "+" || this.text[this.pos] === "-") {
      const op = this.text[this.pos] as "+" | "-";
      this.operator();
      const loc = this.at(this.pos++);
      left = { kind: "bin", op, left, right: this.product(), loc };
    }
    return left;
  }

  private product(): Expr {
    let left = this.atom();
    while (this.text[this.pos] === "*") {
      this.operator();
      const loc = this.at(this.pos++);
      left = { kind: "bin", op: "*", left, right: this.atom(), loc };
    }
    return left;
  }

  private operator(): void {
    if (++this.operators > MAX_OPERATORS) this.fail(`expression has more than ${MAX_OPERATORS} operators`);
  }

  private atom(): Expr {
    const ch = this.text[this.pos];
    if (ch === undefined) {
      const after = this.pos > 0 ? ` after '${this.text[this.pos - 1]}'` : "";
      this.fail(`expected a number or variable${after}`);
    }
    if (DEC_DIGIT.test(ch)) return this.number();
    if (IDENT_START.test(ch)) return this.variable();
    return this.fail(`expected a number or variable, found '${this.charAt(this.pos)}'`);
  }

  private variable(): Expr {
    const start = this.pos;
    while (this.pos < this.text.length && IDENT_PART.test(this.text[this.pos])) this.pos++;
    return { kind: "var", name: this.text.slice(start, this.pos), loc: this.at(start) };
  }

  private number(): Expr {
    const start = this.pos;
    let digits: string;
    const next = this.text[start + 1];
    if (this.text[start] === "0" && (next === "x" || next === "X")) {
      this.pos += 2;
      const first = this.pos;
      while (this.pos < this.text.length && HEX_DIGIT.test(this.text[this.pos])) this.pos++;
      if (this.pos === first) this.fail("expected hex digits after '0x'");
      digits = "0x" + this.text.slice(first, this.pos);
    } else {
      while (this.pos < this.text.length && DEC_DIGIT.test(this.text[this.pos])) this.pos++;
      digits = this.text.slice(start, this.pos);
    }
    let value = BigInt(digits);
    const suffix = SUFFIX[(this.text[this.pos] ?? "").toLowerCase()];
    if (suffix !== undefined) {
      value *= suffix;
      this.pos++;
    }
    const ch = this.text[this.pos];
    if (ch !== undefined && (IDENT_PART.test(ch) || ch === ".")) {
      this.fail(`unexpected character '${this.charAt(this.pos)}' in number`);
    }
    if (value > MAX_SAFE) this.fail(`number '${this.text.slice(start, this.pos)}' is too large`, start);
    return { kind: "num", value: Number(value), loc: this.at(start) };
  }
}

/** Parses one operand word; `loc` is where the word's first character sits. */
export function parseExpr(text: string, loc: Loc): Expr {
  return new ExprParser(text, loc).parse();
}

/** Where an expression begins (its leftmost leaf). */
export function startLoc(e: Expr): Loc {
  return e.kind === "bin" ? startLoc(e.left) : e.loc;
}

/** The variables an expression reads, leftmost first. */
export function exprVars(e: Expr): Array<Extract<Expr, { kind: "var" }>> {
  if (e.kind === "var") return [e];
  if (e.kind === "num") return [];
  return [...exprVars(e.left), ...exprVars(e.right)];
}

function apply(op: "+" | "-" | "*", a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
  }
}

/**
 * Evaluates an expression. Throws a ScriptError at the offending node for an
 * unbound variable or a result that is not a safe integer. Intermediate and
 * final results may be negative; see `evalNonNegative`.
 */
export function evalExpr(e: Expr, env: ReadonlyMap<string, number>): number {
  switch (e.kind) {
    case "num":
      return e.value;
    case "var": {
      const value = env.get(e.name);
      if (value === undefined) throw new ScriptError(`unknown variable '${e.name}'`, e.loc);
      return value;
    }
    case "bin": {
      const result = apply(e.op, evalExpr(e.left, env), evalExpr(e.right, env));
      if (!Number.isSafeInteger(result)) {
        throw new ScriptError(`'${e.op}' overflows: result is not a safe integer`, e.loc);
      }
      return result === 0 ? 0 : result; // no -0
    }
  }
}

/** `evalExpr`, then "<what> must not be negative" (at the operand's start) if < 0. */
export function evalNonNegative(e: Expr, env: ReadonlyMap<string, number>, what: string): number {
  const value = evalExpr(e, env);
  if (value < 0) throw new ScriptError(`${what} must not be negative`, startLoc(e));
  return value;
}
