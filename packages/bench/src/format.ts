/**
 * Text formatting for the report: sizes in kB with human units, plain
 * left-aligned tables. The same rules as @mmsim/cli's format.ts (which does not
 * export them), so the bench's table reads like `mmsim compare`.
 */
const UNITS = [
  { kb: 1024 * 1024 * 1024, name: "TB" },
  { kb: 1024 * 1024, name: "GB" },
  { kb: 1024, name: "MB" },
] as const;

/** A size in binary units with one decimal: 52428800 -> "50.0 GB", 2060 -> "2.0 MB", 12 -> "12 kB". */
export function humanKb(kb: number): string {
  for (const u of UNITS) if (Math.abs(kb) >= u.kb) return `${(kb / u.kb).toFixed(1)} ${u.name}`;
  return `${kb} kB`;
}

/** The exact kB value, with human units when it is 1 MB or more: "102608 kB (100.2 MB)". */
export function formatKb(kb: number): string {
  return Math.abs(kb) >= 1024 ? `${kb} kB (${humanKb(kb)})` : `${kb} kB`;
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
