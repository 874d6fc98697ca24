/** Text formatting: sizes in kB with human units, plain left-aligned tables. */
import type { ReclaimSupports } from "@mmsim/core";

/**
 * How sizes are labelled. The values are binary (powers of 1024) either way;
 * "legacy" labels them MB, GB, TB as mmsim always has (outputs stay byte-identical),
 * "iec" labels them correctly, MiB, GiB, TiB (`--iec`). kB stays kB, as /proc prints it.
 */
export type SizeUnits = "legacy" | "iec";

const UNITS = [
  { kb: 1024 * 1024 * 1024, name: "TB", iec: "TiB" },
  { kb: 1024 * 1024, name: "GB", iec: "GiB" },
  { kb: 1024, name: "MB", iec: "MiB" },
] as const;

/** A size in binary units with one decimal: 52428800 -> "50.0 GB" ("50.0 GiB" with iec), 2060 -> "2.0 MB", 12 -> "12 kB". */
export function humanKb(kb: number, units: SizeUnits = "legacy"): string {
  for (const u of UNITS) if (Math.abs(kb) >= u.kb) return `${(kb / u.kb).toFixed(1)} ${units === "iec" ? u.iec : u.name}`;
  return `${kb} kB`;
}

/** The exact kB value, with human units when it is 1 MB or more: "102608 kB (100.2 MB)" ("(100.2 MiB)" with iec). */
export function formatKb(kb: number, units: SizeUnits = "legacy"): string {
  return Math.abs(kb) >= 1024 ? `${kb} kB (${humanKb(kb, units)})` : `${kb} kB`;
}

/** Bytes as MB with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/** Rows of cells as left-aligned columns separated by `gap` spaces; no trailing spaces. */
export function renderTable(rows: readonly (readonly string[])[], gap = 2): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + gap)))
      .join("")
      .trimEnd();
  return rows.map(line).join("\n") + "\n";
}

/** A plugin's supports as words: true flags by name, other values as name=value. */
export function formatSupports(s: ReclaimSupports): string {
  const words = Object.entries(s)
    .filter(([, v]) => v !== false && v !== undefined)
    .map(([k, v]) => (v === true ? k : `${k}=${String(v)}`));
  return words.length ? words.join(", ") : "(nothing)";
}

/** `n word`, the word in its plural for any n but 1: "1 execution", "0 executions", "2 operations". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
