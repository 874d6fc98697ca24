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
});
