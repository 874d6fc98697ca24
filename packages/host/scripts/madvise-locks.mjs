#!/usr/bin/env node
// Which lock the running kernel's madvise() takes for each advice the model
// implements, measured (helper/madvise-lock.c), beside the model's
// madvise_lock_mode() for the era that stands for this kernel.
//
//   node packages/host/scripts/madvise-locks.mjs [--era ERA] [--rounds N] [--json]
//
// --era: compare with this model era even if the running kernel is not one it
// stands for (by default 6.17 and 6.18 compare with era 6.18; other kernels are
// probed and printed, not compared). Exit status: 0 when no advice mismatched
// (an advice the probe could not tell is "unknown", not a mismatch), 1 on a
// mismatch, 2 when the probe cannot run here (not Linux, no C compiler) or on
// a bad argument. Maps 1 GiB of populated memory while it runs (~5 s).
import { release } from "node:os";
import { parseArgs } from "node:util";

let host, core;
try {
  host = await import("../dist/index.js");
  core = await import("@mmsim/core");
} catch (e) {
  console.error(`madvise-locks: @mmsim/host is not built (${e.message.split("\n")[0]}): run npx turbo run build --filter=@mmsim/host`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { era: { type: "string" }, rounds: { type: "string" }, json: { type: "boolean" } }, allowPositionals: false }).values;
} catch (e) {
  console.error(`madvise-locks: ${e.message}`);
  process.exit(2);
}
const eras = ["5.14", "5.18", "6.10", "6.18"];
if (args.era !== undefined && !eras.includes(args.era)) {
  console.error(`madvise-locks: --era ${JSON.stringify(args.era)}: one of ${eras.join(", ")}`);
  process.exit(2);
}
const rounds = args.rounds === undefined ? 3 : Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) {
  console.error(`madvise-locks: --rounds ${JSON.stringify(args.rounds)}: a count from 1 to 100`);
  process.exit(2);
}

const era = args.era ?? host.lockEraOfRelease();
const names = new Map(Object.entries(core).filter(([k, v]) => k.startsWith("MADV_") && typeof v === "number").map(([k, v]) => [v, k]));
const advices = host.modelAdvice(era ?? "6.18");
let probes;
try {
  probes = host.probeMadviseLocks(advices, { rounds });
} catch (e) {
  if (e instanceof host.HostUnavailableError) {
    console.error(`madvise-locks: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
const rows = host.compareMadviseLocks(probes, era ?? "6.18");
if (era === null) for (const r of rows) r.verdict = "unknown";
if (args.json) {
  process.stdout.write(JSON.stringify({ kernel: release(), era, rows: rows.map((r) => ({ ...r, name: names.get(r.advice) ?? null })) }, null, 2) + "\n");
} else {
  console.log(`kernel ${release()}; model era ${era ?? `none stands for this kernel (probed only; --era to compare)`}`);
  process.stdout.write(host.formatMadviseLocks(rows, (a) => names.get(a) ?? String(a)));
  const n = (v) => rows.filter((r) => r.verdict === v).length;
  console.log(`${n("match")} match, ${n("mismatch")} mismatch, ${n("unknown")} unknown`);
}
process.exitCode = rows.some((r) => r.verdict === "mismatch") ? 1 : 0;
