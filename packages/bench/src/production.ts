/**
 * The `production` workload in the bench (issue #10 §3, §4): the seed threads'
 * motivating process (55T heap, a 4K page in every 2M, all but 590G dropped,
 * 590G written) under none and pt-reclaim, each in its own child process (so
 * each peak RSS is its own): wall time, peak RSS, and host bytes per live
 * table. Runs at 1/scale (core's productionScript(); default 1/64); scale 1 is
 * the builtin and runs only with --production-full. A child whose RSS passes
 * the limit (default 8 GB, the issue's target) is stopped: the report says how
 * far it got (its last status line) and where its memory was (JS heap, typed
 * arrays) at each status line.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { x86_64 } from "@mmsim/arch-x86_64";
import { defaultReclaims } from "@mmsim/cli";
import { Engine } from "@mmsim/core";
import { parseScript, productionScript, runScript } from "@mmsim/core/workload";

export const PRODUCTION_SECONDS_TARGET = 60;
export const PRODUCTION_RSS_TARGET_BYTES = 8e9;

/** What the child reports at each status line of the script. */
export interface ProductionPoint {
  line: string;
  /** Seconds since the run started. */
  t: number;
  rss: number;
  heapUsed: number;
  /** Bytes in ArrayBuffers (the typed arrays: page tables, frames). */
  arrayBuffers: number;
  /** Of those, the frame descriptors' (committed) and the free lists'. */
  frames: number;
  /** Live page-table pages (VmPTE / 4 KiB, every level). */
  tables: number;
}

export interface ProductionRun {
  reclaim: string;
  scale: number;
  points: ProductionPoint[];
  /** Set when the run finished. */
  seconds: number | null;
  /** Peak RSS: getrusage's when the run finished, else the largest sampled. */
  peakRss: number;
  /** RSS before the run (modules loaded, engine built). */
  baseRss: number;
  /** (peak RSS − base RSS) / the most live tables seen at a status line. */
  bytesPerTable: number | null;
  /** Why it did not finish ("stopped at RSS > ...", an exit code or signal), or null. */
  stopped: string | null;
}

/** In the child: one run, printing a JSON point per status line and a final record. */
export async function productionChild(scale: number, reclaimLabel: string, write: (s: string) => void): Promise<void> {
  const reclaim = reclaimLabel === "none" ? null : ((await defaultReclaims()).find((r) => r.label === reclaimLabel)?.create() ?? null);
  if (reclaimLabel !== "none" && reclaim === null) throw new Error(`no reclaim design '${reclaimLabel}'`);
  const script = parseScript(productionScript(scale), `<builtin:production${scale > 1 ? `/${scale}` : ""}>`);
  write(JSON.stringify({ base: process.memoryUsage.rss() }) + "\n");
  const e = new Engine({ arch: x86_64(), reclaim });
  const t0 = performance.now();
  runScript(script, e.spawn(), {
    onLine: (line) => {
      const m = process.memoryUsage();
      const pte = /VmPTE=(-?\d+)/.exec(line);
      const point: ProductionPoint = {
        line,
        t: (performance.now() - t0) / 1000,
        rss: m.rss,
        heapUsed: m.heapUsed,
        arrayBuffers: m.arrayBuffers,
        frames: e.k.frames.host_bytes(),
        tables: pte ? Number(pte[1]) / 4 : 0,
      };
      write(JSON.stringify({ point }) + "\n");
    },
  });
  write(JSON.stringify({ seconds: (performance.now() - t0) / 1000, maxRss: process.resourceUsage().maxRSS * 1024 }) + "\n");
}

/** A child's RSS from /proc/<pid>/status, or 0. */
function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** One design in a child process (`node <bench> --production-child scale:reclaim`), stopped past `maxRss` bytes. */
export function productionRun(benchScript: string, scale: number, reclaim: string, maxRss: number): Promise<ProductionRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [benchScript, "--production-child", `${scale}:${reclaim}`], { stdio: ["ignore", "pipe", "inherit"] });
    const run: ProductionRun = { reclaim, scale, points: [], seconds: null, peakRss: 0, baseRss: 0, bytesPerTable: null, stopped: null };
    let out = "";
    const t0 = performance.now();
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      let nl;
      while ((nl = out.indexOf("\n")) >= 0) {
        const rec = JSON.parse(out.slice(0, nl)) as { base?: number; point?: ProductionPoint; seconds?: number; maxRss?: number };
        out = out.slice(nl + 1);
        if (rec.base !== undefined) run.baseRss = rec.base;
        if (rec.point) run.points.push(rec.point);
        if (rec.seconds !== undefined) {
          run.seconds = rec.seconds;
          run.peakRss = Math.max(run.peakRss, rec.maxRss ?? 0);
        }
      }
    });
    const poll = setInterval(() => {
      const rss = rssOf(child.pid!);
      run.peakRss = Math.max(run.peakRss, rss);
      if (rss > maxRss && run.stopped === null) {
        run.stopped = `stopped at RSS ${gb(rss)} > ${gb(maxRss)} after ${((performance.now() - t0) / 1000).toFixed(0)} s`;
        child.kill("SIGKILL");
      }
    }, 100);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      if (run.stopped === null && run.seconds === null) run.stopped = signal ? `killed by ${signal}` : `exit code ${code}`;
      const tables = Math.max(0, ...run.points.map((p) => p.tables));
      run.bytesPerTable = tables > 0 ? (run.peakRss - run.baseRss) / tables : null;
      resolve(run);
    });
  });
}

const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;

export function renderProduction(runs: readonly ProductionRun[]): string {
  const out: string[] = [];
  const scale = runs[0]?.scale ?? 1;
  out.push(`production${scale > 1 ? ` at 1/${scale} scale` : " (full scale)"}: targets < ${PRODUCTION_SECONDS_TARGET} s and < ${gb(PRODUCTION_RSS_TARGET_BYTES)} peak RSS each (at full scale)`);
  for (const r of runs) {
    const head = r.seconds !== null ? `${r.seconds.toFixed(1)} s` : `did not finish (${r.stopped})`;
    const bpt = r.bytesPerTable !== null ? `${Math.round(r.bytesPerTable)} host bytes per live table` : "no tables";
    out.push(`  ${r.reclaim.padEnd(11)} ${head}, peak RSS ${gb(r.peakRss)}, ${bpt}`);
    for (const p of r.points) {
      out.push(`    ${p.t.toFixed(1).padStart(7)} s  ${p.line}  (${p.tables} tables; RSS ${gb(p.rss)}: JS heap ${gb(p.heapUsed)}, typed arrays ${gb(p.arrayBuffers)} of which frames ${gb(p.frames)})`);
    }
  }
  return out.join("\n") + "\n";
}
