/**
 * The kit's checks, independent of any test runner: each returns a result the
 * vitest/node:test adapter (runConformance) and the CLI (`mmsim conformance`) turn
 * into a test or a report line. The plugin's `supports` manifest selects them.
 */
import {
  Engine,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_GUARD_INSTALL,
  MADV_PAGEOUT,
  madvise_behavior_valid,
  MAP_ANONYMOUS,
  MAP_FIXED_NOREPLACE,
  MAP_PRIVATE,
  type Arch,
  type Process,
  type ReclaimPlugin,
} from "@mmsim/core";
import { check_exit, check_mm, explore, type Failure, type Scenario } from "@mmsim/core/check";
import { builtinScript, runScript } from "@mmsim/core/workload";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { runSequence } from "./differential.js";
import { opsArb } from "./fuzz.js";
import { SCENARIOS } from "./scenarios.js";

/** `n word`, the word in its plural for any n but 1 ("1 execution", "2 executions"). */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export interface CheckContext {
  /** A fresh instance of the plugin under test (the kit calls it many times). */
  plugin: () => ReclaimPlugin;
  arch: Arch;
  /** Executions per race scenario and strategy (default 150). */
  budget: number;
  /** Runs of the differential property (default 40). */
  fuzz_runs: number;
  seed: number;
  /**
   * How the plugin is named on the `mmsim` command line, for the replay lines
   * the kit prints (`--reclaim <this>`): a bundled name, `mutant:<name>` or a
   * module path. Default: the plugin's name, which loads only for a bundled plugin.
   */
  reclaim_arg?: string;
}

/**
 * Eight hex digits that change with any change to the scenario's content. A replay
 * line carries it (`--replay s1:a12b3@1a2b3c4d`), so `mmsim explore` refuses the
 * schedule against another version of the scenario instead of replaying it into
 * "no rule broken".
 */
export function scenarioFingerprint(s: Scenario): string {
  return createHash("sha256").update(JSON.stringify(s)).digest("hex").slice(0, 8);
}

/** `mmsim explore <scenario> --reclaim <plugin> [--arch <arch>] --replay <schedule>`, quoted for a POSIX shell. */
export function replayCommand(scenario: string, reclaim: string, arch: string, schedule: string): string {
  const archArg = arch === "x86_64" ? "" : ` --arch ${shellWord(arch)}`;
  return `mmsim explore ${shellWord(scenario)} --reclaim ${shellWord(reclaim)}${archArg} --replay ${shellWord(schedule)}`;
}

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

export interface CheckResult {
  ok: boolean;
  message: string;
  /**
   * Set (with ok) when the check does not apply to what the plugin models and was
   * not run: the reason, which the CLI prints on a `skip` line and counts apart from
   * the passed checks (guard regions before the 6.18 era).
   */
  skipped?: string;
  /** A replayable failure, for race checks. */
  failure?: Failure;
  /** The rule broken, when a sanitizer or invariant names one. */
  rule?: string;
}

export interface Check {
  suite: "effectiveness" | "races" | "differential" | "leaks and accounting" | "non-present entries";
  name: string;
  applies(p: ReclaimPlugin): boolean;
  run(ctx: CheckContext): CheckResult;
}

const K = 1024;
const M = 1024 * K;
const G = 1024 * M;
const SLOT = 0x200000000000;
const pass = (message: string): CheckResult => ({ ok: true, message });
const fail = (message: string, rule?: string): CheckResult => ({ ok: false, message, rule });

/**
 * Let an asynchronous design catch up: 2 s of ticks and returns to user (no-op
 * time for synchronous ones), then memory pressure: one kswapd pass (the `shrink`
 * hook's designs free from the reclaim path; issue #12), and the grace periods
 * for what it freed.
 */
function settle(p: Process): void {
  p.idle(2000);
  p.reclaim(1 * M);
  p.idle(20);
}

function proc(ctx: CheckContext, plugin: ReclaimPlugin | null): { e: Engine; p: Process } {
  const e = new Engine({ arch: ctx.arch, reclaim: plugin });
  return { e, p: e.spawn() };
}

