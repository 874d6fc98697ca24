/**
 * mmap()'s address hint per arch: x86's arch_get_unmapped_area_topdown() rounds
 * the hint down and refuses one that straddles DEFAULT_MAP_WINDOW (2^47 - 4096);
 * arm64 has no arch version and uses mm/mmap.c's generic_get_unmapped_area_topdown(),
 * which rounds the hint up (PAGE_ALIGN) and honours it anywhere below TASK_SIZE
 * (2^48) where it fits. The x86 rows are what Linux 6.18 returned on x86_64.
 */
import { arm64 } from "@mmsim/arch-arm64";
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import { arch } from "../test/arch.js";
import { MAP_ANONYMOUS, MAP_PRIVATE } from "./mmap.js";

const A = MAP_ANONYMOUS | MAP_PRIVATE;

describe("mmap hint placement", () => {
  it("x86_64: rounds the hint down; a hint straddling DEFAULT_MAP_WINDOW goes top-down", () => {
    const p = new Engine({ arch }).spawn();
    expect(p.mmap(0x20000801, 4096, 3, A)).toBe(0x20000000);
    expect(p.mmap(2 ** 47 - 8192, 8192, 3, A)).toBe(0x7ffff7fff000 - 8192);
  });

  it("arm64: rounds the hint up and honours it anywhere below TASK_SIZE", () => {
    const a = arm64();
    expect(a.generic_unmapped_area_topdown).toBe(true);
    const p = new Engine({ arch: a }).spawn();
    expect(p.mmap(0x20000801, 4096, 3, A)).toBe(0x20001000);
    expect(p.mmap(2 ** 47 - 4096, 8192, 3, A)).toBe(2 ** 47 - 4096); // across 2^47: not a window on arm64
    expect(p.mmap(2 ** 48 - 8192, 8192, 3, A)).toBe(2 ** 48 - 8192); // ends at TASK_SIZE
    const top = p.mmap(2 ** 48 - 4096, 8192, 3, A); // would pass TASK_SIZE: top-down
    expect(top).toBeLessThan(a.DEFAULT_MMAP_BASE);
  });
});
