import { describe, expect, it } from "vitest";
import { isMmsimError } from "./errors.js";
import { SPECIFICATION_VERSION } from "./plugin.js";
import { validate_plugin } from "./validate.js";

const base = () => ({ specificationVersion: SPECIFICATION_VERSION, name: "p", version: "1", models: "a design", supports: {} });
const err = (p: unknown) => {
  try {
    validate_plugin(p, "plugin.mjs");
  } catch (e) {
    expect(isMmsimError(e, "plugin-error")).toBe(true);
    return (e as Error).message;
  }
  return "accepted";
};

describe("validate_plugin", () => {
  it("accepts a minimal plugin and one with well-formed hooks", () => {
    expect(err(base())).toBe("accepted");
    expect(
      err({
        ...base(),
        reclaim_pt_is_enabled: () => true,
        *zap_pte_range_end() {},
        scheduler_tick() {},
      }),
    ).toBe("accepted");
  });

  it("refuses a name, version or models with a control character (a terminal escape or a line break would restyle or forge the CLI's output), shown escaped", () => {
    // Mutant: the CONTROL check removed: each is accepted, and `mmsim list` prints the escape raw.
    expect(err({ ...base(), name: "p\u001b[31mred" })).toBe(
      'plugin.mjs: reclaim plugin name "p\\u001b[31mred" contains the control character U+001B (the CLI prints the name: no terminal escapes or line breaks)',
    );
    expect(err({ ...base(), version: "1\n2" })).toBe('plugin.mjs: reclaim plugin version "1\\u000a2" contains the control character U+000A (the CLI prints the version: no terminal escapes or line breaks)');
    expect(err({ ...base(), models: "a\u009bdesign" })).toBe('plugin.mjs: reclaim plugin models "a\\u009bdesign" contains the control character U+009B (the CLI prints the models: no terminal escapes or line breaks)');
    expect(err({ ...base(), name: "p\u007f" })).toMatch(/contains the control character U\+007F/);
    expect(err({ ...base(), name: "pté-reclaim ✓", models: "a design — \"quoted\"" })).toBe("accepted");
  });

  it("names what is missing", () => {
    expect(err(null)).toBe("plugin.mjs: not a reclaim plugin (got null)");
    expect(err(42)).toBe("plugin.mjs: not a reclaim plugin (got number)");
    expect(err({ name: "x" })).toBe("plugin.mjs: not a reclaim plugin (missing version, models, supports, specificationVersion)");
  });

  it("refuses an empty name, version or models (the CLI and the kit name a plugin by them)", () => {
    expect(err({ ...base(), name: "" })).toBe("plugin.mjs: reclaim plugin with an empty name (the kit and the CLI name a plugin by them)");
    expect(err({ ...base(), version: " ", models: "" })).toBe("plugin.mjs: reclaim plugin with an empty version, models (the kit and the CLI name a plugin by them)");
  });

  it("refuses a contract version it does not implement", () => {
    expect(err({ ...base(), specificationVersion: "v0" })).toBe(`plugin.mjs: plugin 'p' implements specificationVersion "v0"; this mmsim implements "v1"`);
  });

  it("refuses a kernel-path hook that is not a generator function", () => {
    expect(err({ ...base(), zap_pte_range_end() {} })).toBe(
      "plugin.mjs: plugin 'p': hook zap_pte_range_end is a kernel path and must be a generator function (function* zap_pte_range_end(...))",
    );
    expect(err({ ...base(), task_work: () => undefined })).toContain("hook task_work is a kernel path");
  });

  it("checks a kernel-path hook's bulk twin (its sync property): a plain function, only where core calls one", () => {
    const withTwin = <F extends object>(f: F, twin: unknown): F => Object.defineProperty(f, "sync", { value: twin });
    expect(err({ ...base(), zap_pte_range_end: withTwin(function* () {}, () => undefined) })).toBe("accepted");
    expect(err({ ...base(), zap_pte_range_locked: withTwin(function* () {}, () => undefined) })).toBe("accepted");
    expect(err({ ...base(), zap_pte_range_end: withTwin(function* () {}, function* () {}) })).toBe(
      "plugin.mjs: plugin 'p': hook zap_pte_range_end's bulk twin (its sync property) must be a plain function, not a generator",
    );
    expect(err({ ...base(), zap_pte_range_end: withTwin(function* () {}, 3) })).toContain("must be a plain function, not number");
    expect(err({ ...base(), task_work: withTwin(function* () {}, () => undefined) })).toBe(
      "plugin.mjs: plugin 'p': hook task_work has a bulk twin, which core never calls (only zap_pte_range_locked, zap_pte_range_end, zap_pte_range_done have one)",
    );
  });

  it("refuses a function that is no hook when it is a generator or a near miss of a hook's name (a misspelt hook never runs)", () => {
    expect(err({ ...base(), *zap_pte_range_ends() {} })).toBe("plugin.mjs: plugin 'p': zap_pte_range_ends is not a hook core calls (did you mean zap_pte_range_end?): a generator function there never runs");
    expect(err({ ...base(), task_wrok() {} })).toBe("plugin.mjs: plugin 'p': task_wrok is not a hook core calls (did you mean task_work?): a function there never runs");
    expect(err({ ...base(), *helper() {} })).toBe("plugin.mjs: plugin 'p': helper is not a hook core calls: a generator function there never runs");
    // Other functions and data (a plugin's state, stats, a helper) stay allowed.
    expect(err({ ...base(), mm_list: () => [], stats: { freed: 0 }, state: new Map() })).toBe("accepted");
  });

  it("checks the types of the supports it knows", () => {
    expect(err({ ...base(), supports: { rcu_upper_levels: "yes" } })).toBe('plugin.mjs: plugin \'p\': supports.rcu_upper_levels must be true or false (got "yes")');
    expect(err({ ...base(), supports: { madv_dontneed: 1 } })).toBe("plugin.mjs: plugin 'p': supports.madv_dontneed must be true or false (got 1)");
    expect(err({ ...base(), supports: { walker_refcount: "rcu" } })).toBe('plugin.mjs: plugin \'p\': supports.walker_refcount must be "atomic" or "percpu" (got "rcu")');
    expect(err({ ...base(), supports: { madv_dontneed: true, walker_refcount: "percpu", custom_note: "anything" } })).toBe("accepted");
  });

  it("refuses a plain hook written as a generator or async function (its body would never run; the object returned would be taken for the result)", () => {
    expect(err({ ...base(), *reclaim_pt_is_enabled() {} })).toBe(
      "plugin.mjs: plugin 'p': hook reclaim_pt_is_enabled is a plain hook (called where the kernel cannot sleep or be preempted) and must be an ordinary function, not a generator function (function*)",
    );
    expect(err({ ...base(), async scheduler_tick() {} })).toBe(
      "plugin.mjs: plugin 'p': hook scheduler_tick is a plain hook (called where the kernel cannot sleep or be preempted) and must be an ordinary function, not an async function",
    );
    expect(err({ ...base(), async *track_pte_set() {} })).toContain("hook track_pte_set is a plain hook");
    expect(err({ ...base(), *attach() {} })).toContain("hook attach is a plain hook");
    // A kernel-path hook written async is not a generator either.
    expect(err({ ...base(), async *zap_pte_range_end() {} })).toContain("hook zap_pte_range_end is a kernel path and must be a generator function");
  });

  it("refuses a near miss of a supports flag the kit reads (the suites it selects would not run), and a bad pmd_entry_sleep", () => {
    expect(err({ ...base(), supports: { madv_dontnee: true } })).toBe("plugin.mjs: plugin 'p': supports.madv_dontnee is not a flag the kit reads (did you mean supports.madv_dontneed?)");
    expect(err({ ...base(), supports: { rcu_tablefree: true } })).toContain("did you mean supports.rcu_table_free?");
    expect(err({ ...base(), supports: { pmd_entry_sleep: "rcu" } })).toBe('plugin.mjs: plugin \'p\': supports.pmd_entry_sleep must be "srcu" or "rcu-refcount" (got "rcu")');
    expect(err({ ...base(), supports: { rcu_upper_levels: true, pmd_entry_sleep: "srcu", note: "my own", madv_dontneed_reason: "x" } })).toBe("accepted");
  });

  it("refuses a hook that is not a function", () => {
    expect(err({ ...base(), scheduler_tick: 3 })).toBe("plugin.mjs: plugin 'p': hook scheduler_tick is not a function (got number)");
  });

  it("checks madvise_advice: a value Linux does not use, VM_PLUGIN_MASK bits only", () => {
    const adv = (a: unknown) => err({ ...base(), madvise_advice: a });
    expect(adv([{ name: "pt_reclaim", behavior: 200, set: 0x01000000, clear: 0 }])).toBe("accepted");
    expect(adv([{ name: "x", behavior: 8, set: 0x01000000, clear: 0 }])).toContain("behavior 8 is one of Linux's advice values");
    expect(adv([{ name: "x", behavior: 102, set: 0, clear: 0 }])).toContain("behavior 102 is one of Linux's");
    expect(adv([{ name: "x", behavior: 200, set: 0x2000, clear: 0 }])).toContain("VM_PLUGIN_MASK");
    expect(adv([{ name: "x", behavior: 200, set: 0, clear: 0 }, { name: "y", behavior: 200, set: 0, clear: 0 }])).toContain("given twice");
    expect(adv("pt_reclaim")).toContain("must be a list");
  });

  it("accepts a shrink hook (called from shrink_node) only as a kernel path", () => {
    expect(err({ ...base(), *shrink() {} })).toBe("accepted");
    expect(err({ ...base(), shrink() {} })).toContain("hook shrink is a kernel path and must be a generator function");
  });
});
