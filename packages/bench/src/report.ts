/** The bench's results and their compact text form. */
import { formatKb, formatMiB, renderTable } from "@mmsim/cli";
import type { KernelRun } from "./kernel.js";
import type { FaultRate, SeedRun } from "./sim.js";

export const RSS_TARGET_BYTES = 512 * 2 ** 20;

export type KernelResult =
  | (KernelRun & { compiler: string; binary: string; ratio: Record<string, number> })
  | { skipped: string }
  | { failed: string };

export interface BenchResult {
  node: string;
  platform: string;
  kernelRelease: string;
  faultRate: FaultRate;
  seedWorkload: string;
  seed: SeedRun[];
  kernel: KernelResult;
  peakRss: { sampledBytes: number; getrusageBytes: number; targetBytes: number; ok: boolean };
}

/** simulator_seconds / kernel_seconds for each simulated run. */
export function ratios(seed: readonly SeedRun[], kernel: KernelRun): Record<string, number> {
  return Object.fromEntries(seed.map((r) => [r.reclaim, r.seconds / kernel.seconds]));
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");
const seconds = (s: number) => `${s.toFixed(2)} s`;
const delta = (kb: number) => `${kb >= 0 ? "+" : ""}${kb} kB`;

function seedTable(r: BenchResult): string {
  const k = "seconds" in r.kernel ? r.kernel : null;
  const rows = [["  run", "wall", "faults/s", "VmPTE after", "dVmPTE", "sim/kernel"]];
  for (const s of r.seed) {
    const ratio = k ? k.ratio[s.reclaim].toFixed(2) : "-";
    const row = [seconds(s.seconds), count(s.pgfault / s.seconds), formatKb(s.after.VmPTE), delta(s.after.VmPTE - s.before.VmPTE), ratio];
    rows.push([`  ${s.reclaim}`, ...row]);
  }
  if (k) {
    const row = [seconds(k.seconds), count(k.faults / k.seconds), formatKb(k.after.VmPTE), delta(k.after.VmPTE - k.before.VmPTE), "1.00"];
    rows.push([`  kernel (THP ${k.thp})`, ...row]);
  }
  return renderTable(rows);
}

function kernelLine(k: KernelResult): string {
  if ("skipped" in k) return `kernel: skipped (${k.skipped})\n`;
  if ("failed" in k) return `kernel: failed (${k.failed})\n`;
  return `kernel: ${k.chunks} chunks, loop ${seconds(k.seconds)}; VmRSS ${k.before.VmRSS} -> ${k.after.VmRSS} kB (binary ${k.binary})\n`;
}

export function renderReport(r: BenchResult): string {
  const rss = r.peakRss;
  return [
    `mmsim bench: node ${r.node}, ${r.platform}, kernel ${r.kernelRelease}\n`,
    `simulated page faults/s: ${count(r.faultRate.median)} (median of ${r.faultRate.runs} ${r.faultRate.workload} runs, ${r.faultRate.faultsPerRun} faults each)\n`,
    `${r.seedWorkload} workload (simulator vs. bench/seedloop.c on this kernel):`,
    seedTable(r) + kernelLine(r.kernel),
    `peak RSS (simulator): ${formatMiB(rss.sampledBytes)} sampled, ${formatMiB(rss.getrusageBytes)} getrusage; target < ${formatMiB(rss.targetBytes)}: ${rss.ok ? "ok" : "OVER"}\n`,
  ].join("\n");
}