/** Run fn; a thrown kernel error becomes a failed check naming the rule. */
function guarded(fn: () => CheckResult): CheckResult {
  try {
    return fn();
  } catch (e) {
    const err = e as Error & { rule?: string };
    return fail(`${err.name}: ${err.message}`, err.rule ?? "kernel BUG");
  }
}

function violations(e: Engine, p: Process): CheckResult | null {
  const v = check_mm(e.k, p.mm);
  return v.length ? fail(`${v[0].rule}: ${v[0].detail}`, v[0].rule) : null;
}

/** What a plugin did on one small workload: tables freed at once, after settling, and through RCU. */
interface Observed {
  sync: boolean;
  settled: boolean;
  rcu: boolean;
  /** An invariant the plugin's run broke (check_mm after settling): then VmPTE says nothing about what it freed. */
  broken: CheckResult | null;
}

/** Run `ops` on 4 MiB with the plugin and without; compare VmPTE right after and after settle(). */
function observe(ctx: CheckContext, ops: (p: Process) => void): Observed {
  const vmpte = (plugin: ReclaimPlugin | null) => {
    const { e, p } = proc(ctx, plugin);
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    ops(p);
    const now = p.status().VmPTE;
    settle(p);
    return { now, settled: p.status().VmPTE, rcu: e.k.counters.tables_freed_rcu, broken: violations(e, p) };
  };
  const base = vmpte(null);
  const got = vmpte(ctx.plugin());
  return { sync: got.now < base.now, settled: got.settled < base.settled, rcu: got.rcu > base.rcu, broken: got.broken };
}

/**
 * The kit picks its suites from `supports`: a manifest that says less than the
 * plugin does hides it from the checks meant for it, one that says more claims
 * what it does not do. Each flag is compared with what the plugin does on a
 * small workload (the effectiveness checks then measure how well).
 */
function manifestCheck(ctx: CheckContext): CheckResult {
  const p = ctx.plugin();
  const s = p.supports;
  const wrong: string[] = [];
  const expect = (flag: string, declared: boolean, does: boolean, what: string) => {
    if (declared !== does) wrong.push(`supports.${flag} is ${declared} but the plugin ${does ? "does" : "does not"} ${what}`);
  };
  const dontneed = observe(ctx, (q) => {
    q.touch(SLOT, 4 * M, true);
    q.madvise(SLOT, 4 * M, MADV_DONTNEED);
  });
  // VmPTE judges what the plugin freed only while its accounting holds: a plugin that
  // frees tables but forgets mm_dec_nr_ptes() is reported by the invariant it breaks,
  // not as "does not free the tables".
  if (dontneed.broken) return dontneed.broken;
  expect("madv_dontneed", !!s.madv_dontneed, dontneed.settled, "free the tables MADV_DONTNEED empties");
  const scans = typeof p.scheduler_tick === "function" || typeof p.task_work === "function";
  expect("async_scan", !!s.async_scan, scans && !dontneed.sync, "free them asynchronously (a scheduler_tick / task_work scanner, not within MADV_DONTNEED)");
  if (dontneed.settled) expect("rcu_table_free", !!s.rcu_table_free, dontneed.rcu, "free tables through RCU (after a grace period)");
  const free = observe(ctx, (q) => {
    q.touch(SLOT, 4 * M, true);
    q.madvise(SLOT, 4 * M, MADV_FREE);
    q.madvise(SLOT, 4 * M, MADV_PAGEOUT);
  });
  if (free.broken) return free.broken;
  expect("madv_free", !!s.madv_free, free.settled, "free the tables emptied by MADV_FREE and reclaim");
  const zero = observe(ctx, (q) => q.touch(SLOT, 4 * M, false));
  if (zero.broken) return zero.broken;
  expect("zero_page_tables", !!s.zero_page_tables, zero.settled, "free tables that map only the zero page");
  return wrong.length ? fail(wrong.join("\n"), "supports manifest") : pass("every supports flag matches");
}

