import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAP_WINDOW,
  DEFAULT_MMAP_BASE,
  LAYOUT_4LEVEL,
  LAYOUT_5LEVEL,
  mmap_base,
  PMD_SHIFT,
  PUD_SHIFT,
  SIZE_128M,
  STACK_GUARD_GAP,
  tlb_single_page_flush_ceiling,
} from "./layout.js";

describe("layouts", () => {
  it("4-level: PGDIR_SHIFT 39, p4d folded, TASK_SIZE 2^47 - 4096", () => {
    expect(LAYOUT_4LEVEL).toEqual({
      levels: 4,
      PGDIR_SHIFT: 39,
      P4D_SHIFT: 39,
      PTRS_PER_P4D: 1,
      PTRS_PER_PGD: 512,
      TASK_SIZE: 0x7ffffffff000,
      p4d_folded: true,
    });
  });

  it("5-level (LA57): PGDIR_SHIFT 48, P4D_SHIFT 39, TASK_SIZE 2^56 - 4096", () => {
    expect(LAYOUT_5LEVEL).toEqual({
      levels: 5,
      PGDIR_SHIFT: 48,
      P4D_SHIFT: 39,
      PTRS_PER_P4D: 512,
      PTRS_PER_PGD: 512,
      TASK_SIZE: 0xfffffffffff000,
      p4d_folded: false,
    });
    expect(BigInt(LAYOUT_5LEVEL.TASK_SIZE)).toBe((1n << 56n) - 4096n);
  });

  it("shifts cover the address space: 12 + 4*9 = 48, 12 + 5*9 = 57 bits", () => {
    expect(PMD_SHIFT).toBe(21);
    expect(PUD_SHIFT).toBe(30);
    expect(2 ** (LAYOUT_4LEVEL.PGDIR_SHIFT + 9)).toBe(LAYOUT_4LEVEL.TASK_SIZE * 2 + 8192);
    expect(2 ** (LAYOUT_5LEVEL.PGDIR_SHIFT + 9)).toBe(LAYOUT_5LEVEL.TASK_SIZE * 2 + 8192);
    expect(tlb_single_page_flush_ceiling).toBe(33);
  });
});

describe("mmap_base (arch/x86/mm/mmap.c)", () => {
  it("DEFAULT_MMAP_BASE is 0x7ffff7fff000 (ASLR off, 8 MiB stack)", () => {
    expect(DEFAULT_MAP_WINDOW).toBe(0x7ffffffff000);
    expect(DEFAULT_MMAP_BASE).toBe(0x7ffff7fff000);
    expect(DEFAULT_MMAP_BASE).toBe(DEFAULT_MAP_WINDOW - SIZE_128M);
  });

  it("clamps the gap to [128 MiB, task_size / 6 * 5] and page-aligns", () => {
    const ts = DEFAULT_MAP_WINDOW;
    // gap = rlimit + guard gap once above 128 MiB
    expect(mmap_base(0, ts, 256 * 2 ** 20)).toBe(ts - 256 * 2 ** 20 - STACK_GUARD_GAP);
    // stack randomization pads the gap
    expect(mmap_base(0, ts, 256 * 2 ** 20, 2 ** 34)).toBe(ts - 256 * 2 ** 20 - STACK_GUARD_GAP - 2 ** 34);
    // a huge rlimit is clamped to task_size/6*5
    expect(mmap_base(0, ts, 2 ** 60)).toBe(Math.ceil((ts - Math.floor(ts / 6) * 5) / 4096) * 4096);
    // rnd is subtracted, result page aligned up
    expect(mmap_base(0x5000, ts, 8 * 2 ** 20)).toBe(0x7ffff7ffa000);
    expect(mmap_base(1, ts, 8 * 2 ** 20)).toBe(0x7ffff7fff000);
  });
});
