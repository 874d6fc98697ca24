export type { Advice, Expr, Loc, Prot, Script, Stmt } from "./ast.js";
export { ScriptError } from "./errors.js";
export { evalExpr, evalNonNegative } from "./expr.js";
export { parseScript, MAX_REPEAT_DEPTH } from "./parser.js";
export { BUILTIN_WORKLOADS, builtinScript, productionScript } from "./builtins.js";
export { resolveScript, resolveOp, type ResolvedOp } from "./resolve.js";
export { preflightScript, countOps, type ScriptShape } from "./preflight.js";
export { formatStatus, formatError, SIGNAL_TEXT, type StatusLine } from "./output.js";
export { runScript, PROT_BITS, ADVICE, MAP_FAILED, type Backend, type RunOptions, type RunResult } from "./runner.js";
