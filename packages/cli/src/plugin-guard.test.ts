/**
 * A plugin hook that throws is the plugin's error: `run` names the plugin, the
 * hook, its message and its own stack frame (never "internal error");
 * `compare` keeps the results of the plugins that finished and marks the one that
 * failed; `replay` reports the simulation errors per plugin and exits 1.
 * Mutant: guardPlugin() returning the plugin unguarded fails every test here; a
 * kernel-path hook's bulk twin (its `sync`) left unguarded fails the twin's `run`
 * test (an internal error), and dropped, the "keeps the bulk twin" test.
 */
import type { ReclaimPlugin } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { guardPlugin, PluginHookError, pluginFrame } from "./plugin-guard.js";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mmsim, tempDir } from "./testing.js";

/** A plugin module whose `hook` throws "boom <hook>" (line 6 of the file). */
const throwing = (hook: "reclaim_pt_is_enabled" | "zap_pte_range_end") => `export default {
  specificationVersion: "v1", name: "thrower", version: "0", models: "test", supports: { madv_dontneed: true },
  reclaim_pt_is_enabled: ${hook === "reclaim_pt_is_enabled" ? "boom" : "() => true"},
  ${hook === "zap_pte_range_end" ? "*zap_pte_range_end() { boom(); }," : ""}
};
function boom() { throw new Error("boom"); }
`;

/** A plugin module whose zap_pte_range_end has a bulk twin (spec's BulkTwin, as core's bulk_twin() sets it) that throws "boom" (line 6). */
const throwingTwin = `const plugin = {
  specificationVersion: "v1", name: "thrower", version: "0", models: "test", supports: { madv_dontneed: true },
  reclaim_pt_is_enabled: () => true, *zap_pte_range_end() {},
};
Object.defineProperty(plugin.zap_pte_range_end, "sync", { value: function () { boom(); } });
function boom() { throw new Error("boom"); }
export default plugin;
`;

/** perf script lines as `mmsim record` writes them: a process maps 4M, touches it, drops 2M of it. */
const line = (t: number, event: string, payload: string) => `${"p".padStart(16)} 4242/4242 [000] ${(1000 + t / 1e6).toFixed(6)}: ${event.padStart(30)}: ${payload}`;
const TRACE = [
  line(1, "sched:sched_process_exec", "filename=./p pid=4242 old_pid=4242"),
  line(2, "syscalls:sys_enter_mmap", "addr: 0x00000000, len: 0x00400000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000"),
  line(3, "syscalls:sys_exit_mmap", "0x200000000000"),
  line(4, "exceptions:page_fault_user", "address=0x200000000000 ip=0x401000 error_code=0x6"),
  line(5, "syscalls:sys_enter_madvise", "start: 0x200000000000, len_in: 0x00200000, behavior: 0x00000004"),
  line(6, "syscalls:sys_exit_madvise", "0x0"),
].join("\n") + "\n";

