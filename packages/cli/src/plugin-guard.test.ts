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
    expect(r.stderr).toMatch(/^error: thrower: 1 simulation error\(s\); first: line 6: plugin 'thrower'/m);
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
