/**
 * Overcommit accounting (mm/overcommit.ts): the three vm.overcommit_memory modes
 * as mm/util.c decides them, MAP_NORESERVE, and Committed_AS kept equal to what
 * is charged through mmap, munmap, mprotect, mremap, brk, fork, shared memory and
 * exit (check_committed_as, shown to catch a kernel that forgets to uncharge or
 * to charge).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check_committed_as } from "../check/invariants.js";
import { Engine, type EngineOptions, type Process } from "../engine.js";
import { G, K, M, RW, SLOT, mmapFixed } from "../test/helpers.js";
import { ENOMEM } from "./errno.js";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_NORESERVE, MAP_PRIVATE, PROT_READ } from "./mmap.js";
import { MREMAP_DONTUNMAP, MREMAP_MAYMOVE } from "./mremap.js";
import { vm_commit_limit } from "./overcommit.js";

const arch = x86_64();
const T = 1024 * G;
const engine = (o: Partial<EngineOptions> = {}) => new Engine({ arch, ram_bytes: 16 * G, ...o });
const committed = (p: Process) => p.k.vm_commit.committed_as;
const balanced = (p: Process) => expect(check_committed_as(p.k)).toEqual([]);
const pages = (bytes: number) => bytes / 4096;

describe("vm.overcommit_memory=0 (OVERCOMMIT_GUESS, the default)", () => {
  it("refuses one request larger than RAM + swap, accepts any number of smaller ones, and MAP_NORESERVE is not charged", () => {
    const p = engine().spawn();
    expect(mmapFixed(p, SLOT, 17 * G)).toBe(-ENOMEM);
    expect(committed(p)).toBe(0);
    for (let i = 0; i < 4; i++) expect(mmapFixed(p, SLOT + i * 16 * G, 16 * G)).toBe(SLOT + i * 16 * G);
    expect(committed(p)).toBe(pages(64 * G)); // heuristic: only each request is checked
    expect(p.mmap(SLOT + T, 55 * T, RW, MAP_ANONYMOUS | MAP_PRIVATE | MAP_NORESERVE | MAP_FIXED)).toBe(SLOT + T);
    expect(committed(p)).toBe(pages(64 * G));
    expect(mmapFixed(p, SLOT + 60 * T, 64 * G, { prot: PROT_READ })).toBeGreaterThan(0); // not writable: not accountable
    balanced(p);
  });

  it("swap raises the limit by its pages", () => {
    const p = engine({ swap_bytes: 2 * G }).spawn();
    expect(mmapFixed(p, SLOT, 18 * G - 4096)).toBe(SLOT); // the swap file's first page is its header
    expect(mmapFixed(p, SLOT + T, 18 * G)).toBe(-ENOMEM);
  });
});

describe("vm.overcommit_memory=1 (OVERCOMMIT_ALWAYS)", () => {
  it("accepts a 55 TiB private writable mapping without MAP_NORESERVE, and still counts it", () => {
    const p = engine({ overcommit_memory: 1 }).spawn();
    expect(mmapFixed(p, SLOT, 55 * T)).toBe(SLOT);
    expect(committed(p)).toBe(pages(55 * T));
    balanced(p);
  });
});

describe("vm.overcommit_memory=2 (OVERCOMMIT_NEVER)", () => {
  it("CommitLimit is RAM × overcommit_ratio % + swap, or overcommit_kbytes + swap", () => {
    expect(vm_commit_limit(engine({ overcommit_memory: 2 }).k.vm_commit)).toBe(pages(8 * G));
    expect(vm_commit_limit(engine({ overcommit_memory: 2, overcommit_ratio: 100, swap_bytes: G }).k.vm_commit)).toBe(pages(17 * G) - 1); // one swap page is the header
    expect(vm_commit_limit(engine({ overcommit_memory: 2, overcommit_kbytes: 1024 * 1024 }).k.vm_commit)).toBe(pages(G));
  });

  it("refuses the charge that reaches CommitLimit less the mm's reserve (min(total_vm / 32, 128 MiB)); MAP_NORESERVE is ignored", () => {
    const p = engine({ overcommit_memory: 2 }).spawn();
    expect(mmapFixed(p, SLOT, 4 * G)).toBe(SLOT);
    // total_vm is now 1 Mi pages: the reserve is min(32 Ki pages, 32 Ki pages) = 128 MiB.
    const room = pages(8 * G) - committed(p) - pages(128 * M);
    expect(p.mmap(SLOT + T, (room + 1) * 4096, RW, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE)).toBe(-ENOMEM);
    expect(mmapFixed(p, SLOT + T, room * 4096)).toBe(-ENOMEM); // Committed_AS must stay below the limit
    expect(mmapFixed(p, SLOT + T, (room - 1) * 4096)).toBe(SLOT + T);
    balanced(p);
  });

  it("MAP_FIXED over a charged mapping charges only what it adds", () => {
    const p = engine({ overcommit_memory: 2 }).spawn();
    expect(mmapFixed(p, SLOT, 7 * G)).toBe(SLOT);
    expect(p.mmap(SLOT, 7 * G, RW, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED)).toBe(SLOT); // replaces it: net 0
    expect(committed(p)).toBe(pages(7 * G));
    expect(p.mmap(SLOT + 6 * G, 2 * G, RW, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED)).toBe(-ENOMEM); // net +1 GiB does not fit
    expect(committed(p)).toBe(pages(7 * G));
    expect(p.status().VmSize).toBe(7 * 1024 * 1024); // a refused replacement leaves the old mapping in place
    balanced(p);
  });

  it("mprotect making memory writable, mremap growth and brk are charged; fork fails with ENOMEM when the copy does not fit", () => {
    const p = engine({ overcommit_memory: 2 }).spawn();
    expect(mmapFixed(p, SLOT, 5 * G, { prot: PROT_READ })).toBe(SLOT);
    expect(committed(p)).toBe(0);
    expect(p.mprotect(SLOT, 5 * G, RW)).toBe(0);
    expect(committed(p)).toBe(pages(5 * G));
    expect(p.mremap(SLOT, 5 * G, 8 * G, MREMAP_MAYMOVE)).toBe(-ENOMEM);
    expect(committed(p)).toBe(pages(5 * G));
    expect(() => p.fork()).toThrow(/fork\(\): ENOMEM.*overcommit_memory=2/);
    balanced(p);
    expect(p.mremap(SLOT, 5 * G, 6 * G, MREMAP_MAYMOVE)).toBeGreaterThan(0);
    expect(committed(p)).toBe(pages(6 * G));
    p.set_brk(0x555555560000);
    expect(p.brk(0x555555560000 + 2 * G)).toBe(0x555555560000); // refused: brk returns the old break
    expect(p.brk(0x555555560000 + 64 * M)).toBe(0x555555560000 + 64 * M);
    expect(committed(p)).toBe(pages(6 * G + 64 * M));
    balanced(p);
  });
});

describe("Committed_AS follows every path that maps or unmaps charged memory", () => {
  it("back to 0 after munmap, mremap (move, shrink, DONTUNMAP), fork, shared memory and exit", () => {
    const e = engine({ overcommit_memory: 1 });
    const p = e.spawn();
    mmapFixed(p, SLOT, 64 * M);
    expect(p.munmap(SLOT + 16 * M, 16 * M)).toBe(0);
    expect(committed(p)).toBe(pages(48 * M));
    const moved = p.mremap(SLOT, 16 * M, 40 * M, MREMAP_MAYMOVE);
    expect(moved).toBeGreaterThan(0);
    expect(committed(p)).toBe(pages(72 * M)); // grew by 24 MiB; the old 16 MiB passed to the new place
    expect(p.mremap(moved, 40 * M, 8 * M)).toBe(moved);
    const kept = p.mremap(SLOT + 32 * M, 8 * M, 8 * M, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
    expect(kept).toBeGreaterThan(0);
    expect(committed(p)).toBe(pages(48 * M)); // 8 (shrunk) + 32 (what the move left) + 8 (DONTUNMAP charges the new range)
    mmapFixed(p, SLOT + T, 16 * M, { shared: true });
    expect(committed(p)).toBe(pages(64 * M));
    const c = p.fork();
    expect(committed(p)).toBe(pages(112 * M)); // the child's private 48 MiB; the shared object is charged once
    balanced(p);
    c.exit();
    expect(committed(p)).toBe(pages(64 * M));
    p.exit();
    expect(committed(p)).toBe(0);
    expect(check_committed_as(e.k)).toEqual([]);
  });

  it("stays equal to what is charged over random syscall sequences in every mode (fast-check)", () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant("mmap" as const), slot: fc.nat(7), len: fc.integer({ min: 1, max: 512 }), w: fc.boolean(), shared: fc.boolean(), noreserve: fc.boolean() }),
      fc.record({ k: fc.constant("munmap" as const), slot: fc.nat(7), off: fc.nat(511), len: fc.integer({ min: 1, max: 512 }) }),
      fc.record({ k: fc.constant("mprotect" as const), slot: fc.nat(7), off: fc.nat(511), len: fc.integer({ min: 1, max: 512 }), w: fc.boolean() }),
      fc.record({ k: fc.constant("mremap" as const), slot: fc.nat(7), len: fc.integer({ min: 1, max: 512 }), to: fc.integer({ min: 1, max: 512 }), flags: fc.constantFrom(0, MREMAP_MAYMOVE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP) }),
      fc.record({ k: fc.constant("fork" as const) }),
      fc.record({ k: fc.constant("brk" as const), len: fc.integer({ min: 0, max: 512 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), fc.array(op, { maxLength: 30 }), (mode, ops) => {
        const e = new Engine({ arch, ram_bytes: 8 * M, overcommit_memory: mode as 0 | 1 | 2 });
        const p = e.spawn();
        p.set_brk(0x555555560000);
        const kids: Process[] = [];
        const at = (slot: number) => SLOT + slot * 4 * M;
        for (const o of ops) {
          if (o.k === "mmap") p.mmap(at(o.slot), o.len * 4096, o.w ? RW : PROT_READ, MAP_ANONYMOUS | MAP_FIXED | (o.shared ? 1 : MAP_PRIVATE) | (o.noreserve ? MAP_NORESERVE : 0));
          else if (o.k === "munmap") p.munmap(at(o.slot) + o.off * 4096, o.len * 4096);
          else if (o.k === "mprotect") p.mprotect(at(o.slot) + o.off * 4096, o.len * 4096, o.w ? RW : PROT_READ);
          else if (o.k === "mremap") p.mremap(at(o.slot), o.len * 4096, o.flags & MREMAP_DONTUNMAP ? o.len * 4096 : o.to * 4096, o.flags);
          else if (o.k === "brk") p.brk(0x555555560000 + o.len * 4096);
          else if (kids.length < 2) {
            try {
              kids.push(p.fork());
            } catch {
              // ENOMEM under mode 2: nothing charged
            }
          }
          expect(check_committed_as(e.k)).toEqual([]);
        }
        for (const c of kids) c.exit();
        p.exit();
        expect(e.k.vm_commit.committed_as).toBe(0);
      }),
      { seed: 4242, numRuns: 150 },
    );
  });

  it("catches a kernel that forgets to uncharge (mutant: vm_unacct_memory a no-op) and one that forgets to charge", () => {
    const forgetful = (drop: "uncharge" | "charge") => {
      const p = engine({ overcommit_memory: 1 }).spawn();
      const c = p.k.vm_commit;
      let v = 0;
      Object.defineProperty(c, "committed_as", {
        get: () => v,
        set: (n: number) => {
          if ((drop === "uncharge" && n < v) || (drop === "charge" && n > v && v > 0)) return;
          v = n;
        },
      });
      mmapFixed(p, SLOT, 8 * M);
      mmapFixed(p, SLOT + 64 * M, 8 * M);
      p.munmap(SLOT, 4 * M);
      return check_committed_as(p.k).map((x) => x.rule);
    };
    expect(forgetful("uncharge")).toEqual(["Committed_AS"]);
    expect(forgetful("charge")).toEqual(["Committed_AS"]);
  });

  it("bad settings are config errors naming the option", () => {
    expect(() => engine({ overcommit_memory: 3 as never })).toThrow(/KernelOptions.overcommit_memory: 3 is not 0, 1 or 2/);
    expect(() => engine({ overcommit_ratio: -1 })).toThrow(/KernelOptions.overcommit_ratio: -1/);
    expect(() => engine({ ram_bytes: 100 })).toThrow(/KernelOptions.ram_bytes: 100 is not a RAM size/);
    expect(new Engine({ arch, commit_limit_bytes: 8 * K * 1024 }).k.vm_commit.totalram_pages).toBe(2048); // the old name still works
  });
});