const effectiveness: Check[] = [
  {
    suite: "effectiveness",
    name: "the supports manifest matches what the plugin does",
    applies: () => true,
    run: (ctx) => guarded(() => manifestCheck(ctx)),
  },
  {
    suite: "effectiveness",
    name: "MADV_DONTNEED seed loop keeps only the upper-level tables",
    applies: (p) => !!p.supports.madv_dontneed,
    run: (ctx) =>
      guarded(() => {
        const { e, p } = proc(ctx, ctx.plugin());
        const r = runScript(builtinScript("seed-small")!, p);
        settle(p);
        const d = p.status().VmPTE - r.statuses[0].VmPTE;
        return violations(e, p) ?? (d <= 12 ? pass(`dVmPTE ${d} kB (no reclaim: 2060 kB)`) : fail(`dVmPTE ${d} kB after the loop; expected ≤ 12 kB (PMD + PUD tables)`));
      }),
  },
  {
    suite: "effectiveness",
    name: "MADV_DONTNEED over 3G written every 2M leaves 16 kB (the real kernel's figure)",
    applies: (p) => !!p.supports.madv_dontneed,
    run: (ctx) =>
      guarded(() => {
        const { e, p } = proc(ctx, ctx.plugin());
        p.mmap(SLOT, 3 * G, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
        p.touch(SLOT, 3 * G, true, 2 * M);
        p.madvise(SLOT, 3 * G, MADV_DONTNEED);
        settle(p);
        const v = p.status().VmPTE;
        return violations(e, p) ?? (v <= 16 ? pass(`VmPTE ${v} kB`) : fail(`VmPTE ${v} kB, expected ≤ 16 kB`));
      }),
  },
  {
    suite: "effectiveness",
    name: "MADV_FREE then reclaim of the lazily freed folios frees the emptied tables",
    applies: (p) => !!p.supports.madv_free,
    run: (ctx) =>
      guarded(() => {
        const { e, p } = proc(ctx, ctx.plugin());
        p.mmap(SLOT, 64 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
        p.touch(SLOT, 64 * M, true);
        p.madvise(SLOT, 64 * M, MADV_FREE);
        p.madvise(SLOT, 64 * M, MADV_PAGEOUT);
        settle(p);
        const v = p.status().VmPTE;
        return violations(e, p) ?? (v <= 8 ? pass(`VmPTE ${v} kB`) : fail(`VmPTE ${v} kB after MADV_FREE + reclaim, expected ≤ 8 kB`));
      }),
  },
];

function raceCheck(s: Scenario): Check {
  return {
    suite: "races",
    name: `${s.name}: ${s.description.split(":")[0]}`,
    applies: (p) => !s.requires || !!p.supports[s.requires],
    run: (ctx) => {
      for (const strategy of ["pct", "random"] as const) {
        const r = explore(s, { plugin: ctx.plugin(), arch: ctx.arch, strategy, budget: ctx.budget, seed: ctx.seed });
        if (r.failure) {
          const f = r.failure;
          return {
            ok: false,
            rule: f.rule,
            failure: f,
            message: `${f.rule}: ${f.detail}\n  found by ${strategy} after ${count(f.found_after, "execution")}; ${count(f.preemptions, "preemption")}\n  replay: ${replayCommand(s.name, ctx.reclaim_arg ?? ctx.plugin().name, ctx.arch.name, `${f.schedule}@${scenarioFingerprint(s)}`)}\n${f.trace}`,
          };
        }
      }
      return pass(`${count(2 * ctx.budget, "execution")} (pct, random), no rule broken`);
    },
  };
}

/** The differential fuzz's outcome: the check's result and how many PTE tables the plugin reclaimed over all sequences. */
export interface DifferentialOutcome {
  result: CheckResult;
  /** PTE tables the plugin reclaimed (mm counters: pte_tables_reclaimed), summed over the sequences run. */
  reclaimed: number;
}

/**
 * fast-check sequences (fuzz.ts) run on Linux without reclaim and with the plugin:
 * same results and errno, VmPTE never higher, invariants after every operation.
 */
export function runDifferential(ctx: CheckContext): DifferentialOutcome {
  let rule: string | undefined;
  let reclaimed = 0;
  try {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const out = runSequence(ctx.arch, ctx.plugin(), ops);
        if (out.divergence) {
          rule = out.divergence.rule;
          throw new Error(out.divergence.detail);
        }
        reclaimed += out.reclaimed;
      }),
      { numRuns: ctx.fuzz_runs, seed: ctx.seed },
    );
  } catch (e) {
    const message = (e as Error).message;
    return { result: fail(message.split("\n").slice(0, 12).join("\n"), rule ?? "kernel BUG"), reclaimed };
  }
  return { result: pass(`${count(ctx.fuzz_runs, "random sequence")}, ${count(reclaimed, "PTE table")} reclaimed`), reclaimed };
}

