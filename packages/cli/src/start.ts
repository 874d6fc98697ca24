/**
 * What the bin runs: a plain `mmsim run` line (fast-run.ts) goes straight to the
 * run command, without loading commander; every other line goes to main()
 * (cli.ts). Same output and exit code either way (subcommand-only.test.ts,
 * fast-run.test.ts).
 */
import { parseFastRun } from "./fast-run.js";
import { processIo, type Io } from "./io.js";
import { reportError } from "./report.js";

export async function start(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const fast = parseFastRun(argv);
  if (fast === null) return (await import("./cli.js")).main(argv, io);
  try {
    return await (await import("./commands/run.js")).runCommand(fast.target, fast.opts, io);
  } catch (e) {
    return reportError(e, io);
  }
}
