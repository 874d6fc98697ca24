/**
 * TlbEntries (tlb/entries.ts): the Map operations in absolute VPNs, keyed inside
 * relative to the scenarios' base; the sanitizer's page-free check finds a stale
 * translation through vpn_of().
 */
import { describe, expect, it } from "vitest";
import { TlbEntries } from "./entries.js";

const BASE_VPN = 0x200000000000 / 4096;

describe("TlbEntries", () => {
  it("behaves as a Map of absolute VPNs, in insertion order, below and above the base", () => {
    const e = new TlbEntries();
    const m = new Map<number, number>();
    const ops: [string, number, number][] = [
      ["set", BASE_VPN + 5, 50],
      ["set", 7, 70],
      ["set", BASE_VPN * 4 + 1, 11],
      ["set", BASE_VPN + 5, 51],
      ["delete", 7, 0],
      ["set", 7, 71],
      ["set", BASE_VPN - 1, 9],
    ];
    for (const [op, vpn, pfn] of ops) {
      if (op === "set") {
        e.set(vpn, pfn);
        m.set(vpn, pfn);
      } else expect(e.delete(vpn)).toBe(m.delete(vpn));
      expect([...e]).toEqual([...m]);
      expect(e.size).toBe(m.size);
    }
    expect(e.get(BASE_VPN + 5)).toBe(51);
    expect(e.has(7)).toBe(true);
    expect(e.has(8)).toBe(false);
    expect(e.vpn_of(71)).toBe(7);
    expect(e.vpn_of(9)).toBe(BASE_VPN - 1);
    expect(e.vpn_of(50)).toBe(-1);
    e.set(BASE_VPN + 9, 71); // a second translation to the same page: the oldest is reported
    expect(e.vpn_of(71)).toBe(7);
    e.clear();
    expect([...e]).toEqual([]);
    expect(e.vpn_of(71)).toBe(-1);
    e.set(BASE_VPN, 3); // the bounds start again after a clear
    expect(e.vpn_of(3)).toBe(BASE_VPN);
    const f = e.share();
    f.set(BASE_VPN + 1, 1000); // and a shared copy's follow its own writes
    expect([f.vpn_of(3), f.vpn_of(1000), e.vpn_of(1000)]).toEqual([BASE_VPN, BASE_VPN + 1, -1]);
  });

  it("a shared copy (the snapshot's) is copied on the first write of either side, a range flush included", () => {
    const fill = () => {
      const e = new TlbEntries();
      for (let i = 0; i < 1024; i++) e.set(BASE_VPN + i, 1000 + i);
      e.set(5, 5);
      return e;
    };
    const ref = [...fill()];
    for (const write of [
      (x: TlbEntries) => x.set(BASE_VPN + 3, 1),
      (x: TlbEntries) => x.delete(BASE_VPN + 3),
      (x: TlbEntries) => x.clear(),
      (x: TlbEntries) => x.delete_range(BASE_VPN, BASE_VPN + 512, 1),
      (x: TlbEntries) => x.delete_range(BASE_VPN, BASE_VPN + 1024, 512),
    ]) {
      const a = fill();
      const b = a.share();
      const c = b.share();
      write(b);
      expect([...a]).toEqual(ref);
      expect([...c]).toEqual(ref);
      // The same as the write on a map of its own.
      const own = fill();
      write(own);
      expect([...b]).toEqual([...own]);
      write(a);
      expect([...a]).toEqual([...own]);
      expect([...c]).toEqual(ref);
    }
    const r = fill();
    r.delete_range(BASE_VPN + 2, BASE_VPN + 700, 3);
    expect([...r]).toEqual(ref.filter(([v]) => v < BASE_VPN + 2 || v >= BASE_VPN + 700 || (v - BASE_VPN - 2) % 3 !== 0));
    const s = fill().share();
    s.delete_range(BASE_VPN + 2, BASE_VPN + 700, 3);
    expect([...s]).toEqual([...r]);
  });
});