describe("a plugin hook that throws", () => {
  it("run: the plugin's error with hook, message and the plugin's own frame (exit 1)", async () => {
    for (const hook of ["reclaim_pt_is_enabled", "zap_pte_range_end"] as const) {
      const dir = tempDir({ "p.mjs": throwing(hook) });
      const r = await mmsim(["run", "seed-small", "--reclaim", "./p.mjs"], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error: plugin 'thrower': hook ${hook} threw: boom \\(at /.*/p\\.mjs:6:\\d+\\)\\n$`));
      expect(r.stderr).not.toContain("internal error");
    }
  });

  it("run: a kernel-path hook's bulk twin that throws is the plugin's error too", async () => {
    const dir = tempDir({ "p.mjs": throwingTwin });
    const r = await mmsim(["run", "seed-small", "--reclaim", "./p.mjs"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: plugin 'thrower': hook zap_pte_range_end threw: boom \(at \/.*\/p\.mjs:6:\d+\)\n$/);
  });

  it("compare: keeps the other plugins' results and marks the failed one (exit 1; --json too)", async () => {
    const dir = tempDir({ "p.mjs": throwing("zap_pte_range_end") });
    const r = await mmsim(["compare", "seed-small", "--reclaim", "none,./p.mjs,pt-reclaim"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^VmPTE\s+0 kB\s+2060 kB \(2\.0 MB\)\s+failed\s+failed\s+0 kB\s+12 kB$/m);
    expect(r.stdout).toMatch(/\nthrower failed: plugin 'thrower': hook zap_pte_range_end threw: boom \(at .*p\.mjs:6:\d+\)\n$/);
    const j = await mmsim(["compare", "seed-small", "--json", "--reclaim", "none,./p.mjs"], dir);
    expect(j.code).toBe(1);
    const rows = JSON.parse(j.stdout) as { reclaim: string | null; error?: string }[];
    expect(rows[0].reclaim).toBeNull();
    expect(rows[1]).toEqual({ reclaim: "thrower", error: expect.stringMatching(/^plugin 'thrower': hook zap_pte_range_end threw: boom/) });
  });

  it("compare: when every plugin fails, the first one's error", async () => {
    const dir = tempDir({ "p.mjs": throwing("reclaim_pt_is_enabled") });
    const r = await mmsim(["compare", "seed-small", "--reclaim", "./p.mjs"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: plugin 'thrower': hook reclaim_pt_is_enabled threw: boom/);
  });

  it("replay: figures per plugin, the failing plugin's simulation errors, exit 1", async () => {
    const dir = tempDir({ "p.mjs": throwing("zap_pte_range_end"), "t.trace": TRACE });
    const r = await mmsim(["replay", "t.trace", "--reclaim", "none,./p.mjs"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\s+none\s+thrower$/m);
    expect(r.stdout).toContain("replay of process 4242's last image (none):");
    expect(r.stdout).toContain("replay of process 4242's last image (thrower):");
    expect(r.stdout).toMatch(/simulation errors under thrower \(1\):\n {2}line 6: plugin 'thrower': hook zap_pte_range_end threw: boom \(at .*p\.mjs:6:\d+\)\n/);
    expect(r.stderr).toMatch(/^error: thrower: 1 simulation error; first: line 6: plugin 'thrower'/m);
    const j = await mmsim(["replay", "t.trace", "--json", "--reclaim", "none,./p.mjs"], dir);
    expect(j.code).toBe(1);
    const json = JSON.parse(j.stdout) as { results: { simErrors: { total: number }; summary: { simErrors: number } }[] };
    expect(json.results.map((x) => x.simErrors.total)).toEqual([0, 1]);
    expect(json.results.map((x) => x.summary.simErrors)).toEqual([0, 1]);
    const ok = await mmsim(["replay", "t.trace", "--reclaim", "none,pt-reclaim"], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("replay of process 4242's last image:\n");
  });
});

describe("a plugin hook that throws, judged by the kit (explore, fuzz, conformance)", () => {
  // A kernel BUG there (the explorer classifies the throw and shrinks the schedule),
  // but the detail names the plugin, the hook and the plugin's line, as run's error does.
  // Mutant: fromExports() creating the plugin without guardPlugin(…, true) fails all three.
  it("explore: the kernel BUG's detail names plugin, hook and line; the replay line reproduces it", async () => {
    const dir = tempDir({ "p.mjs": throwing("zap_pte_range_end") });
    const r = await mmsim(["explore", "fault-vs-dontneed", "--reclaim", "./p.mjs"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/VIOLATION: kernel BUG\n {2}plugin 'thrower': hook zap_pte_range_end threw: boom \(at \/.*\/p\.mjs:6:\d+\)\n/);
    const replay = /replay: mmsim (explore .*)\n/.exec(r.stdout)![1].split(" ");
    const again = await mmsim(replay, dir);
    expect(again.code).toBe(1);
    expect(again.stdout.slice(again.stdout.indexOf("VIOLATION"))).toBe(r.stdout.slice(r.stdout.indexOf("VIOLATION")).replace(/found after \d+ execution/, "found after 1 execution"));
  });

  it("fuzz and conformance: the same detail", async () => {
    const dir = tempDir({ "p.mjs": throwing("zap_pte_range_end") });
    const f = await mmsim(["fuzz", "./p.mjs", "--ops", "200"], dir);
    expect(f.code).toBe(1);
    expect(f.stdout).toMatch(/kernel BUG: plugin 'thrower': hook zap_pte_range_end threw: boom \(at \/.*\/p\.mjs:6:\d+\)\n/);
    const c = await mmsim(["conformance", "./p.mjs", "--budget", "1", "--fuzz-runs", "1"], dir);
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/plugin 'thrower': hook zap_pte_range_end threw: boom \(at \/.*\/p\.mjs:6:\d+\)/);
    expect(c.stdout + c.stderr).not.toContain("internal error");
  });

  it("a kernel verdict raised in a kernel function the hook called (branded) passes unchanged", async () => {
    // spin_unlock of a lock the hook no longer holds: the lock rule, not the plugin's "threw".
    const k = await import("@mmsim/core/kernel");
    const { explore } = await import("@mmsim/core/check");
    const { SCENARIOS } = await import("@mmsim/conformance");
    const { x86_64 } = await import("@mmsim/arch-x86_64");
    const plugin = {
      specificationVersion: "v1",
      name: "unlocker",
      version: "0",
      models: "test",
      supports: { madv_dontneed: true },
      reclaim_pt_is_enabled: (kk: { arch: { PMD_SIZE: number } }, s: number, e: number, d: { reclaim_pt: boolean } | null) => d !== null && d.reclaim_pt && e - s >= kk.arch.PMD_SIZE,
      *zap_pte_range_end(t: never, _tlb: never, _mm: never, pmdp: never) {
        const l = yield* k.pmd_lock(t, pmdp);
        yield* k.spin_unlock(t, l);
        yield* k.spin_unlock(t, l);
      },
    } as unknown as ReclaimPlugin;
    const scenario = SCENARIOS.find((s) => s.name === "fault-vs-dontneed")!;
    const r = explore(scenario, { plugin: guardPlugin(plugin, true), arch: x86_64(), strategy: "pct", budget: 1, seed: 1 });
    expect(r.failure?.rule).toBe("lock rules");
    expect(r.failure?.detail).not.toContain("threw");
    // A plugin-error raised by a kernel function the hook called wrongly is the plugin's mistake: attributed.
    const wrongArg = {
      ...plugin,
      *zap_pte_range_end(t: { k: unknown }, _tlb: never, mm: never) {
        yield* [];
        k.pte_free(t as never, mm, 1);
      },
    } as unknown as ReclaimPlugin;
    const r3 = explore(scenario, { plugin: guardPlugin(wrongArg, true), arch: x86_64(), strategy: "pct", budget: 1, seed: 1 });
    expect(r3.failure?.rule).toBe("kernel BUG");
    expect(r3.failure?.detail).toMatch(/^plugin 'unlocker': hook zap_pte_range_end threw: pte_free\(k, \.\.\.\): the first argument is the kernel \(t\.k\), got a task \(t\)/);
    // Without passKernelErrors (run's guard) the same unlock is the plugin's error, named.
    const r2 = explore(scenario, { plugin: guardPlugin(plugin), arch: x86_64(), strategy: "pct", budget: 1, seed: 1 });
    expect(r2.failure?.rule).toBe("kernel BUG");
    expect(r2.failure?.detail).toMatch(/^plugin 'unlocker': hook zap_pte_range_end threw: /);
  });
});

describe("a kernel rule a plugin breaks outside its hooks (run, compare)", () => {
  // The plugin hands its table to the gather twice: the hook returns, and the
  // gather's flush frees the table twice. Not inside a hook, so no "hook threw";
  // still the plugin's error in one line, never "internal error" and a stack.
  // Mutant: execute() rethrowing the kernel's error as it is fails both tests.
  const twice = `import { mm_dec_nr_ptes, pmd_clear, pmd_lock, pte_free_tlb, pte_offset_map_rw_nolock, pte_unmap, spin_lock_nested, spin_unlock } from "@mmsim/core/kernel";
export default {
  specificationVersion: "v1", name: "twice", version: "0", models: "test", supports: { madv_dontneed: true },
  reclaim_pt_is_enabled: (k, s, e, d) => d !== null && d.reclaim_pt && e - s >= k.arch.PMD_SIZE,
  *zap_pte_range_end(t, tlb, mm, pmdp, start) {
    const pml = yield* pmd_lock(t, pmdp);
    const m = yield* pte_offset_map_rw_nolock(t, mm, pmdp, start);
    if (m === null) return yield* spin_unlock(t, pml);
    yield* spin_lock_nested(t, m.ptl);
    yield* pte_unmap(t, m.pte);
    yield* pmd_clear(t, pmdp);
    yield* spin_unlock(t, m.ptl);
    yield* spin_unlock(t, pml);
    yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(m.pmdval), start);
    yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(m.pmdval), start);
    mm_dec_nr_ptes(mm);
  },
};
`;
  const withCore = (files: Record<string, string>): string => {
    const dir = tempDir(files);
    mkdirSync(join(dir, "node_modules", "@mmsim"), { recursive: true });
    for (const p of ["core", "spec"]) symlinkSync(fileURLToPath(new URL(`../../${p}`, import.meta.url)), join(dir, "node_modules", "@mmsim", p));
    return dir;
  };

  it("run: one line naming the plugin and the rule, exit 1", async () => {
    const dir = withCore({ "p.mjs": twice });
    const r = await mmsim(["run", "seed-small", "--reclaim", "./p.mjs"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: plugin 'twice': page-table use after free: pfn \d+ holds no page table \(a kernel rule broken outside the plugin's hooks/);
    expect(r.stderr.split("\n").length).toBe(2);
    expect(r.stderr).not.toContain("internal error");
  });

  it("compare: the other plugins' results kept, this one marked failed", async () => {
    const dir = withCore({ "p.mjs": twice });
    const r = await mmsim(["compare", "seed-small", "--reclaim", "none,./p.mjs", "--json"], dir);
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout) as { reclaim: string | null; error?: string }[];
    expect(rows[0].reclaim).toBeNull();
    expect(rows[1]).toMatchObject({ reclaim: "twice", error: expect.stringMatching(/^plugin 'twice': page-table use after free/) });
  });
});

describe("guardPlugin", () => {
  it("keeps generator hooks generators, `this` the plugin, fields readable; null stays null", () => {
    const p = {
      specificationVersion: "v1" as const,
      name: "x",
      version: "0",
      models: "m",
      supports: {},
      n: 1,
      reclaim_pt_is_enabled(this: { n: number }) {
        return this.n === 1;
      },
      *zap_pte_range_end() {
        yield 1;
      },
    };
    const g = guardPlugin(p as unknown as ReclaimPlugin)! as unknown as typeof p;
    expect(g.name).toBe("x");
    expect(g.reclaim_pt_is_enabled()).toBe(true);
    expect([...g.zap_pte_range_end()]).toEqual([1]);
    expect(Object.getPrototypeOf(g.zap_pte_range_end)).toBe(Object.getPrototypeOf(function* () {}));
    expect(guardPlugin(null)).toBeNull();
  });

  it("keeps a kernel-path hook's bulk twin (core then runs the twin, not the generator), guarded, with `this` the plugin", () => {
    const calls: unknown[] = [];
    const p = {
      specificationVersion: "v1" as const,
      name: "x",
      version: "0",
      models: "m",
      supports: {},
      *zap_pte_range_end() {},
      *zap_pte_range_locked() {},
    };
    Object.defineProperty(p.zap_pte_range_end, "sync", {
      value: function (this: unknown, ...args: unknown[]) {
        calls.push(this, ...args);
        return 7;
      },
    });
    Object.defineProperty(p.zap_pte_range_locked, "sync", {
      value: () => {
        throw new Error("twin");
      },
    });
    const g = guardPlugin(p as unknown as ReclaimPlugin)! as unknown as Record<string, { sync?: (...args: unknown[]) => unknown }>;
    expect(g.zap_pte_range_end.sync!(1, 2)).toBe(7);
    expect(calls).toEqual([p, 1, 2]);
    expect(Object.keys(g.zap_pte_range_end)).toEqual([]); // not enumerable, as bulk_twin() defines it
    expect(() => g.zap_pte_range_locked.sync!()).toThrow(PluginHookError);
    expect(() => g.zap_pte_range_locked.sync!()).toThrow("plugin 'x': hook zap_pte_range_locked threw: twin");
  });

  it("an error already attributed to a plugin is not wrapped twice", () => {
    const inner = new PluginHookError("x", "pte_offset_map", new Error("inner"));
    const p = { specificationVersion: "v1" as const, name: "y", version: "0", models: "m", supports: {}, attach: () => { throw inner; } };
    expect(() => (guardPlugin(p) as unknown as typeof p).attach()).toThrow(inner);
  });

  it("pluginFrame skips mmsim's own frames and node's", () => {
    const e = new Error("x");
    e.stack = "Error: x\n    at f (node:internal/x:1:2)\n    at g (/w/packages/core/dist/a.js:3:4)\n    at h (/tmp/p.mjs:5:6)";
    expect(pluginFrame(e)).toBe("/tmp/p.mjs:5:6");
    expect(pluginFrame("not an error")).toBeNull();
  });
});

describe("a hook returning what its contract does not allow (a plugin from a module)", () => {
  // pte_offset_map returning { pte: "x" } used to end as "page-table use after free: pfn NaN
  // holds no page table (a kernel rule broken outside the plugin's hooks ...)", blaming
  // nothing the author wrote. Mutant: RESULTS emptied (or the check after the hook removed)
  // gives that message again; PluginResultError wrapped by the outer guard reads "hook
  // pte_offset_map threw: plugin ...".
  const wrong = (ret: string) => `export default {
  specificationVersion: "v1", name: "wrong", version: "0", models: "test", supports: { madv_dontneed: true },
  *pte_offset_map(t, pmdp, addr, kind) { return ${ret}; },
};
`;
  it("run: one line naming the plugin, the hook, what it returned and what it must return (exit 1)", async () => {
    for (const [ret, shown] of [
      ['{ pte: "x" }', '{"pte":"x"}'],
      ["undefined", "undefined"],
      ["7", "7"],
    ]) {
      const r = await mmsim(["run", "seed-small", "--reclaim", "./p.mjs"], tempDir({ "p.mjs": wrong(ret) }));
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: plugin 'wrong': hook pte_offset_map returned ${shown}, not a PteMapping { pte, pmdval } or null\n`);
    }
  });

  it("fuzz: the kernel BUG names the hook and the result", async () => {
    const r = await mmsim(["fuzz", "./p.mjs", "--ops", "100"], tempDir({ "p.mjs": wrong('{ pte: "x" }') }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`kernel BUG: plugin 'wrong': hook pte_offset_map returned {"pte":"x"}, not a PteMapping { pte, pmdval } or null`);
  });
});
