/**
 * Workload-script parser (grammar in ast.ts). Parsing stops at the first error,
 * a ScriptError naming the offending token's file:line:col, so a bad script
 * never runs. Static checks: commands, operand counts, numbers/expressions,
 * option words, mapping names defined by an earlier `mmap` (textual order),
 * loop variables bound by an enclosing `repeat`, and repeat/end pairing.
 */
import { ADVICES, SYSCTLS, type Advice, type Expr, type Loc, type Prot, type Script, type Stmt, type Sysctl } from "./ast.js";
import { ScriptError } from "./errors.js";
import { exprVars, isIdentifier, parseExpr } from "./expr.js";
import { splitLines, tokenizeLine, type Word } from "./lexer.js";

type RepeatStmt = Extract<Stmt, { op: "repeat" }>;

const PROTS: readonly string[] = ["rw", "r", "none"] satisfies Prot[];
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const DEFAULT_LOOP_VAR = "i";
/** The largest raw madvise advice: INT_MAX (madvise(2) takes `int behavior`). */
const INT_MAX = 2 ** 31 - 1;
/** The deepest `repeat` nesting a script may have; deeper is an error at the `repeat` that goes too deep. */
export const MAX_REPEAT_DEPTH = 16;

/** The operands of one command line, consumed left to right. */
class Operands {
  private readonly words: Word[];
  private readonly cmd: Word;
  private readonly at: (col: number) => Loc;
  private index = 1;

  constructor(words: Word[], at: (col: number) => Loc) {
    this.words = words;
    this.cmd = words[0];
    this.at = at;
  }

  get command(): string {
    return this.cmd.text;
  }

  peek(): Word | undefined {
    return this.words[this.index];
  }

  /** The next operand, or an error pointing just past the line's last word. */
  next(what: string): Word {
    const word = this.words[this.index];
    if (word === undefined) {
      const last = this.words[this.words.length - 1];
      throw new ScriptError(`${this.command}: missing ${what}`, this.at(last.col + last.text.length));
    }
    this.index++;
    return word;
  }

  /** Rejects anything left over. */
  done(): void {
    const extra = this.words[this.index];
    if (extra !== undefined) {
      throw new ScriptError(`${this.command}: unexpected operand '${extra.text}'`, this.at(extra.col));
    }
  }
}

class ScriptParser {
  private readonly file: string;
  private line = 0;
  /** Mapping names defined by an `mmap` seen so far. */
  private readonly mappings = new Set<string>();
  /** Open `repeat` blocks, outermost first; their vars are the scope. */
  private readonly open: RepeatStmt[] = [];
  private readonly top: Stmt[] = [];
  /** A `swapon` was seen. */
  private swapon = false;
  /** A `ram` was seen. */
  private ram = false;

  constructor(file: string) {
    this.file = file;
  }

  parse(text: string): Script {
    splitLines(text).forEach((raw, index) => {
      this.line = index + 1;
      const words = tokenizeLine(raw);
      if (words.length > 0) this.statement(words);
    });
    const unclosed = this.open[this.open.length - 1];
    if (unclosed !== undefined) throw new ScriptError("repeat without matching 'end'", unclosed.loc);
    return { file: this.file, stmts: this.top };
  }

  private at = (col: number): Loc => ({ file: this.file, line: this.line, col });

  private fail(message: string, word: Word): never {
    throw new ScriptError(message, this.at(word.col));
  }

  private emit(stmt: Stmt): void {
    const block = this.open[this.open.length - 1];
    (block === undefined ? this.top : block.body).push(stmt);
  }

