import { MmsimError } from "@mmsim/spec";
import { describe, expect, test } from "vitest";
import { classify } from "./execution.js";
import { SanitizerViolation } from "./sanitizer.js";

/**
 * A second installed copy of @mmsim/spec/@mmsim/core defines its own classes:
 * same brand (Symbol.for), different prototypes. Built here by hand.
 */
function foreign(kind: string, message: string, extra: Record<string, unknown> = {}): Error {
  const e = Object.assign(new Error(message), { kind, ...extra });
  Object.defineProperty(e, Symbol.for("mmsim.error"), { value: true });
  return e;
}

describe("classify", () => {
  test("violations from this copy", () => {
    expect(classify(new SanitizerViolation("lost mapping", "pte 3"))).toEqual({ rule: "lost mapping", detail: "pte 3" });
    expect(classify(new MmsimError("deadlock", "stuck")).rule).toBe("deadlock");
    expect(classify(new Error("double free of pfn 3")).rule).toBe("double free");
    expect(classify(new Error("x")).rule).toBe("kernel BUG");
  });

  test("violations from another copy of core are recognised by their brand, not instanceof", () => {
    const cases: [Error, string][] = [
      [foreign("sanitizer-violation", "tlb: stale", { rule: "stale TLB", detail: "cpu1" }), "stale TLB"],
      [foreign("page-table-use-after-free", "pfn 9"), "page-table use after free"],
      [foreign("oracle-violation", "lost"), "user data"],
      [foreign("deadlock", "stuck"), "deadlock"],
      [foreign("lock-error", "unlock"), "lock rules"],
    ];
    for (const [e, rule] of cases) {
      expect(e instanceof MmsimError).toBe(false);
      expect(classify(e).rule).toBe(rule);
    }
    expect(classify(cases[0][0]).detail).toBe("cpu1");
  });

  test("an unbranded error with a kind field is not a violation", () => {
    expect(classify(Object.assign(new Error("boom"), { kind: "deadlock" })).rule).toBe("kernel BUG");
  });
});
