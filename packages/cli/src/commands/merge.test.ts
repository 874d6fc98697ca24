/**
 * --shard i/n and `mmsim merge`: the shards of a campaign, merged, print what
 * the unsharded run prints, byte for byte, with its exit code; mismatched or
 * incomplete campaigns are refused naming the file and the field.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mergeExplore, type ExploreShardPart } from "../explore-shard.js";
import { mmsim, tempDir, type Result } from "../testing.js";

/** Runs `argv --shard i/n --json` for every i, writes each result to s<i>.json in `dir`, merges them. */
async function shardedThenMerged(argv: string[], n: number, dir: string): Promise<{ shards: Result[]; merged: Result }> {
  const shards: Result[] = [];
  const files: string[] = [];
  // Shards in reverse order, and merge given them shuffled: order must not matter.
  for (let i = n; i >= 1; i--) {
    const r = await mmsim([...argv, "--shard", `${i}/${n}`, "--json"], dir);
    shards.push(r);
    writeFileSync(join(dir, `s${i}.json`), r.stdout);
    files.push(`s${i}.json`);
  }
  return { shards, merged: await mmsim(["merge", ...files], dir) };
}

describe("explore --shard + merge", () => {
  it("a failing campaign: the merged result is the unsharded run's, byte for byte (same exit code)", async () => {
    const dir = tempDir();
    const argv = ["explore", "fault-vs-dontneed", "--reclaim", "mutant:no-rescan", "--strategy", "random", "--budget", "60"];
    const whole = await mmsim([...argv, "--json"], dir);
    expect(whole.code).toBe(1);
    for (const n of [1, 3]) {
      const { merged } = await shardedThenMerged(argv, n, dir);
      expect(merged.stderr).toBe("");
      expect(merged.stdout).toBe(whole.stdout);
      expect(merged.code).toBe(whole.code);
    }
  }, 600_000);

  it("a passing campaign: executions add up to the budget", async () => {
    const dir = tempDir();
    const argv = ["explore", "gup-fast-vs-dontneed", "--reclaim", "pt-reclaim", "--strategy", "random", "--budget", "11", "--seed", "3"];
    const whole = await mmsim([...argv, "--json"], dir);
    expect(whole.code).toBe(0);
    const { shards, merged } = await shardedThenMerged(argv, 3, dir);
    expect(shards.map((s) => JSON.parse(s.stdout).part.executions)).toEqual([3, 4, 4]); // shards 3, 2, 1 of items 0..10
    expect(merged.stdout).toBe(whole.stdout);
    expect(merged.code).toBe(0);
  }, 600_000);

  it("mutant: overlapping shards (every shard runs every execution) are caught by merge", () => {
    const run = { scenario: "x", reclaim_name: "p", budget: 10 };
    const whole: ExploreShardPart = { executions: 10, failure: null };
    expect(() => mergeExplore(run, [whole, whole])).toThrow("shard 1/2: ran 10 executions without a failure; a budget of 10 gives that shard 5");
    const f = { found_after: 4 } as ExploreShardPart["failure"];
    expect(() => mergeExplore(run, [{ executions: 2, failure: f }, { executions: 5, failure: null }])).toThrow(
      "shard 1/2: its failure was found after 4 executions, which is not an execution of that shard",
    );
  });

  it("the text report of one shard names it", async () => {
    const r = await mmsim(["explore", "gup-fast-vs-dontneed", "--strategy", "random", "--budget", "5", "--shard", "2/2"]);
    expect(r.stdout).toBe("gup-fast-vs-dontneed with none: random, shard 2/2, 2 executions\nno rule broken\n");
  }, 600_000);
});

describe("conformance --shard + merge", () => {
  it("the merged kit report is the unsharded one, byte for byte; --coverage is not sharded", async () => {
    const dir = tempDir();
    const argv = ["conformance", "mutant:no-rescan", "--budget", "2", "--fuzz-runs", "1"];
    const whole = await mmsim([...argv, "--json"], dir);
    const { shards, merged } = await shardedThenMerged(argv, 4, dir);
    const parts = shards.map((s) => JSON.parse(s.stdout).part as { total: number; checks: { k: number }[] });
    expect(parts.flatMap((p) => p.checks.map((c) => c.k)).sort((a, b) => a - b)).toEqual(Array.from({ length: parts[0].total }, (_, k) => k));
    expect(merged.stdout).toBe(whole.stdout);
    expect(merged.code).toBe(whole.code);
    const cov = await mmsim([...argv, "--shard", "1/2", "--coverage"], dir);
    expect({ code: cov.code, first: cov.stderr.split("\n")[0] }).toEqual({ code: 2, first: "error: --coverage measures the whole kit: run it without --shard" });
  }, 600_000);
});

describe("merge refuses what is not one campaign", () => {
  const argv = ["explore", "gup-fast-vs-dontneed", "--strategy", "random", "--budget", "4", "--json"];
  it("names the field that differs, the files, duplicates and missing shards", async () => {
    const dir = tempDir();
    const put = async (name: string, extra: string[]) => writeFileSync(join(dir, name), (await mmsim([...argv, ...extra], dir)).stdout);
    await put("a1.json", ["--shard", "1/2"]);
    await put("a2.json", ["--shard", "2/2"]);
    await put("seed.json", ["--shard", "2/2", "--seed", "9"]);
    await put("pt.json", ["--shard", "2/2", "--reclaim", "pt-reclaim"]);
    await put("three.json", ["--shard", "2/3"]);
    await put("plain.json", []);
    const first = async (...files: string[]) => {
      const r = await mmsim(["merge", ...files], dir);
      return { code: r.code, first: r.stderr.split("\n")[0] };
    };
    expect(await first("a1.json", "seed.json")).toEqual({ code: 1, first: "error: a1.json and seed.json are of different runs: seed is 1 in a1.json, 9 in seed.json" });
    expect(await first("a1.json", "pt.json")).toEqual({ code: 1, first: 'error: a1.json and pt.json are of different runs: reclaim is "none" in a1.json, "pt-reclaim" in pt.json' });
    expect(await first("a1.json", "three.json")).toEqual({ code: 1, first: "error: a1.json is shard 1/2, three.json shard 2/3: different shard counts" });
    expect(await first("a1.json", "a1.json")).toEqual({ code: 1, first: "error: a1.json and a1.json are both shard 1/2" });
    expect(await first("a2.json")).toEqual({ code: 1, first: "error: shard 1/2 missing: merge needs all 2" });
    expect(await first("a1.json", "plain.json")).toEqual({ code: 1, first: "error: plain.json: not a shard's result (write one with --shard i/n --json)" });
    expect((await mmsim(["merge", "a2.json", "a1.json"], dir)).code).toBe(0);
  }, 600_000);
});