  private statement(words: Word[]): void {
    const ops = new Operands(words, this.at);
    const loc = this.at(words[0].col);
    switch (ops.command) {
      case "mmap":
        return this.emit(this.mmap(ops, loc));
      case "touch":
        return this.emit(this.touch(ops, loc));
      case "madvise": {
        const [name, offset, length] = this.range(ops);
        const raw = ops.peek();
        // A raw advice value (a plugin's own advice, e.g. lazyfree's MADV_PT_RECLAIM).
        const advice = raw !== undefined && /^[0-9]+$/.test(raw.text) ? this.rawAdvice(ops) : (this.keyword(ops, "ADVICE", ADVICES, "advice") as Advice);
        ops.done();
        return this.emit({ op: "madvise", loc, name, offset, length, advice });
      }
      case "munmap": {
        const [name, offset, length] = this.range(ops);
        ops.done();
        return this.emit({ op: "munmap", loc, name, offset, length });
      }
      case "mprotect": {
        const [name, offset, length] = this.range(ops);
        const prot = this.keyword(ops, "PROT", PROTS, "protection") as Prot;
        ops.done();
        return this.emit({ op: "mprotect", loc, name, offset, length, prot });
      }
      case "status": {
        const label = ops.next("LABEL").text;
        ops.done();
        return this.emit({ op: "status", loc, label });
      }
      case "swapon": {
        const sizeWord = ops.next("SIZE");
        ops.done();
        if (this.open.length > 0) this.fail("swapon: not allowed inside a repeat block (one swap device per script)", words[0]);
        if (this.swapon) this.fail("swapon: given twice (one swap device per script)", words[0]);
        this.swapon = true;
        return this.emit({ op: "swapon", loc, size: this.expr(sizeWord) });
      }
      case "reclaim": {
        const size = this.expr(ops.next("SIZE"));
        let direct = false;
        const mode = ops.peek();
        if (mode !== undefined) {
          if (mode.text !== "direct") this.fail(`reclaim: unknown option '${mode.text}' (expected 'direct')`, mode);
          ops.next("mode");
          direct = true;
        }
        ops.done();
        return this.emit({ op: "reclaim", loc, size, direct });
      }
      case "ram": {
        const sizeWord = ops.next("SIZE");
        ops.done();
        if (this.open.length > 0) this.fail("ram: not allowed inside a repeat block (the machine's RAM is set once)", words[0]);
        if (this.ram) this.fail("ram: given twice (the machine's RAM is set once)", words[0]);
        if (this.mappings.size > 0) this.fail("ram: must come before the first mmap (it sizes the machine the script runs on)", words[0]);
        this.ram = true;
        return this.emit({ op: "ram", loc, size: this.expr(sizeWord) });
      }
      case "sysctl": {
        const word = ops.next("NAME=VALUE");
        ops.done();
        const eq = word.text.indexOf("=");
        if (eq < 0) this.fail(`sysctl: expected NAME=VALUE, found '${word.text}'`, word);
        const name = word.text.slice(0, eq);
        if (!SYSCTLS.includes(name as Sysctl)) this.fail(`sysctl: unknown or unsupported sysctl '${name}' (expected ${SYSCTLS.join(", ")})`, word);
        if (eq === word.text.length - 1) throw new ScriptError(`sysctl: expected a value after '${name}='`, this.at(word.col + eq + 1));
        return this.emit({ op: "sysctl", loc, name: name as Sysctl, value: this.expr({ text: word.text.slice(eq + 1), col: word.col + eq + 1 }) });
      }
      case "thp": {
        const mode = this.keyword(ops, "MODE", ["always", "madvise", "never"], "THP mode") as "always" | "madvise" | "never";
        ops.done();
        return this.emit({ op: "thp", loc, mode });
      }
      case "repeat":
        return this.repeat(ops, loc);
      case "end":
        return this.end(ops, words[0]);
      default:
        return this.fail(`unknown command '${ops.command}'`, words[0]);
    }
  }

  private mmap(ops: Operands, loc: Loc): Stmt {
    const nameWord = ops.next("NAME");
    if (!NAME.test(nameWord.text)) this.fail(`mmap: invalid mapping name '${nameWord.text}'`, nameWord);
    const size = this.expr(ops.next("SIZE"));
    let prot: Prot | null = null;
    let shared = false;
    let thp: "hugepage" | "nohugepage" | null = null;
    let addr: Expr | null = null;
    let noreserve = false;
    const seen = new Set<string>();
    const once = (group: string, word: Word): void => {
      if (seen.has(group)) this.fail(`mmap: ${group} given twice ('${word.text}')`, word);
      seen.add(group);
    };
    while (ops.peek() !== undefined) {
      const word = ops.next("option");
      const text = word.text;
      if (PROTS.includes(text)) {
        once("protection", word);
        prot = text as Prot;
      } else if (text === "shared") {
        once("'shared'", word);
        shared = true;
      } else if (text === "hugepage" || text === "nohugepage") {
        once("THP mode", word);
        thp = text;
      } else if (text === "noreserve") {
        once("'noreserve'", word);
        noreserve = true;
      } else if (text.startsWith("@")) {
        once("address", word);
        if (text.length === 1) throw new ScriptError("mmap: expected an address after '@'", this.at(word.col + 1));
        addr = this.expr({ text: text.slice(1), col: word.col + 1 });
      } else {
        this.fail(`mmap: unknown option '${text}'`, word);
      }
    }
    this.mappings.add(nameWord.text);
    return { op: "mmap", loc, name: nameWord.text, size, prot: prot ?? "rw", shared, thp, addr, ...(noreserve ? { noreserve } : {}) };
  }

