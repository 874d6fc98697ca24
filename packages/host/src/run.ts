/**
 * runOnHost(): runs a workload script on the real kernel through the C helper
 * and gives the lines the simulator's runScript() prints for it: the same status
 * lines (formatStatus, differences from the first status line) and error lines
 * (formatError with strerror text, SIGNAL_TEXT for touches).
 */
import { spawnSync } from "node:child_process";
import { strerror } from "@mmsim/core";
import { formatError, formatStatus, resolveScript, SIGNAL_TEXT, type ResolvedOp, type Script, type StatusLine } from "@mmsim/core/workload";
import { HostProtocolError } from "./errors.js";
import { compileHelper, type HelperOptions } from "./helper.js";
import { ALLOWED, encodeRequest, HELLO, parseResponse, type HostResponse } from "./protocol.js";

export interface HostRunResult {
  /** Status and error lines, exactly as runScript() would print them. */
  lines: string[];
  /** The absolute values behind the status lines. */
  statuses: StatusLine[];
}

/** What running the helper gave back (spawnSync's result, narrowed). */
export interface HelperOutput {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

export interface HostRunOptions {
  /** The helper binary (default: compileHelper(compile)). */
  helper?: string;
  /** How to find/build the helper. */
  compile?: HelperOptions;
  /** Runs the helper with `input` on stdin (default spawnSync); injectable for tests. */
  exec?: (helper: string, input: string) => HelperOutput;
  /** Kill the helper after this many ms (default: no limit). */
  timeoutMs?: number;
}

export function where(op: ResolvedOp): string {
  return `${op.loc.file}:${op.loc.line}:${op.loc.col}`;
}

/**
 * Turns the helper's replies, one at a time and in order, into runScript()'s
 * lines: the streaming half of linesFromResponses(), shared with
 * runOnHostStreaming() (stream.ts), which never holds the whole script.
 */
export class ReplyReader {
  readonly lines: string[] = [];
  readonly statuses: StatusLine[] = [];
  /**
   * @param keep "all" keeps every line and status line; "ends" none of the lines
   * and only the first and the last status line (a streaming caller that takes
   * each line as it comes: constant memory, as runScript()'s `keep: "ends"`).
   */
  constructor(private readonly keep: "all" | "ends" = "all") {}
  /** Replies read (the hello not counted). */
  replies = 0;
  private hello = false;
  /** Status lines print dVmSwap once a swapon succeeded, as runScript()'s do. */
  private swap = false;

  /** Checks the helper's first line. */
  helloLine(line: string | undefined): void {
    if (line !== HELLO) {
      throw new HostProtocolError(`helper did not say ${JSON.stringify(HELLO)} (got ${line === undefined ? "no output" : JSON.stringify(line)}): wrong or stale helper binary?`);
    }
    this.hello = true;
  }

