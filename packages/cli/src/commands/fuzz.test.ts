/**
 * `mmsim fuzz`: the differential fuzz at scale. pt-reclaim passes with the same
 * output byte for byte; a mutant (pt-reclaim freeing the table of a partly
 * discarded slice) is caught, printed shrunk, and its replay line, pasted into a
 * POSIX shell, reproduces it; shards partition the run and merge back into the
 * unsharded result.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { mmsim, tempDir } from "../testing.js";
import { VERSION } from "../version.js";
import { describeOp, mergeFuzz, parseReplayOps, type FuzzJson, type FuzzShardPart } from "./fuzz.js";

/** The words of a command line as sh reads them (the replay line is pasted into a shell). */
function shellWords(line: string): string[] {
  const out = execFileSync("sh", ["-c", `set -- ${line}; printf '%s\\0' "$@"`], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

describe("mmsim fuzz", () => {
  it("pt-reclaim: no divergence, tables reclaimed, the same output twice; ops/s on stderr", async () => {
    const a = await mmsim(["fuzz", "pt-reclaim", "--ops", "300", "--seed", "3"]);
    const b = await mmsim(["fuzz", "pt-reclaim", "--ops", "300", "--seed", "3"]);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^mmsim fuzz: pt-reclaim .*, 300 operations, seed 3\n\d+ sequences, \d+ operations, [1-9]\d* PTE tables? reclaimed\nno divergence/);
    expect(a.stderr).toMatch(/^fuzz: \d+ operations in [\d.]+ s, \d+ ops\/s\n$/);
  });

  it("catches mutant:partial-slice; the shrunk case's replay line reproduces it when pasted", async () => {
    const r = await mmsim(["fuzz", "mutant:partial-slice", "--ops", "600", "--seed", "1"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\nDIVERGENCE in sequence \d+ \(operation \d+ of \d+: [^)]+\); shrunk to (1 operation|\d+ operations):\n/);
    const line = /\n {2}replay: (mmsim fuzz .*)\n/.exec(r.stdout)![1];
    const rule = /\n {2}op \d+: ([^:\n]+): /.exec(r.stdout)![1];
    const argv = shellWords(line);
    expect(argv.slice(0, 4)).toEqual(["mmsim", "fuzz", "mutant:partial-slice", "--replay"]);
    const again = await mmsim(argv.slice(1));
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(new RegExp(`\\n {2}op \\d+: ${rule}: `));
    expect(again.stdout).toContain(`replayed (${rule}):`);
    expect(again.stdout).toContain(`  replay: ${line}\n`);
    // The same case on the unmodified design: no divergence.
    const ok = await mmsim(["fuzz", "pt-reclaim", "--replay", argv[4]]);
    expect(ok.code, ok.stdout).toBe(0);
  });

  it("--shard i/n: the shards run disjoint sequences that add up to the run, and merge into its --json", async () => {
    const whole = await mmsim(["fuzz", "pt-reclaim", "--ops", "200", "--json"]);
    expect(whole.code).toBe(0);
    const w = JSON.parse(whole.stdout) as FuzzJson;
    const parts: FuzzShardPart[] = [];
    const files: Record<string, string> = {};
    for (const i of [1, 2, 3]) {
      const s = await mmsim(["fuzz", "pt-reclaim", "--ops", "200", "--json", "--shard", `${i}/3`]);
      expect(s.code).toBe(0);
      files[`s${i}.json`] = s.stdout;
      const env = JSON.parse(s.stdout) as { mmsim_shard: { command: string; shard: string; mmsim: string; run: Record<string, string | number> }; part: FuzzShardPart };
      expect(env.mmsim_shard).toEqual({ command: "fuzz", shard: `${i}/3`, mmsim: VERSION, run: { plugin: "pt-reclaim", arch: "x86_64", seed: 1, ops: 200 } });
      parts.push(env.part);
    }
    expect(parts.reduce((n, p) => n + p.sequences, 0)).toBe(w.sequences);
    expect(parts.reduce((n, p) => n + p.ops, 0)).toBe(w.ops);
    const merged = mergeFuzz({ plugin: "pt-reclaim", arch: "x86_64", seed: 1, ops: 200 }, parts);
    expect(JSON.stringify(merged, null, 2) + "\n").toBe(whole.stdout);
    const m = await mmsim(["merge", "s3.json", "s1.json", "s2.json"], tempDir(files));
    expect([m.code, m.stdout]).toEqual([0, whole.stdout]);
  });

  it("refuses a malformed --replay, 'none' and --replay with --shard (exit 2)", async () => {
    expect((await mmsim(["fuzz", "pt-reclaim", "--replay", "[{\"op\":\"fly\"}]"])).stderr).toMatch(/^error: --replay: operation 0: op must be/);
    expect((await mmsim(["fuzz", "pt-reclaim", "--replay", "nope"])).code).toBe(2);
    expect((await mmsim(["fuzz", "none"])).code).toBe(2);
    expect((await mmsim(["fuzz", "pt-reclaim", "--ops", "0"])).code).toBe(2);
    expect((await mmsim(["fuzz", "pt-reclaim", "--replay", "[{\"op\":\"idle\",\"ms\":1}]", "--shard", "1/2"])).code).toBe(2);
  });

  it("merging shards keeps the divergence of the lowest sequence and drops the partial reclaim count", () => {
    const div = (sequence: number) => ({ sequence, rule: "r", detail: "d", found: { length: 9, op: 1, rule: "r" }, ops: [], replay: `x${sequence}` });
    const part = (d: ReturnType<typeof div> | null, reclaimed: number): FuzzShardPart => ({ total_sequences: 9, total_ops: 90, sequences: 3, ops: 30, reclaimed, divergence: d });
    const run = { plugin: "p", arch: "x86_64", seed: 1, ops: 90 };
    expect(mergeFuzz(run, [part(div(7), 1), part(null, 2), part(div(2), 3)])).toMatchObject({ sequences: 9, ops: 90, reclaimed: null, divergence: { sequence: 2 } });
    expect(mergeFuzz(run, [part(null, 1), part(null, 2)])).toMatchObject({ reclaimed: 3, divergence: null });
  });

  it("describes and parses operations", () => {
    const ops = parseReplayOps('[{"op":"mmap","at":35184372088832,"len":16777216,"shared":false,"prot":3},{"op":"touch","at":35184372088832,"len":8192,"write":true}]');
    expect(ops.map(describeOp)).toEqual(["mmap 0x200000000000 +0x1000000 rw private", "write 0x200000000000 +0x2000"]);
    // Advice by its kernel name (a value the kernel does not know: its number).
    const madv = (arg: number) => describeOp({ op: "madvise", at: 0x200000000000, len: 0x200000, arg });
    expect([4, 8, 15, 21, 20, 22, 24, 12345].map(madv)).toEqual([
      "madvise 0x200000000000 +0x200000 MADV_DONTNEED",
      "madvise 0x200000000000 +0x200000 MADV_FREE",
      "madvise 0x200000000000 +0x200000 MADV_NOHUGEPAGE",
      "madvise 0x200000000000 +0x200000 MADV_PAGEOUT",
      "madvise 0x200000000000 +0x200000 MADV_COLD",
      "madvise 0x200000000000 +0x200000 MADV_POPULATE_READ",
      "madvise 0x200000000000 +0x200000 MADV_DONTNEED_LOCKED",
      "madvise 0x200000000000 +0x200000 advice 12345",
    ]);
  });
});
