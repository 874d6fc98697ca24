/**
 * Host memory per live page table (issue #10 §4): a fresh simulator builds N PTE
 * tables holding one entry each (mmap N × 2 MiB noreserve, touch one page per
 * 2 MiB), in a child Node process started with --expose-gc; the growth of its
 * JS heap + array buffers, and of its RSS, divided by N. The figure includes each
 * table's one data frame and the upper-level tables above them.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine } from "@mmsim/core";
import { parseScript, runScript } from "@mmsim/core/workload";

export interface TableBytes {
  /** Live PTE tables built. */
  tables: number;
  /** (heapUsed + arrayBuffers) growth / tables. */
  heapBytesPerTable: number;
  /** RSS growth / tables. */
  rssBytesPerTable: number;
}

/** The workload: one touched page in each of `n` 2 MiB slices (one PTE table each). */
export function tableBytesScript(n: number): string {
  const size = `${n * 2}M`;
  return `ram 64T\nmmap a ${size} rw nohugepage noreserve\ntouch a 0 ${size} write 2M\n`;
}

/** In this process (started with --expose-gc): build the tables and measure. */
export function tableBytesChild(n: number): TableBytes {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const script = parseScript(tableBytesScript(n), "table-bytes.wl");
  gc();
  const m0 = process.memoryUsage();
  const engine = new Engine({ arch: x86_64(), reclaim: null });
  const p = engine.spawn();
  runScript(script, p, {});
  p.return_to_user();
  gc();
  const m1 = process.memoryUsage();
  const tables = p.mm.counters.pgfault;
  const heap = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
  const out = { tables, heapBytesPerTable: Math.round(heap / tables), rssBytesPerTable: Math.round((m1.rss - m0.rss) / tables) };
  if (engine.k.pt.nr_tables < tables) throw new Error(`table-bytes: ${engine.k.pt.nr_tables} tables for ${tables} faults`);
  return out;
}

/** Run tableBytesChild(n) in a child process (this bench's own entry, `--table-bytes-child N`). */
export function tableBytes(n: number): TableBytes {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ["--expose-gc", self, "--table-bytes-child", String(n)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`table-bytes child failed: ${r.stderr.split("\n")[0]}`);
  return JSON.parse(r.stdout) as TableBytes;
}

export function renderTableBytes(t: TableBytes): string {
  return `host bytes per live table: ${t.heapBytesPerTable} (JS heap + array buffers), ${t.rssBytesPerTable} (RSS), ${t.tables} PTE tables of one entry each\n`;
}
