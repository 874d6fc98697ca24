/**
 * What the bin runs: main() (cli.ts), loaded on demand, so that the bin's own
 * chunk stays small (tsup.config.ts's lazyEntries shape the chunks from here).
 */
import type { Io } from "./io.js";

export async function start(argv: readonly string[], io?: Io): Promise<number> {
  return (await import("./cli.js")).main(argv, io);
}