const differential: Check[] = [
  {
    suite: "differential",
    name: "random syscalls and accesses: same results and errno as Linux without reclaim, VmPTE never higher",
    applies: () => true,
    run: (ctx) => runDifferential(ctx).result,
  },
  {
    suite: "differential",
    name: "bulk runs and stepped runs of the same workload agree",
    applies: () => true,
    run: (ctx) =>
      guarded(() => {
        const out: string[] = [];
        for (const stepped of [false, true]) {
          const e = new Engine({ arch: ctx.arch, reclaim: ctx.plugin(), stepped });
          const p = e.spawn();
          p.mmap(SLOT, 8 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
          p.touch(SLOT, 8 * M, true);
          p.madvise(SLOT + 2 * M, 4 * M, MADV_DONTNEED);
          p.touch(SLOT + 3 * M, 4 * K, true);
          out.push(JSON.stringify([p.status(), e.k.counters, e.k.tlb.counters]));
        }
        return out[0] === out[1] ? pass("identical") : fail(`bulk ${out[0]}\nstepped ${out[1]}`, "differential");
      }),
  },
];

const leaks: Check[] = [
  {
    suite: "leaks and accounting",
    name: "no table leaked and pgtables_bytes back to 0 at exit",
    applies: () => true,
    run: (ctx) =>
      guarded(() => {
        const { e, p } = proc(ctx, ctx.plugin());
        runScript(builtinScript("seed-small")!, p);
        p.mmap(SLOT, 16 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
        p.touch(SLOT, 16 * M, true);
        p.madvise(SLOT + 1 * M, 8 * M, MADV_DONTNEED);
        p.madvise(SLOT, 16 * M, MADV_FREE);
        const mid = violations(e, p);
        if (mid) return mid;
        p.exit();
        settle(p);
        const v = check_exit(e.k, p.mm);
        return v.length ? fail(`${v[0].rule}: ${v[0].detail}`, v[0].rule) : pass("clean");
      }),
  },
  {
    suite: "leaks and accounting",
    name: "every table the plugin unlinks is freed (after its grace period)",
    applies: () => true,
    run: (ctx) =>
      guarded(() => {
        const { e, p } = proc(ctx, ctx.plugin());
        runScript(builtinScript("seed-small")!, p);
        settle(p);
        const live = [...e.k.pt.tables()].filter((t) => e.k.frames.get_owner(t.pfn) === p.mm.id).length;
        // PGD + PUD + 2 PMD tables remain mapped; anything beyond what VmPTE counts is leaked.
        const counted = p.mm.pgtables_bytes / 4096 + 1;
        return live === counted ? pass(`${live} live tables, all accounted`) : fail(`${live} live tables but ${counted} accounted (leaked table pages)`, "table leaked");
      }),
  },
];

/**
 * A PTE table that holds a non-none entry which is not a present page is not
 * empty: emptiness is pte_none() for all 512 entries (pt-reclaim's rescan,
 * zap_pte_range()'s `any_skipped`), never "no present page". A design that asks
 * pte_present() frees a table holding only guard markers (the guard region is
 * gone: the access that must raise SIGSEGV faults a zero page in) or only swap
 * entries (the swapped-out page is lost and its slot leaked). Each check builds
 * 2 MiB slices shaped for every trigger a design may have (a whole-slice
 * MADV_DONTNEED, a partial one, MADV_FREE + MADV_PAGEOUT, a table mapping only
 * the zero page beside the entry, a table holding nothing else), lets the design
 * act (settle(): its scanner to completion, then a kswapd pass), and compares with
 * the same operations on Linux without reclaim.
 */
const PAGE = 4096;

/** One process on the plugin's engine (or Linux without reclaim in the plugin's era), with an 8 MiB mapping at SLOT. */
function nonPresentProc(ctx: CheckContext, plugin: ReclaimPlugin | null, era?: Engine["k"]["era"]): { e: Engine; p: Process } {
  const e = new Engine({ arch: ctx.arch, reclaim: plugin, era });
  const p = e.spawn();
  p.mmap(SLOT, 8 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
  return { e, p };
}

/** The guard pages of guardSlices(): one per slice, and a second in slice 0. */
const GUARD_PAGES = [SLOT, SLOT + 200 * PAGE, SLOT + 2 * M + 7 * PAGE, SLOT + 4 * M + 511 * PAGE, SLOT + 6 * M + 100 * PAGE];

/**
 * Four slices, each holding guard markers (MADV_GUARD_INSTALL) and nothing else a
 * reclaimer must keep: 0 written, guarded, then MADV_DONTNEED over the whole slice
 * (the zap skips the markers); 1 guarded, the rest read (the zero page); 2 written,
 * guarded, MADV_FREE'd and paged out (the lazily freed folios discarded); 3 only
 * guarded (the install walk allocated its table).
 */
function guardSlices(p: Process): void {
  p.touch(SLOT, 2 * M, true);
  p.madvise(GUARD_PAGES[0], PAGE, MADV_GUARD_INSTALL);
  p.madvise(GUARD_PAGES[1], PAGE, MADV_GUARD_INSTALL);
  p.madvise(SLOT, 2 * M, MADV_DONTNEED);
  p.madvise(GUARD_PAGES[2], PAGE, MADV_GUARD_INSTALL);
  // Read around the guard page (touch() stops at the first access that raises a signal).
  p.touch(SLOT + 2 * M, GUARD_PAGES[2] - SLOT - 2 * M, false);
  p.touch(GUARD_PAGES[2] + PAGE, SLOT + 4 * M - GUARD_PAGES[2] - PAGE, false);
  p.touch(SLOT + 4 * M, 2 * M, true);
  p.madvise(GUARD_PAGES[3], PAGE, MADV_GUARD_INSTALL);
  p.madvise(SLOT + 4 * M, 2 * M, MADV_FREE);
  p.madvise(SLOT + 4 * M, 2 * M, MADV_PAGEOUT);
  p.madvise(GUARD_PAGES[4], PAGE, MADV_GUARD_INSTALL);
}

function guardCheck(ctx: CheckContext): CheckResult {
  const plugin = ctx.plugin();
  const { e, p } = nonPresentProc(ctx, plugin);
  const era = e.k.era;
  if (!madvise_behavior_valid(MADV_GUARD_INSTALL, era))
    return { ok: true, skipped: `guard regions (MADV_GUARD_INSTALL, Linux 6.13) do not exist in the plugin's kernel era ${era}`, message: `skipped: no guard regions in era ${era}` };
  const base = nonPresentProc(ctx, null, era);
  guardSlices(base.p);
  settle(base.p);
  guardSlices(p);
  settle(p);
  // VmPTE before the accesses: a guard page whose table was freed would get a new one.
  const got = p.status().VmPTE;
  const want = base.p.status().VmPTE;
  for (const a of GUARD_PAGES)
    for (const write of [false, true]) {
      const r = p.access(a, write);
      if (r !== "SIGSEGV")
        return fail(
          `guard page 0x${a.toString(16)} ${write ? "written" : "read"}: ${r}, expected SIGSEGV (Linux without reclaim): the PTE table holding its guard marker was freed (VmPTE ${got} kB before the access, ${want} kB without reclaim)`,
          "guard marker lost",
        );
    }
  if (got !== want) return fail(`VmPTE ${got} kB, ${want} kB without reclaim: every PTE table here holds a guard marker and must stay`, "guard marker lost");
  return violations(e, p) ?? pass(`${GUARD_PAGES.length} guard pages in 4 PTE tables still raise SIGSEGV; VmPTE ${got} kB, as without reclaim`);
}

/** The swapped-out pages of swapSlices(). */
const SWAP_PAGES = [SLOT + 5 * PAGE, SLOT + 2 * M + 5 * PAGE, SLOT + 4 * M + 5 * PAGE, SLOT + 6 * M, SLOT + 6 * M + 511 * PAGE];

/**
 * Four slices, each holding swap entries (MADV_PAGEOUT with swap on) and nothing
 * else a reclaimer must keep: 0 written, one page paged out, the rest discarded by
 * two MADV_DONTNEEDs around it; 1 one page written and paged out, the rest read
 * (the zero page); 2 written, all but one page MADV_FREE'd, the slice paged out
 * (the lazily freed folios discarded, the dirty one to swap); 3 written and paged
 * out whole (512 swap entries). Returns the value each swapped page held.
 */
function swapSlices(p: Process): number[] {
  const values: number[] = [];
  // The value a page holds, read (a load of a present page: no fault) before it is paged out.
  const value = (a: number) => {
    const v = p.load(a);
    values.push(typeof v === "number" ? v : NaN);
  };
  p.touch(SLOT, 2 * M, true);
  value(SWAP_PAGES[0]);
  p.madvise(SWAP_PAGES[0], PAGE, MADV_PAGEOUT);
  p.madvise(SLOT, SWAP_PAGES[0] - SLOT, MADV_DONTNEED);
  p.madvise(SWAP_PAGES[0] + PAGE, SLOT + 2 * M - SWAP_PAGES[0] - PAGE, MADV_DONTNEED);
  // Read the rest first: a read of the swapped-out page would swap it back in (do_swap_page).
  p.touch(SLOT + 2 * M, SWAP_PAGES[1] - SLOT - 2 * M, false);
  p.touch(SWAP_PAGES[1] + PAGE, SLOT + 4 * M - SWAP_PAGES[1] - PAGE, false);
  p.touch(SWAP_PAGES[1], PAGE, true);
  value(SWAP_PAGES[1]);
  p.madvise(SWAP_PAGES[1], PAGE, MADV_PAGEOUT);
  p.touch(SLOT + 4 * M, 2 * M, true);
  p.madvise(SLOT + 4 * M, SWAP_PAGES[2] - SLOT - 4 * M, MADV_FREE);
  p.madvise(SWAP_PAGES[2] + PAGE, SLOT + 6 * M - SWAP_PAGES[2] - PAGE, MADV_FREE);
  value(SWAP_PAGES[2]);
  p.madvise(SLOT + 4 * M, 2 * M, MADV_PAGEOUT);
  p.touch(SLOT + 6 * M, 2 * M, true);
  value(SWAP_PAGES[3]);
  value(SWAP_PAGES[4]);
  p.madvise(SLOT + 6 * M, 2 * M, MADV_PAGEOUT);
  return values;
}

function swapCheck(ctx: CheckContext): CheckResult {
  const { e, p } = nonPresentProc(ctx, ctx.plugin());
  const base = nonPresentProc(ctx, null, e.k.era);
  for (const q of [base.p, p]) q.swapon(64 * M);
  swapSlices(base.p);
  settle(base.p);
  const values = swapSlices(p);
  const swapped = p.status().VmSwap;
  settle(p);
  const got = p.status().VmPTE;
  const want = base.p.status().VmPTE;
  for (let i = 0; i < SWAP_PAGES.length; i++) {
    const v = p.load(SWAP_PAGES[i]);
    if (v !== values[i])
      return fail(
        `page 0x${SWAP_PAGES[i].toString(16)}, paged out to swap, read back ${typeof v === "number" ? `value ${v}` : v}, expected ${values[i]} (swap-in): the PTE table holding its swap entry was freed (VmPTE ${got} kB before the read, ${want} kB without reclaim)`,
        "swap entry lost",
      );
  }
  if (got !== want) return fail(`VmPTE ${got} kB, ${want} kB without reclaim: every PTE table here holds a swap entry and must stay`, "swap entry lost");
  return violations(e, p) ?? pass(`${SWAP_PAGES.length} pages read back from swap (VmSwap ${swapped} kB) in 4 PTE tables; VmPTE ${got} kB, as without reclaim`);
}

const nonPresent: Check[] = [
  {
    suite: "non-present entries",
    name: "a PTE table holding guard markers is kept: the guard pages still raise SIGSEGV",
    applies: () => true,
    run: (ctx) => guarded(() => guardCheck(ctx)),
  },
  {
    suite: "non-present entries",
    name: "a PTE table holding swap entries is kept: the swapped-out pages read back their data",
    applies: () => true,
    run: (ctx) => guarded(() => swapCheck(ctx)),
  },
];

export const CHECKS: readonly Check[] = [...effectiveness, ...SCENARIOS.map(raceCheck), ...differential, ...leaks, ...nonPresent];
