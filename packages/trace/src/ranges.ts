/** Address ranges [start, end) as pairs: the replay's bookkeeping of synthesized mappings. */
export type Range = [number, number];

export const PAGE = 4096;
export const PMD = 2 * 1024 * 1024;
export const pageUp = (x: number) => Math.ceil(x / PAGE) * PAGE;
export const pageDown = (x: number) => Math.floor(x / PAGE) * PAGE;
export const hex = (x: number) => "0x" + x.toString(16);

/** The parts of `r` outside every range of `minus` (sorted, disjoint). */
export function subtract(r: Range, minus: readonly Range[]): Range[] {
  let parts: Range[] = [r];
  for (const [ms, me] of minus) {
    parts = parts.flatMap(([s, e]): Range[] => {
      if (me <= s || ms >= e) return [[s, e]];
      const out: Range[] = [];
      if (s < ms) out.push([s, ms]);
      if (me < e) out.push([me, e]);
      return out;
    });
  }
  return parts;
}

/** Sorted, with overlapping or touching ranges joined. */
export function mergeRanges(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const [s, e] of ranges.sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
