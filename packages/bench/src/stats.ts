/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The simulator's resident set size, sampled: runs are synchronous, so samples
 * are taken from the runner's progress callback and between runs.
 */
export class RssSampler {
  private max = 0;

  sample(): void {
    this.max = Math.max(this.max, process.memoryUsage.rss());
  }

  /** The largest sample, in bytes. */
  get peak(): number {
    this.sample();
    return this.max;
  }
}
