/**
 * A CPU's cached translations, vpn → pfn (CpuTlbState.entries): a Map whose keys
 * are the VPNs relative to VPN_KEY_BASE, the scenarios' base address
 * (SCENARIO_BASE, 32 TiB) in pages. A scenario's VPNs (≥ 2^33) would be doubles
 * as Map keys; relative, they are small integers, which a Map hashes and stores
 * without boxing, and which the explorer's snapshot copies at every restore
 * about a third faster. The interface is the Map's, in absolute VPNs, in
 * insertion order. Not a Linux structure: the model's bookkeeping.
 */
const VPN_KEY_BASE = 2 ** 33;

export class TlbEntries implements Iterable<[number, number]> {
  /** Relative VPN → PFN. */
  readonly m = new Map<number, number>();

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
    this.m.set(vpn - VPN_KEY_BASE, pfn);
    return this;
  }

  delete(vpn: number): boolean {
    return this.m.delete(vpn - VPN_KEY_BASE);
  }

  clear(): void {
    this.m.clear();
  }

  /** The VPN of the oldest translation to `pfn`, or -1 (the sanitizer's check at every page free). */
  vpn_of(pfn: number): number {
    for (const [k, v] of this.m) if (v === pfn) return k + VPN_KEY_BASE;
    return -1;
  }

  /** [vpn, pfn] pairs, oldest first. */
  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (const [k, v] of this.m) yield [k + VPN_KEY_BASE, v];
  }
}
