import { describe, expect, it } from "vitest";
import { inShard, nextInShard, parseShard, shardItems, type Shard } from "./shard.js";

/** Every item 0..total-1 is in exactly one of the n shards; the items of each shard are listed in order by nextInShard. */
function partitionProblems(n: number, total: number, member: (k: number, s: Shard) => boolean): string[] {
  const problems: string[] = [];
  for (let k = 0; k < total; k++) {
    const owners = Array.from({ length: n }, (_, i) => ({ index: i + 1, count: n })).filter((s) => member(k, s));
    if (owners.length !== 1) problems.push(`item ${k} of ${total} is in ${owners.length} of ${n} shards`);
  }
  return problems;
}

describe("--shard i/n", () => {
  it("parses i/n from 1, and refuses the rest with the value named", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
    expect(() => parseShard("0/4")).toThrow("--shard 0/4: i must be between 1 and 4 (shards are counted from 1)");
    expect(() => parseShard("5/4")).toThrow("i must be between 1 and 4");
    expect(() => parseShard("1/0")).toThrow("n must be between 1 and 10000");
    expect(() => parseShard("1/99999")).toThrow("n must be between 1 and 10000");
    expect(() => parseShard("a/b")).toThrow("--shard must be i/n");
    expect(() => parseShard("1-4")).toThrow("(got '1-4')");
    expect(() => parseShard("-1/4")).toThrow("--shard must be i/n");
  });

  it("splits the items into disjoint shards that together hold each item once", () => {
    for (const n of [1, 2, 3, 4, 7, 16]) for (const total of [0, 1, 5, 16, 33]) expect(partitionProblems(n, total, inShard)).toEqual([]);
    const items = Array.from({ length: 10 }, (_, k) => k);
    expect(shardItems(items, { index: 2, count: 3 })).toEqual([1, 4, 7]);
    expect(shardItems(items, undefined)).toEqual(items);
  });

  it("nextInShard steps to the shard's next item", () => {
    const s = { index: 3, count: 4 };
    const seen: number[] = [];
    for (let k = nextInShard(0, s); k < 20; k = nextInShard(k + 1, s)) seen.push(k);
    expect(seen).toEqual(shardItems(Array.from({ length: 20 }, (_, k) => k), s));
  });

  it("mutants: overlapping and gapped shards are caught", () => {
    const overlapping = (k: number, s: Shard) => k % s.count <= s.index - 1; // shard i also takes shard i-1's items
    const gapped = (k: number, s: Shard) => k % (s.count + 1) === s.index - 1; // items k ≡ n (mod n+1) are nobody's
    const offByOne = (k: number, s: Shard) => k % s.count === s.index; // counted from 0 by mistake: residue 0 is nobody's
    expect(partitionProblems(4, 16, overlapping)).toContain("item 1 of 16 is in 3 of 4 shards");
    expect(partitionProblems(4, 16, gapped)).toContain("item 4 of 16 is in 0 of 4 shards");
    expect(partitionProblems(4, 16, offByOne)).toContain("item 0 of 16 is in 0 of 4 shards");
  });
});
