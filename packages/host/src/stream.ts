/**
 * runOnHostStreaming(): runOnHost() without holding the script. The resolved
 * operations are generated as the helper takes them (resolveScript() is a
 * generator; writes wait for the pipe to drain), and each reply is turned into
 * its line as it arrives, so `repeat 1000000000000` starts at once, runs in
 * constant memory (the requests in flight are bounded by the pipes' buffers),
 * and prints as it goes. The lines are those of runOnHost(), byte for byte.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { resolveScript, ScriptError, type ResolvedOp, type Script } from "@mmsim/core/workload";
import { HostProtocolError } from "./errors.js";
import { compileHelper } from "./helper.js";
import { encodeRequest } from "./protocol.js";
import { helperEnv, ReplyReader, replyCountError, type HostRunOptions, type HostRunResult } from "./run.js";

export interface StreamRunOptions extends Omit<HostRunOptions, "exec"> {
  /** Each status or error line as its reply arrives. */
  onLine?: (line: string) => void;
  /** Each request as it is sent (the count so far): progress. */
  onRequest?: (sent: number) => void;
  /** What the result keeps (default "all"): "ends" no lines and the first and last status line only, for a caller that takes the lines through onLine (constant memory). */
  keep?: "all" | "ends";
  /** Starts the helper (default: spawn it with piped stdio); tests pass a fake helper. */
  start?: (helper: string) => ChildProcess;
}

/** Runs `script` on the real kernel, streaming. Rejects with ScriptError (bad operand), HostUnavailableError or HostProtocolError. */
export async function runOnHostStreaming(script: Script, opts: StreamRunOptions = {}): Promise<HostRunResult> {
  const helper = opts.helper ?? compileHelper(opts.compile);
  const child = (opts.start ?? ((h: string) => spawn(h, [], { stdio: ["pipe", "pipe", "pipe"], env: helperEnv(script) })))(helper);
  const { stdin, stdout, stderr } = child;
  if (!stdin || !stdout) throw new HostProtocolError(`the helper ${helper} has no stdin/stdout pipes`);
  let errText = "";
  stderr?.on("data", (d: Buffer) => void (errText = (errText + d.toString("utf8")).slice(-4000)));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.on("error", (error) => done({ code: null, signal: null, error }));
    child.on("close", (code, signal) => done({ code, signal }));
  });
  const timer = opts.timeoutMs !== undefined ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : null;

  /** Sent and not yet answered, oldest first. */
  const inFlight: ResolvedOp[] = [];
  let sent = 0;
  let problem: Error | null = null;
  /**
   * An operand bad only in the middle of a loop, met while generating requests:
   * the requests sent before it still run and their lines are printed (as
   * `mmsim run` prints the lines before it), then it is what the run rejects with.
   */
  let scriptError: ScriptError | null = null;
  let stopped = false;
  stdin.on("error", () => void (stopped = true)); // EPIPE: the helper is gone; its exit says why

  const writer = (async () => {
    try {
      for (const op of resolveScript(script)) {
        if (stopped || problem) break;
        inFlight.push(op);
        sent++;
        opts.onRequest?.(sent);
        if (!stdin.write(encodeRequest(op) + "\n")) await new Promise<void>((go) => {
          const on = () => {
            stdin.off("drain", on);
            stdin.off("close", on);
            go();
          };
          stdin.on("drain", on);
          stdin.on("close", on);
        });
      }
    } catch (e) {
      if (e instanceof ScriptError) scriptError = e; // no more requests: stdin ends, the helper answers those sent and exits
      else problem ??= e as Error;
    } finally {
      stdin.end();
    }
  })();

  const reader = new ReplyReader(opts.keep);
  let endsWithNewline = true;
  stdout.on("data", (d: Buffer) => void (d.length && (endsWithNewline = d[d.length - 1] === 0x0a)));
  const rl = createInterface({ input: stdout, crlfDelay: Infinity });
  let first = true;
  try {
    for await (const line of rl) {
      if (problem) continue; // drain the rest, the helper is being stopped
      try {
        if (first) {
          first = false;
          reader.helloLine(line);
          continue;
        }
        const op = inFlight.shift();
        if (op === undefined) throw replyCountError(reader.replies + 1, sent, undefined);
        const out = reader.reply(op, line);
        if (out !== null) opts.onLine?.(out);
      } catch (e) {
        problem = e as Error;
        stopped = true;
        child.kill("SIGKILL");
      }
    }
  } finally {
    rl.close();
  }
  await writer;
  const exit = await closed;
  if (timer) clearTimeout(timer);
  if (exit.error) throw new HostProtocolError(`running the helper ${helper} failed: ${exit.error.message}`);
  if (problem) throw problem;
  if (first) reader.helloLine(undefined);
  if (!endsWithNewline) throw new HostProtocolError("helper output does not end with a newline");
  if (exit.code !== 0 || inFlight.length > 0) {
    const detail = inFlight.length > 0 ? replyCountError(reader.replies, sent, inFlight[0]).message : "";
    if (exit.code === 0) throw new HostProtocolError(detail);
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
    throw new HostProtocolError(`the helper ${how}${errText.trim() ? `: ${errText.trim()}` : ""}${detail ? ` (${detail})` : ""}`);
  }
  if (scriptError) throw scriptError;
  return { lines: reader.lines, statuses: reader.statuses };
}
