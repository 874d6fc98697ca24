/**
 * The kit's manifest check: every `supports` flag is compared with what the
 * plugin does. The mutants are pt-reclaim with one flag flipped (or the whole
 * manifest emptied), which the kit would otherwise trust to pick its suites.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import type { ReclaimPlugin } from "@mmsim/core";
import { CHECKS } from "./checks.js";
import { contextOf } from "./run.js";
import { MUTANTS } from "./mutants/pt_reclaim_mutants.js";

const check = CHECKS.find((c) => c.name === "the supports manifest matches what the plugin does")!;
const run = (plugin: () => ReclaimPlugin) => check.run(contextOf({ plugin, arch: x86_64() }));
const flipped = (flag: string) => (): ReclaimPlugin => {
  const p = ptReclaim();
  return { ...p, supports: { ...p.supports, [flag]: !p.supports[flag] } };
};

describe("the supports manifest check", () => {
  it("passes pt-reclaim as it is", () => {
    expect(run(ptReclaim)).toMatchObject({ ok: true });
  });

  it.each(["madv_dontneed", "madv_free", "async_scan", "rcu_table_free", "zero_page_tables"])("catches supports.%s flipped", (flag) => {
    const r = run(flipped(flag));
    expect(r.ok).toBe(false);
    expect(r.rule).toBe("supports manifest");
    expect(r.message).toContain(`supports.${flag} is`);
  });

  it("reports a plugin that frees tables but breaks VmPTE's accounting by the invariant, not as 'does not free the tables'", () => {
    // nr-ptes-not-decremented frees every table MADV_DONTNEED empties and forgets mm_dec_nr_ptes().
    const r = run(MUTANTS.find((m) => m.name === "nr-ptes-not-decremented")!.plugin);
    expect(r.ok).toBe(false);
    expect(r.rule).toBe("mm_pgtables_bytes");
    expect(r.message).not.toContain("supports.");
  });

  it("catches an emptied manifest", () => {
    const r = run(() => ({ ...ptReclaim(), supports: {} }));
    expect(r.ok).toBe(false);
    expect(r.message).toContain("supports.madv_dontneed is false but the plugin does free the tables MADV_DONTNEED empties");
  });
});
