/** validate_options(): a plugin factory's options, each key known (a typo is an error, never ignored). */
import { describe, expect, it } from "vitest";
import { isMmsimError } from "./errors.js";
import { validate_options } from "./validate.js";

function refused(opts: unknown, known: readonly string[]): string {
  try {
    validate_options("f(options)", opts, known);
  } catch (e) {
    expect(isMmsimError(e, "config-error"), String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("validate_options", () => {
  const known = ["scan_delay_ms", "scan_size_mb"];
  it("takes undefined, {} and known keys", () => {
    for (const o of [undefined, {}, { scan_delay_ms: 5 }, { scan_delay_ms: 5, scan_size_mb: undefined }]) expect(() => validate_options("f(options)", o, known)).not.toThrow();
  });
  it("refuses an unknown key with its path, the nearest known key and the list", () => {
    expect(refused({ scan_delay: 5 }, known)).toBe("f(options).scan_delay: unknown option (did you mean scan_delay_ms?); known options: scan_delay_ms, scan_size_mb");
    expect(refused({ scan_delay_ms: 5, sacn_size_mb: 1 }, known)).toBe("f(options).sacn_size_mb: unknown option (did you mean scan_size_mb?); known options: scan_delay_ms, scan_size_mb");
    expect(refused({ verbose: true }, known)).toBe("f(options).verbose: unknown option; known options: scan_delay_ms, scan_size_mb");
    expect(refused({ x: 1 }, [])).toBe("f(options).x: unknown option; known options: none");
  });
  it("refuses options that are not an object", () => {
    expect(refused(null, known)).toBe("f(options): null is not an options object (known options: scan_delay_ms, scan_size_mb)");
    expect(refused(5, known)).toBe("f(options): number is not an options object (known options: scan_delay_ms, scan_size_mb)");
    expect(refused("fast", known)).toBe("f(options): string is not an options object (known options: scan_delay_ms, scan_size_mb)");
    expect(refused([], known)).toBe("f(options): an array is not an options object (known options: scan_delay_ms, scan_size_mb)");
  });
});
