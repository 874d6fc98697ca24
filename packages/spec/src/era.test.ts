import { describe, expect, it } from "vitest";
import { isMmsimError } from "./errors.js";
import { DEFAULT_KERNEL_ERA, KERNEL_ERAS } from "./kernel.js";
import { SPECIFICATION_VERSION } from "./plugin.js";
import { validate_plugin } from "./validate.js";

const base = () => ({ specificationVersion: SPECIFICATION_VERSION, name: "p", version: "1", models: "a design", supports: {} });

describe("ReclaimPlugin.era", () => {
  it("accepts every known era and none", () => {
    for (const era of KERNEL_ERAS) expect(validate_plugin({ ...base(), era }, "plugin.mjs").era).toBe(era);
    expect(validate_plugin(base(), "plugin.mjs").era).toBeUndefined();
    expect(DEFAULT_KERNEL_ERA).toBe("6.18");
  });

  it("refuses an unknown era with a plugin-error that names it and the known ones", () => {
    for (const era of ["5.10", 5.18, "", null]) {
      let msg = "accepted";
      try {
        validate_plugin({ ...base(), era }, "plugin.mjs");
      } catch (e) {
        expect(isMmsimError(e, "plugin-error")).toBe(true);
        msg = (e as Error).message;
      }
      expect(msg).toContain("plugin.mjs: plugin 'p': unknown kernel era");
      expect(msg).toContain(JSON.stringify(era));
      expect(msg).toContain('"5.14", "5.18", "6.10", "6.18"');
    }
  });
});