  private touch(ops: Operands, loc: Loc): Stmt {
    const [name, offset, length] = this.range(ops);
    let write = true;
    let stride: Expr | null = null;
    const mode = ops.peek();
    if (mode !== undefined && (mode.text === "write" || mode.text === "read")) {
      ops.next("mode");
      write = mode.text === "write";
    }
    const strideWord = ops.peek();
    if (strideWord !== undefined) {
      ops.next("STRIDE");
      if (mode !== strideWord && (strideWord.text === "write" || strideWord.text === "read") && !this.bound(strideWord.text)) {
        this.fail(`touch: access mode given twice ('${strideWord.text}')`, strideWord);
      }
      if (isIdentifier(strideWord.text) && !this.bound(strideWord.text)) {
        this.fail(`touch: unknown option '${strideWord.text}' (expected write, read or a STRIDE)`, strideWord);
      }
      stride = this.expr(strideWord);
    }
    ops.done();
    return { op: "touch", loc, name, offset, length, write, stride };
  }

  private repeat(ops: Operands, loc: Loc): void {
    if (this.open.length >= MAX_REPEAT_DEPTH) throw new ScriptError(`repeat: loops nested deeper than ${MAX_REPEAT_DEPTH}`, loc);
    const count = this.expr(ops.next("COUNT"));
    let name = DEFAULT_LOOP_VAR;
    let nameAt = loc;
    const as = ops.peek();
    if (as !== undefined) {
      ops.next("'as'");
      if (as.text !== "as") this.fail(`repeat: expected 'as VAR', found '${as.text}'`, as);
      const varWord = ops.next("VAR after 'as'");
      if (!isIdentifier(varWord.text)) this.fail(`repeat: invalid loop variable name '${varWord.text}'`, varWord);
      name = varWord.text;
      nameAt = this.at(varWord.col);
      ops.done();
    }
    if (this.bound(name)) {
      throw new ScriptError(`repeat: loop variable '${name}' shadows an enclosing loop variable`, nameAt);
    }
    const stmt: RepeatStmt = { op: "repeat", loc, count, var: name, body: [] };
    this.emit(stmt);
    this.open.push(stmt);
  }

  private end(ops: Operands, word: Word): void {
    ops.done();
    if (this.open.pop() === undefined) this.fail("'end' without 'repeat'", word);
  }

  /** NAME OFFSET LENGTH, NAME defined by an earlier `mmap`. */
  private range(ops: Operands): [string, Expr, Expr] {
    const word = ops.next("NAME");
    if (!NAME.test(word.text)) this.fail(`${ops.command}: invalid mapping name '${word.text}'`, word);
    if (!this.mappings.has(word.text)) {
      this.fail(`${ops.command}: unknown mapping '${word.text}' (no earlier mmap defines it)`, word);
    }
    return [word.text, this.expr(ops.next("OFFSET")), this.expr(ops.next("LENGTH"))];
  }

  /**
   * A raw advice value: madvise(2)'s `int behavior`, so 0 to INT_MAX. A larger
   * one would not reach the kernel as written (C truncates it to an int: 2^32 + 8
   * is MADV_FREE), so it is refused here rather than simulated as an unknown advice.
   */
  private rawAdvice(ops: Operands): number {
    const word = ops.next("ADVICE");
    const n = Number(word.text);
    if (n > INT_MAX) this.fail(`madvise: advice ${word.text} is out of range (madvise(2) takes an int advice: 0 to ${INT_MAX})`, word);
    return n;
  }

  private keyword(ops: Operands, what: string, allowed: readonly string[], kind: string): string {
    const word = ops.next(what);
    if (!allowed.includes(word.text)) {
      this.fail(`${ops.command}: unknown ${kind} '${word.text}' (expected ${allowed.join("|")})`, word);
    }
    return word.text;
  }

  /** Parses an operand and checks that its variables are in scope. */
  private expr(word: Word): Expr {
    const e = parseExpr(word.text, this.at(word.col));
    for (const v of exprVars(e)) {
      if (!this.bound(v.name)) {
        throw new ScriptError(`unknown variable '${v.name}' (not bound by an enclosing repeat)`, v.loc);
      }
    }
    return e;
  }

  private bound(name: string): boolean {
    return this.open.some((block) => block.var === name);
  }
}

/** Parses a workload script; `file` names it in error locations. */
export function parseScript(text: string, file: string): Script {
  return new ScriptParser(file).parse(text);
}
