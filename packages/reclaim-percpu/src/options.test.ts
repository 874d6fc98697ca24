/** percpu(options): an unknown key (a typo) is a config error naming it and the known options, never ignored (the run would measure the defaults). Mutant: the factory without its validate_options() call accepts the typo. */
import { isMmsimError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { percpu } from "./index.js";

describe("percpu(options)", () => {
  it("refuses an unknown option, naming its path and the known ones", () => {
    let error: unknown = null;
    try {
      percpu({ switchback: false } as never);
    } catch (e) {
      error = e;
    }
    expect(isMmsimError(error, "config-error"), String(error)).toBe(true);
    expect((error as Error).message).toBe('percpu(options).switchback: unknown option (did you mean switch_back?); known options: switch_back, patch02');
    expect(() => percpu(null as never)).toThrow("percpu(options): null is not an options object");
  });
  it("takes its known options", () => {
    expect(percpu({ switch_back: false, patch02: false }).name).toBeTruthy();
    expect(percpu().name).toBeTruthy();
  });
});
