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
  });
});
