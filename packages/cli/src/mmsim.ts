#!/usr/bin/env node
/** The `mmsim` bin: main() (cli.ts) imported on demand, so that the bin's own chunk stays small (tsup.config.ts's lazyEntries). */
const { main } = await import("./cli.js");

process.exitCode = await main(process.argv.slice(2));
