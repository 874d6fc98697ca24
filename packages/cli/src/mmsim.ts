#!/usr/bin/env node
/** The `mmsim` bin: main() (cli.ts), which imports commander, core and the commands only when a command line needs them (tsup.config.ts's lazyEntries). */
import { main } from "./cli.js";
import { tune_v8 } from "./v8-tuning.js";

tune_v8(); // before main() loads core (v8-tuning.ts)
// Arms the hook watchdog (hook-watchdog.ts's WATCHDOG_KEY) for this process only: a
// plugin hook that never returns is stopped; main() run by another program is not.
(globalThis as Record<symbol, unknown>)[Symbol.for("mmsim.hook-watchdog")] = { argv: process.argv.slice(2) };
process.exitCode = await main(process.argv.slice(2));
