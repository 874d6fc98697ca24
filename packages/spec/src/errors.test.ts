import { describe, expect, it } from "vitest";
import { MmsimError, isMmsimError } from "./errors.js";

describe("MmsimError brand", () => {
  it("recognises its own errors, by kind", () => {
    const e = new MmsimError("deadlock", "t/1: spin_lock would block forever");
    expect(isMmsimError(e)).toBe(true);
    expect(isMmsimError(e, "deadlock")).toBe(true);
    expect(isMmsimError(e, "lock-error")).toBe(false);
    expect(MmsimError.isInstance(e)).toBe(true);
    expect(e.name).toBe("MmsimError");
    expect(e.message).toBe("t/1: spin_lock would block forever");
  });

  it("recognises an error from another copy of the package (same Symbol.for brand, different class)", () => {
    class OtherCopy extends Error {
      readonly kind = "sanitizer-violation";
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, Symbol.for("mmsim.error"), { value: true });
      }
    }
    const e = new OtherCopy("double free");
    expect(e instanceof MmsimError).toBe(false);
    expect(isMmsimError(e)).toBe(true);
    expect(isMmsimError(e, "sanitizer-violation")).toBe(true);
  });

  it("rejects errors without the brand", () => {
    expect(isMmsimError(new Error("x"))).toBe(false);
    expect(isMmsimError({ kind: "deadlock" })).toBe(false);
    expect(isMmsimError(null)).toBe(false);
    expect(isMmsimError("deadlock")).toBe(false);
  });

  it("subclasses keep their own name and kind", () => {
    class SanitizerViolation extends MmsimError {
      constructor(readonly rule: string) {
        super("sanitizer-violation", rule);
      }
    }
    const e = new SanitizerViolation("double free");
    expect(e.name).toBe("SanitizerViolation");
    expect(isMmsimError(e, "sanitizer-violation")).toBe(true);
  });
});
