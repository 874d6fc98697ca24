import { describe, expect, it } from "vitest";
import { Oracle, OracleViolation } from "./oracle.js";

describe("user-data oracle", () => {
  it("a read returns the last completed write", () => {
    const o = new Oracle();
    const w = o.begin(0x1000, "write", "A");
    o.end(w, w.value);
    const r = o.begin(0x1000, "read", "A");
    expect(() => o.end(r, w.value)).not.toThrow();
    const r2 = o.begin(0x1000, "read", "A");
    expect(() => o.end(r2, 0)).toThrow(OracleViolation); // the mutant: a lost write reads zero
  });

  it("after MADV_DONTNEED a read returns zero, not the old value", () => {
    const o = new Oracle();
    const w = o.begin(0x1000, "write", "A");
    o.end(w, w.value);
    const d = o.begin_range(0x1000, 4096, "dontneed", "B");
    o.end_range(d);
    expect(() => o.end(o.begin(0x1000, "read", "A"), w.value)).toThrow(OracleViolation);
    expect(() => o.end(o.begin(0x1000, "read", "A"), 0)).not.toThrow();
  });

  it("a write overlapping a discard may survive it", () => {
    const o = new Oracle();
    const d = o.begin_range(0x1000, 4096, "dontneed", "A");
    const w = o.begin(0x1000, "write", "B");
    o.end(w, w.value);
    o.end_range(d);
    const r = o.begin(0x1000, "read", "B");
    expect(o.allowed(r)).toEqual(new Set([0, w.value]));
  });

  it("a range operation counts on every page it covers, open and completed, and on no other", () => {
    const o = new Oracle();
    const pages = [0, 1, 255, 511, 512].map((i) => 0x200000 + i * 4096);
    const w = new Map(pages.map((a) => [a, o.begin(a, "write", "A")]));
    for (const ev of w.values()) o.end(ev, ev.value);
    const d = o.begin_range(0x200000, 2 << 20, "dontneed", "B"); // pages 0..511, not 512
    expect(d).toHaveLength(1); // one event stands for the range
    for (const a of pages) {
      // While the discard is open, a read may see the old value or zero (page 512: only the old value).
      const r = o.begin(a, "read", "A");
      expect(o.allowed(r), `open, page 0x${a.toString(16)}`).toEqual(a < 0x400000 ? new Set([w.get(a)!.value, 0]) : new Set([w.get(a)!.value]));
      o.end(r, w.get(a)!.value);
    }
    o.end_range(d);
    for (const a of pages) {
      const r = o.begin(a, "read", "A");
      expect(o.allowed(r), `done, page 0x${a.toString(16)}`).toEqual(new Set([a < 0x400000 ? 0 : w.get(a)!.value]));
      o.end(r, a < 0x400000 ? 0 : w.get(a)!.value);
    }
  });

  it("after MADV_FREE either the old value or zero", () => {
    const o = new Oracle();
    const w = o.begin(0x1000, "write", "A");
    o.end(w, w.value);
    o.end_range(o.begin_range(0x1000, 4096, "free", "A"));
    const r = o.begin(0x1000, "read", "A");
    expect(o.allowed(r)).toEqual(new Set([w.value, 0]));
    expect(() => o.end(r, 12345)).toThrow(OracleViolation);
  });

  it("MADV_PAGEOUT loses nothing by itself (written to swap, or kept): a read of zero after it is a lost page", () => {
    const o = new Oracle();
    const w = o.begin(0x1000, "write", "A");
    o.end(w, w.value);
    o.end_range(o.begin_range(0x1000, 4096, "pageout", "A"));
    const r = o.begin(0x1000, "read", "A");
    expect(o.allowed(r)).toEqual(new Set([w.value]));
    expect(() => o.end(r, 0)).toThrow(OracleViolation); // the mutant: a swap-in that reads a zeroed page
  });

  it("MADV_FREE then MADV_PAGEOUT: the lazily freed page may be gone (zero)", () => {
    const o = new Oracle();
    const w = o.begin(0x1000, "write", "A");
    o.end(w, w.value);
    o.end_range(o.begin_range(0x1000, 4096, "free", "A"));
    o.end_range(o.begin_range(0x1000, 4096, "pageout", "A"));
    expect(o.allowed(o.begin(0x1000, "read", "A"))).toEqual(new Set([w.value, 0]));
  });

  it("a page's events come in the order they completed: its own and the ranges over it merged, across copies", () => {
    const o = new Oracle();
    const write = (x: Oracle, addr: number, who: string) => {
      const w = x.begin(addr, "write", who);
      x.end(w, w.value);
    };
    const range = (x: Oracle, addr: number, len: number, kind: string, who: string) => x.end_range(x.begin_range(addr, len, kind, who));
    write(o, 0x2000, "w1");
    range(o, 0x1000, 0x3000, "dontneed", "r1"); // pages 1..3
    write(o, 0x5000, "other");
    const snap = o.copy();
    write(snap, 0x2000, "w2");
    range(snap, 0x2000, 0x1000, "free", "r2");
    range(snap, 0x4000, 0x1000, "dontneed", "elsewhere");
    const c = snap.copy();
    write(c, 0x2000, "w3");
    range(c, 0, 0x10000, "pageout", "r3");
    write(c, 0x2000, "w4");
    const events = (x: Oracle, page: number) => (x as unknown as { events(p: number): { who: string }[] }).events(page).map((e) => e.who);
    expect(events(c, 2)).toEqual(["w1", "r1", "w2", "r2", "w3", "r3", "w4"]);
    expect(events(snap, 2)).toEqual(["w1", "r1", "w2", "r2"]);
    expect(events(o, 2)).toEqual(["w1", "r1"]);
    expect(events(c, 3)).toEqual(["r1", "r3"]);
    expect(events(c, 4)).toEqual(["elsewhere", "r3"]);
    expect(events(c, 6)).toEqual(["r3"]);
  });

  it("copies share the pages recorded before the copy and see none recorded after it, by the original or a sibling", () => {
    const o = new Oracle();
    const w1 = o.begin(0x1000, "write", "setup");
    o.end(w1, w1.value);
    const snap = o.copy(); // the explorer's post-setup snapshot
    const w2 = o.begin(0x1000, "write", "A"); // the original goes on
    o.end(w2, w2.value);
    const a = snap.copy(); // two restores of the snapshot
    const b = snap.copy();
    const d = a.begin_range(0x1000, 4096, "dontneed", "A");
    a.end_range(d);
    const wb = b.begin(0x2000, "write", "B");
    b.end(wb, wb.value);
    const c = b.copy(); // a copy of a copy with records of its own
    expect(o.allowed(o.begin(0x1000, "read", "X"))).toEqual(new Set([w2.value]));
    expect(snap.allowed(snap.begin(0x1000, "read", "X"))).toEqual(new Set([w1.value]));
    expect(a.allowed(a.begin(0x1000, "read", "X"))).toEqual(new Set([0]));
    expect(b.allowed(b.begin(0x1000, "read", "X"))).toEqual(new Set([w1.value]));
    expect(snap.allowed(snap.begin(0x2000, "read", "X"))).toEqual(new Set([0]));
    expect(c.allowed(c.begin(0x2000, "read", "X"))).toEqual(new Set([wb.value]));
    expect(c.allowed(c.begin(0x1000, "read", "X"))).toEqual(new Set([w1.value]));
  });
});
