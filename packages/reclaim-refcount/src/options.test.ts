/** refcount(options): an unknown key (a typo) is a config error naming it and the known options, never ignored (the run would measure the defaults). Mutant: the factory without its validate_options() call accepts the typo. */
import { isMmsimError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { refcount } from "./index.js";

describe("refcount(options)", () => {
  it("refuses an unknown option, naming its path and the known ones", () => {
    let error: unknown = null;
    try {
      refcount({ versoin: "v1" } as never);
    } catch (e) {
      error = e;
    }
    expect(isMmsimError(error, "config-error"), String(error)).toBe(true);
    expect((error as Error).message).toBe('refcount(options).versoin: unknown option (did you mean version?); known options: version');
    expect(() => refcount(null as never)).toThrow("refcount(options): null is not an options object");
  });
  it("takes its known options", () => {
    expect(refcount({ version: "v1" }).name).toBeTruthy();
    expect(refcount().name).toBeTruthy();
  });
});
