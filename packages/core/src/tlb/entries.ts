/**
 * A CPU's cached translations, vpn → pfn (CpuTlbState.entries): a Map whose keys
 * are the VPNs relative to VPN_KEY_BASE, the scenarios' base address
 * (SCENARIO_BASE, 32 TiB) in pages. A scenario's VPNs (≥ 2^33) would be doubles
 * as Map keys; relative, they are small integers, which a Map hashes and stores
 * without boxing, and which the explorer's snapshot copies at every restore
 * about a third faster. The interface is the Map's, in absolute VPNs, in
 * insertion order. The explorer's snapshot shares the map with each of its
 * copies (share()): the first write of either copies it, and a range flush of
 * a shared map copies only what it leaves (delete_range; a 2 MiB MADV_DONTNEED
 * leaves nothing). Not a Linux structure: the model's bookkeeping.
 */
const VPN_KEY_BASE = 2 ** 33;

export class TlbEntries implements Iterable<[number, number]> {
  /** Relative VPN → PFN. */
  private m = new Map<number, number>();
  /** `m` is shared with another TlbEntries (share()): copy it before a write. */
  private cow = false;
  /** Bounds of the PFNs set since the map was last empty (or wider): vpn_of() of a PFN outside them is -1 at once. */
  private lo = Infinity;
  private hi = -Infinity;

  /** The map, this one's own from now on. */
  private own(): Map<number, number> {
    if (this.cow) {
      const m = new Map<number, number>();
      this.m.forEach((v, k) => m.set(k, v));
      this.m = m;
      this.cow = false;
    }
    return this.m;
  }

  /** A copy sharing this one's map until either of them writes (the explorer's snapshot, check/setup_snapshot.ts). */
  share(): TlbEntries {
    const c = new TlbEntries();
    c.m = this.m;
    c.cow = this.cow = true;
    c.lo = this.lo;
    c.hi = this.hi;
    return c;
  }

  get size(): number {
    return this.m.size;
  }

  get(vpn: number): number | undefined {
    return this.m.get(vpn - VPN_KEY_BASE);
  }

  has(vpn: number): boolean {
    return this.m.has(vpn - VPN_KEY_BASE);
  }

  set(vpn: number, pfn: number): this {
    this.own().set(vpn - VPN_KEY_BASE, pfn);
    if (pfn < this.lo) this.lo = pfn;
    if (pfn > this.hi) this.hi = pfn;
    return this;
  }

  delete(vpn: number): boolean {
    if (!this.m.has(vpn - VPN_KEY_BASE)) return false;
    return this.own().delete(vpn - VPN_KEY_BASE);
  }

  clear(): void {
    if (this.cow) {
      this.m = new Map();
      this.cow = false;
    } else this.m.clear();
    this.lo = Infinity;
    this.hi = -Infinity;
  }

  /** delete(vpn) for vpn = from, from + step, ... below `to` (INVLPG over a range); a shared map is copied without them. */
  delete_range(from: number, to: number, step: number): void {
    if (this.cow) {
      const m = new Map<number, number>();
      this.m.forEach((v, k) => {
        const vpn = k + VPN_KEY_BASE;
        if (vpn < from || vpn >= to || (vpn - from) % step !== 0) m.set(k, v);
      });
      this.m = m;
      this.cow = false;
      return;
    }
    for (let vpn = from; vpn < to; vpn += step) this.m.delete(vpn - VPN_KEY_BASE);
  }

  /** The VPN of the oldest translation to `pfn`, or -1 (the sanitizer's check at every page free). */
  vpn_of(pfn: number): number {
    if (pfn < this.lo || pfn > this.hi) return -1;
    for (const [k, v] of this.m) if (v === pfn) return k + VPN_KEY_BASE;
    return -1;
  }

  /** [vpn, pfn] pairs, oldest first. */
  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (const [k, v] of this.m) yield [k + VPN_KEY_BASE, v];
  }
}
