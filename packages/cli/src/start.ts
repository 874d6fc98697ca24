/**
 * What the bin runs: a plain `mmsim run` or `compare` line (fast-run.ts) goes
 * straight to its command, without loading commander; every other line goes to
 * main() (cli.ts). Same output and exit code either way (fast-run.test.ts).
 */
import { parseFastLine } from "./fast-run.js";
import { processIo, type Io } from "./io.js";
import { reportError } from "./report.js";

export async function start(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const fast = parseFastLine(argv);
  if (fast === null) return (await import("./cli.js")).main(argv, io);
  try {
    if (fast.command === "run") return await (await import("./commands/run.js")).runCommand(fast.target, fast.opts, io);
    return await (await import("./commands/compare.js")).compareCommand(fast.target, fast.opts, io);
  } catch (e) {
    return reportError(e, io);
  }
}
