/**
 * The public entry points (package.json "exports") expose what they promise and
 * nothing of the model's internals: no bulk-run twin ($sync) is public, and the
 * plugin API exports no engine or checker.
 */
import { describe, expect, it } from "vitest";
import * as root from "./index.js";
import * as kernel from "./plugin/kernel.js";
import * as check from "./check/index.js";
import * as workload from "./workload/index.js";

const entries = { "@mmsim/core": root, "@mmsim/core/kernel": kernel, "@mmsim/core/check": check, "@mmsim/core/workload": workload };

describe("public entry points", () => {
  for (const [name, mod] of Object.entries(entries)) {
    // The plugin API declares the twins of its own primitives (the bulk twins a plugin's
    // derived twins call: plugin/kernel_twins.test.ts); core's internal twins stay internal.
    if (mod === kernel) {
      it(`${name} exports only the twins of its own exports`, () => {
        const keys = Object.keys(mod);
        for (const k of keys.filter((k) => k.endsWith("$sync"))) expect(keys, k).toContain(k.slice(0, -"$sync".length));
        expect(keys.filter((k) => k.endsWith("$step") || k.endsWith("$lone"))).toEqual([]);
      });
      continue;
    }
    it(`${name} exports no $sync twin`, () => {
      expect(Object.keys(mod).filter((k) => k.endsWith("$sync"))).toEqual([]);
    });
  }

  it("@mmsim/core/kernel is the plugin API only: no engine, checker or table store", () => {
    for (const forbidden of ["Engine", "Process", "Kernel", "PtStore", "explore", "check_mm", "walk_pmd", "runScript", "Sanitizer"])
      expect(Object.keys(kernel), forbidden).not.toContain(forbidden);
    for (const needed of ["pte_offset_map_rw_nolock", "pmd_lock", "pte_free_tlb", "pte_free_defer", "flush_tlb_range", "mm_dec_nr_ptes", "SPECIFICATION_VERSION", "validate_plugin"])
      expect(Object.keys(kernel), needed).toContain(needed);
  });

  it("the root is the engine-building API", () => {
    for (const needed of ["Engine", "Process", "createEngine", "MADV_DONTNEED", "MAP_ANONYMOUS", "EINVAL", "strerror", "isMmsimError"]) expect(Object.keys(root), needed).toContain(needed);
    for (const forbidden of ["explore", "Sanitizer", "zap_pte_range", "PtStore", "runScript", "pmd_lock"]) expect(Object.keys(root), forbidden).not.toContain(forbidden);
  });
});
