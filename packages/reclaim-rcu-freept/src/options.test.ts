/** rcuFreept(options): an unknown key (a typo) is a config error naming it and the known options, never ignored (the run would measure the defaults). Mutant: the factory without its validate_options() call accepts the typo. */
import { isMmsimError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { rcuFreept } from "./index.js";

describe("rcuFreept(options)", () => {
  it("refuses an unknown option, naming its path and the known ones", () => {
    let error: unknown = null;
    try {
      rcuFreept({ scan_delay: 5 } as never);
    } catch (e) {
      error = e;
    }
    expect(isMmsimError(error, "config-error"), String(error)).toBe(true);
    expect((error as Error).message).toBe('rcuFreept(options).scan_delay: unknown option (did you mean scan_delay_ms?); known options: scan_delay_ms, scan_size_mb');
    expect(() => rcuFreept(null as never)).toThrow("rcuFreept(options): null is not an options object");
  });
  it("takes its known options", () => {
    expect(rcuFreept({ scan_delay_ms: 50, scan_size_mb: 64 }).name).toBeTruthy();
    expect(rcuFreept().name).toBeTruthy();
  });
});
