import { describe, expect, it } from "vitest";
import { REGISTRY } from "./plugins.js";
import { mmsim } from "./testing.js";

describe("argument parsing", () => {
  it.each([
    [["run", "seed-small", "--frobnicate"], "error: unknown option '--frobnicate'"],
    [["compare", "seed-small", "-x"], "error: unknown option '-x'"],
    [["list", "--verbose"], "error: unknown option '--verbose'"],
    [["frob"], "error: unknown command 'frob'"],
    [["run"], "error: missing required argument 'workload'"],
    [["run", "seed-small", "extra"], "error: too many arguments for 'run'"],
  ])("rejects %j with exit code 2", async (argv, message) => {
    const r = await mmsim(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
  });

  it("rejects an unknown plugin name, naming the known ones", async () => {
    const r = await mmsim(["run", "seed-small", "--reclaim", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown reclaim plugin 'nope' (known: ${["none", ...REGISTRY.map((e) => e.name)].join(", ")};`);
    expect(r.stderr).toContain("known: none, pt-reclaim, rcu-freept"); // the deprecated word freept is not offered
    expect(r.stdout).toBe("");
  });

  it("rejects an unknown plugin anywhere in compare's list", async () => {
    const r = await mmsim(["compare", "seed-small", "--reclaim", "none,pt-reclaim,bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown reclaim plugin 'bogus'");
  });

  it("rejects an empty name in compare's list", async () => {
    const r = await mmsim(["compare", "seed-small", "--reclaim", "none,,pt-reclaim"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("empty name in reclaim list");
  });

  it("rejects a bad --arch with exit code 2", async () => {
    const r = await mmsim(["run", "seed-small", "--arch", "riscv64"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'riscv64' is invalid. Allowed choices are x86_64, x86_64-la57, x86_64-pv, arm64.");
  });

  it("exits 2 with usage when no command is given", async () => {
    const r = await mmsim([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: mmsim");
  });

  it.each([[["--help"]], [["run", "--help"]], [["compare", "--help"]], [["list", "--help"]], [["help", "run"]]])(
    "%j prints help and exits 0",
    async (argv) => {
      const r = await mmsim(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: mmsim/);
      expect(r.stderr).toBe("");
    },
  );

  it("documents the options in run --help", async () => {
    const r = await mmsim(["run", "--help"]);
    expect(r.stdout).toContain("--reclaim <name|path>");
    expect(r.stdout).toContain("--arch <arch>");
    expect(r.stdout).toContain('"x86_64-la57"');
    expect(r.stdout).toContain("--json");
  });

  it("prints the version", async () => {
    const r = await mmsim(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
