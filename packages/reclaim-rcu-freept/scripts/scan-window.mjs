#!/usr/bin/env node
/* global process, console */
/**
 * How rcu-freept's figure on the seed loop depends on its scan: the seed loop
 * (mmap 50G; 25,600 × touch 2M + MADV_DONTNEED 2M) under rcuFreept() with the
 * RFC's scan delay and window changed, in two address-space layouts:
 *
 *   heap         the 50G mapping alone (what `mmsim compare seed` runs);
 *   heap+libs    small VMAs above it, as a C program's libraries and stack
 *                are: a scan that ends in the heap leaves the offset past it,
 *                so the next scan walks only the small VMAs and wraps.
 *
 * For each it prints VmPTE at the loop's end ("after", the thread's snapshot), the
 * PTE tables still there then, the most PTE tables left at any iteration of the
 * loop's last 2,000 (the top of the sawtooth a snapshot lands on; in kB with the
 * upper-level tables of the finished loop), and VmPTE after 1 s idle.
 * Needs the built packages: npx turbo build --filter=@mmsim/reclaim-rcu-freept...
 *
 *   node packages/reclaim-rcu-freept/scripts/scan-window.mjs [--quick]
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MADV_DONTNEED, MAP_ANONYMOUS, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from "@mmsim/core";
import { rcuFreept } from "../dist/index.js";

const M = 1024 * 1024;
const quick = process.argv.includes("--quick");
const CHUNKS = quick ? 2560 : 25600; // --quick: a 5G heap
const TAIL = 2000;

function run(opts, layout) {
  const e = new Engine({ arch: x86_64(), reclaim: opts === null ? null : rcuFreept(opts) });
  const p = e.spawn();
  if (layout === "heap+libs") {
    // Mapped first, so they lie above the heap (top-down mmap): libc-like text/rodata/data and a stack, none holding an aligned 2 MiB.
    p.mmap(0, 1600 * 1024, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS);
    p.mmap(0, 400 * 1024, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    p.mmap(0, 132 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  }
  const heap = p.mmap(0, CHUNKS * 2 * M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  const tail = [];
  for (let i = 0; i < CHUNKS; i++) {
    p.touch(heap + i * 2 * M, 2 * M, true);
    p.madvise(heap + i * 2 * M, 2 * M, MADV_DONTNEED);
    if (i >= CHUNKS - TAIL) tail.push(p.status().VmPTE);
  }
  const after = p.status().VmPTE;
  const seconds = e.k.now_ns / 1e9;
  p.idle(1000);
  return { after, tail, idle: p.status().VmPTE, seconds };
}

// Without reclaim every PTE table stays: the rest of VmPTE is the PMD and PUD tables, at each step of the loop.
const none = run(null, "heap");
const upper = none.tail.map((v, j) => v - (CHUNKS - TAIL + j + 1) * 4);
const floor = none.after - CHUNKS * 4;
const rows = [["layout", "delay", "window", "VmPTE after", "PTE tables left at 'after'", "most left (last 2000 iterations)", "after 1 s idle", "loop (model s)"]];
const cases = [
  ...[25, 50, 100, 200, 400].map((d) => ["heap", d, 256]),
  ...[64, 1024].map((w) => ["heap", 100, w]),
  ...[50, 100, 200].map((d) => ["heap+libs", d, 256]),
  ...[64, 1024].map((w) => ["heap+libs", 100, w]),
];
for (const [layout, delay, window] of cases) {
  const r = run({ scan_delay_ms: delay, scan_size_mb: window }, layout);
  rows.push([
    layout,
    `${delay} ms`,
    `${window} MB`,
    `${r.after} kB`,
    String((r.after - floor) / 4),
    `${Math.max(...r.tail.map((v, j) => (v - upper[j]) / 4))} (${Math.max(...r.tail.map((v, j) => v - upper[j])) + floor} kB)`,
    `${r.idle} kB`,
    r.seconds.toFixed(1),
  ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log(`seed loop, ${CHUNKS} chunks of 2M; upper-level tables (PMD + PUD) with no reclaim: ${floor} kB`);
for (const r of rows) console.log(r.map((x, c) => x.padEnd(widths[c])).join("  ").trimEnd());