  /** The reply to `op`; returns the line it prints, if any. */
  reply(op: ResolvedOp, line: string): string | null {
    if (!this.hello) throw new HostProtocolError("a reply before the helper's hello");
    this.replies++;
    let r: HostResponse;
    try {
      r = parseResponse(line);
    } catch (e) {
      throw new HostProtocolError(`${(e as Error).message} to ${op.op} at ${where(op)}`);
    }
    if (r.kind === "bad") throw new HostProtocolError(`helper rejected request ${JSON.stringify(encodeRequest(op))} (${where(op)}): ${r.reason}`);
    if (!ALLOWED[op.op].includes(r.kind)) {
      throw new HostProtocolError(`helper replied ${JSON.stringify(line)} to ${op.op} at ${where(op)} (expected ${ALLOWED[op.op].join(" | ")})`);
    }
    let out: string | null = null;
    switch (r.kind) {
      case "status": {
        if (op.op !== "status") break;
        const cur: StatusLine = { label: op.label, VmSize: r.VmSize, VmRSS: r.VmRSS, VmPTE: r.VmPTE };
        if (this.swap) cur.VmSwap = r.VmSwap;
        if (this.keep === "all" || this.statuses.length < 2) this.statuses.push(cur);
        else this.statuses[1] = cur;
        out = formatStatus(this.statuses[0], cur);
        break;
      }
      case "err":
        out = formatError(op.op, strerror(r.errno));
        break;
      case "err-madvise":
        out = formatError("madvise", strerror(r.errno));
        break;
      case "segv":
        out = formatError("touch", SIGNAL_TEXT.SIGSEGV);
        break;
      case "sigbus":
        out = formatError("touch", SIGNAL_TEXT.SIGBUS);
        break;
      case "ok":
        if (op.op === "swapon") this.swap = true;
        break;
    }
    if (out !== null && this.keep === "all") this.lines.push(out);
    return out;
  }
}

/** `helper replied N lines to M requests (no reply to OP at LOC)`: the helper stopped early (or went on). */
export function replyCountError(replies: number, requests: number, unanswered: ResolvedOp | undefined): HostProtocolError {
  const at = unanswered ? ` (no reply to ${unanswered.op} at ${where(unanswered)})` : "";
  return new HostProtocolError(`helper replied ${replies} lines to ${requests} requests${at}`);
}

/**
 * Turns the helper's stdout for `ops` into runScript()'s lines. Throws
 * HostProtocolError on a missing hello, a short or long reply, a `bad` reply or
 * a reply that does not fit its request.
 */
export function linesFromResponses(ops: readonly ResolvedOp[], stdout: string): HostRunResult {
  const raw = stdout.split("\n");
  if (raw[raw.length - 1] === "") raw.pop();
  else if (raw.length > 0) throw new HostProtocolError(`helper output does not end with a newline (last line ${JSON.stringify(raw[raw.length - 1])})`);
  const reader = new ReplyReader();
  reader.helloLine(raw[0]);
  const replies = raw.slice(1);
  if (replies.length !== ops.length) throw replyCountError(replies.length, ops.length, ops[replies.length]);
  ops.forEach((op, i) => reader.reply(op, replies[i]));
  return { lines: reader.lines, statuses: reader.statuses };
}

/** Whether `script` has a `reclaim` statement anywhere (the AST, not the resolved stream: a loop may never end). */
export function scriptHasReclaim(script: Script): boolean {
  const has = (stmts: Script["stmts"]): boolean => stmts.some((s) => s.op === "reclaim" || (s.op === "repeat" && has(s.body)));
  return has(script.stmts);
}

/** The helper's environment: MMSIM_HOST_MEMCG=1 when the script applies memory pressure (it runs in a memory cgroup of its own). */
export function helperEnv(script: Script): NodeJS.ProcessEnv {
  return scriptHasReclaim(script) ? { ...process.env, MMSIM_HOST_MEMCG: "1" } : process.env;
}

/** `memcg`: the script applies memory pressure (`reclaim`): the helper runs in a memory cgroup of its own (MMSIM_HOST_MEMCG=1). */
function spawnHelper(timeoutMs: number | undefined, memcg = false) {
  return (helper: string, input: string): HelperOutput => {
    const env = memcg ? { ...process.env, MMSIM_HOST_MEMCG: "1" } : process.env;
    const r = spawnSync(helper, [], { input, encoding: "utf8", maxBuffer: 1 << 30, timeout: timeoutMs, env });
    return { status: r.status, signal: r.signal, stdout: r.stdout ?? "", stderr: r.stderr ?? "", error: r.error };
  };
}

/** Runs `script` on the real kernel. Throws ScriptError (bad operand), HostUnavailableError or HostProtocolError. */
export function runOnHost(script: Script, opts: HostRunOptions = {}): HostRunResult {
  const ops = [...resolveScript(script)];
  const input = ops.map((op) => encodeRequest(op) + "\n").join("");
  const helper = opts.helper ?? compileHelper(opts.compile);
  const out = (opts.exec ?? spawnHelper(opts.timeoutMs, scriptHasReclaim(script)))(helper, input);
  if (out.error) throw new HostProtocolError(`running the helper ${helper} failed: ${out.error.message}`);
  if (out.status !== 0) {
    // Parse what there is first: a protocol error names the request that killed it.
    const how = out.signal ? `was killed by ${out.signal}` : `exited with status ${out.status}`;
    const stderr = out.stderr.trim() ? `: ${out.stderr.trim()}` : "";
    let detail = "";
    try {
      linesFromResponses(ops, out.stdout);
    } catch (e) {
      detail = ` (${(e as Error).message})`;
    }
    throw new HostProtocolError(`the helper ${how}${stderr}${detail}`);
  }
  return linesFromResponses(ops, out.stdout);
}
