import type { Loc } from "./ast.js";
import { MmsimError } from "@mmsim/spec";

/**
 * An error in a workload script. `message` reads `file:line:col: reason`, the
 * form editors and terminals turn into a link; `reason` keeps the bare text.
 */
export class ScriptError extends MmsimError {
  readonly reason: string;
  readonly loc: Loc;

  constructor(message: string, loc: Loc) {
    super("script-error", `${loc.file}:${loc.line}:${loc.col}: ${message}`);
    this.name = "ScriptError";
    this.reason = message;
    this.loc = loc;
  }
}
