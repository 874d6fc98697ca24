/** reclaimPmd(options): an unknown key (a typo) is a config error naming it and the known options, never ignored (the run would measure the defaults). Mutant: the factory without its validate_options() call accepts the typo. */
import { isMmsimError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { reclaimPmd } from "./index.js";

describe("reclaimPmd(options)", () => {
  it("refuses an unknown option, naming its path and the known ones", () => {
    let error: unknown = null;
    try {
      reclaimPmd({ pmd_entry_sleep: "srcu" } as never);
    } catch (e) {
      error = e;
    }
    expect(isMmsimError(error, "config-error"), String(error)).toBe(true);
    expect((error as Error).message).toBe('reclaimPmd(options).pmd_entry_sleep: unknown option (did you mean pmdEntrySleep?); known options: pmdEntrySleep, faults, name');
    expect(() => reclaimPmd(null as never)).toThrow("reclaimPmd(options): null is not an options object");
  });
  it("takes its known options", () => {
    expect(reclaimPmd({ pmdEntrySleep: "srcu" }).name).toBeTruthy();
    expect(reclaimPmd().name).toBeTruthy();
  });
});
