/**
 * The bad inputs of bad-inputs.test.ts: what a user may type or hand to mmsim,
 * each with the exit code and the exact first line of stderr it must give.
 * `files` are written into a fresh directory, the command's working directory.
 * Exit codes: 1 the work failed (bad file content), 2 bad usage.
 */
import { MUTANTS, SCENARIOS } from "@mmsim/conformance";
import { NONE, REGISTRY } from "./plugins.js";
import { scenarioFingerprint } from "./schedule-check.js";
import { ARCH_NAMES } from "./simulate.js";
import { VERSION } from "./version.js";

/** Lists the messages print, taken from where they come from (a new plugin or mutant does not break the table). */
const KNOWN_PLUGINS = [NONE, ...REGISTRY.map((e) => e.name)].join(", ");
const MUTANT_NAMES = MUTANTS.map((m) => `mutant:${m.name}`).join(", ");
const SCENARIO_NAMES = SCENARIOS.map((s) => s.name).join(", ");
const FINGERPRINT = scenarioFingerprint(SCENARIOS.find((s) => s.name === "fault-vs-dontneed")!);

export interface BadInput {
  /** What is wrong, in a few words (the test's name). */
  readonly name: string;
  readonly argv: readonly string[];
  readonly files?: Readonly<Record<string, string>>;
  readonly code: number;
  /** The first line of stderr, exactly. */
  readonly first: string;
}

// ---- building blocks -------------------------------------------------------

/** `mmsim run w.mms` of a script. */
const script = (name: string, text: string, code: number, first: string): BadInput => ({ name: `script: ${name}`, argv: ["run", "w.mms"], files: { "w.mms": text }, code, first });

/** A plugin module p.mjs with `body` as its source, run by `mmsim run seed-small --reclaim ./p.mjs`. */
const plugin = (name: string, body: string, code: number, first: string, command = "run"): BadInput => ({
  name: `plugin: ${name}`,
  argv: [command, "seed-small", "--reclaim", "./p.mjs"],
  files: { "p.mjs": body },
  code,
  first,
});
const FIELDS = `specificationVersion: "v1", name: "p", version: "0", models: "m", supports: {}`;

/** A scenario file s.json, explored. */
const BASE = {
  name: "t",
  description: "d",
  setup: [{ op: "mmap", at: 0, len: "2M" }],
  actors: [
    { name: "a", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
    { name: "b", cpu: 1, ops: [{ op: "touch", at: 0, len: "4K" }] },
  ],
};
const scenario = (name: string, value: unknown, code: number, first: string): BadInput => ({
  name: `scenario: ${name}`,
  argv: ["explore", "s.json", "--budget", "1"],
  files: { "s.json": typeof value === "string" ? value : JSON.stringify(value) },
  code,
  first,
});
const actor0 = (patch: object) => ({ ...BASE, actors: [{ ...BASE.actors[0], ...patch }, BASE.actors[1]] });
const setupOp = (op: unknown) => ({ ...BASE, setup: [...BASE.setup, op] });

/** A trace file t.trace, replayed. */
const L = (t: number, event: string, payload: string, who = "4242/4242") => `${"p".padStart(16)} ${who} [000] ${(1000 + t / 1e6).toFixed(6)}: ${event.padStart(30)}: ${payload}`;
const MMAP = [
  L(1, "sched:sched_process_exec", "filename=./p pid=4242 old_pid=4242"),
  L(2, "syscalls:sys_enter_mmap", "addr: 0x00000000, len: 0x00400000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000"),
  L(3, "syscalls:sys_exit_mmap", "0x200000000000"),
  L(4, "exceptions:page_fault_user", "address=0x200000000000 ip=0x401000 error_code=0x6"),
];
const GOOD_TRACE = MMAP.join("\n") + "\n";
const trace = (name: string, text: string, code: number, first: string, extra: readonly string[] = []): BadInput => ({
  name: `trace: ${name}`,
  argv: ["replay", "t.trace", "--reclaim", "none", ...extra],
  files: { "t.trace": text },
  code,
  first,
});

/** explore fault-vs-dontneed --replay <schedule>. */
const schedule = (name: string, s: string, code: number, first: string): BadInput => ({
  name: `schedule: ${name}`,
  argv: ["explore", "fault-vs-dontneed", "--reclaim", "pt-reclaim", "--replay", s],
  code,
  first,
});

const cli = (name: string, argv: readonly string[], code: number, first: string, files?: Record<string, string>): BadInput => ({ name: `cli: ${name}`, argv, code, first, files });

// ---- the table -------------------------------------------------------------

export const BAD_INPUTS: readonly BadInput[] = [
  // Scripts
  script("unknown command", "frobnicate a\n", 1, "error: w.mms:1:1: unknown command 'frobnicate'"),
  script("mmap without size", "mmap a\n", 1, "error: w.mms:1:7: mmap: missing SIZE"),
  script("mmap without name", "mmap\n", 1, "error: w.mms:1:5: mmap: missing NAME"),
  script("bad mapping name", "mmap 9a 2M\n", 1, "error: w.mms:1:6: mmap: invalid mapping name '9a'"),
  script("unknown mmap option", "mmap a 2M rwx\n", 1, "error: w.mms:1:11: mmap: unknown option 'rwx'"),
  script("protection twice", "mmap a 2M rw r\n", 1, "error: w.mms:1:14: mmap: protection given twice ('r')"),
  script("shared twice", "mmap a 2M shared shared\n", 1, "error: w.mms:1:18: mmap: 'shared' given twice ('shared')"),
  script("THP mode twice", "mmap a 2M hugepage nohugepage\n", 1, "error: w.mms:1:20: mmap: THP mode given twice ('nohugepage')"),
  script("address twice", "mmap a 2M @0x1000 @0x2000\n", 1, "error: w.mms:1:19: mmap: address given twice ('@0x2000')"),
  script("empty address", "mmap a 2M @\n", 1, "error: w.mms:1:12: mmap: expected an address after '@'"),
  script("bad address", "mmap a 2M @zz\n", 1, "error: w.mms:1:12: unknown variable 'zz' (not bound by an enclosing repeat)"),
  script("unknown mapping", "touch b 0 4K\n", 1, "error: w.mms:1:7: touch: unknown mapping 'b' (no earlier mmap defines it)"),
  script("mapping used before its mmap", "touch a 0 4K\nmmap a 2M\n", 1, "error: w.mms:1:7: touch: unknown mapping 'a' (no earlier mmap defines it)"),
  script("touch missing length", "mmap a 2M\ntouch a 0\n", 1, "error: w.mms:2:10: touch: missing LENGTH"),
  script("touch unknown mode", "mmap a 2M\ntouch a 0 4K writ\n", 1, "error: w.mms:2:14: touch: unknown option 'writ' (expected write, read or a STRIDE)"),
  script("touch extra operand", "mmap a 2M\ntouch a 0 4K write 4K 9\n", 1, "error: w.mms:2:23: touch: unexpected operand '9'"),
  script("touch zero stride", "mmap a 2M\ntouch a 0 4K write 0\n", 1, "error: w.mms:2:20: touch: STRIDE must be positive"),
  script("madvise unknown advice", "mmap a 2M\nmadvise a 0 4K dontned\n", 1, "error: w.mms:2:16: madvise: unknown advice 'dontned' (expected dontneed|free|hugepage|nohugepage|willneed|cold|pageout|normal|random|sequential|dontfork|dofork|wipeonfork|keeponfork|dontdump|dodump|mergeable|unmergeable|guard_install|guard_remove|remove|collapse)"),
  script("madvise missing advice", "mmap a 2M\nmadvise a 0 4K\n", 1, "error: w.mms:2:15: madvise: missing ADVICE"),
  script("mprotect unknown prot", "mmap a 2M\nmprotect a 0 4K rwx\n", 1, "error: w.mms:2:17: mprotect: unknown protection 'rwx' (expected rw|r|none)"),
  script("munmap extra operand", "mmap a 2M\nmunmap a 0 4K now\n", 1, "error: w.mms:2:15: munmap: unexpected operand 'now'"),
  script("status without label", "status\n", 1, "error: w.mms:1:7: status: missing LABEL"),
  script("status two labels", "status a b\n", 1, "error: w.mms:1:10: status: unexpected operand 'b'"),
  script("negative size", "mmap a 0-4K\n", 1, "error: w.mms:1:8: SIZE must not be negative"),
  script("negative offset", "mmap a 2M\ntouch a 0-1 4K\n", 1, "error: w.mms:2:9: OFFSET must not be negative"),
  script("number too large", "mmap a 99999999999999999999\n", 1, "error: w.mms:1:8: number '99999999999999999999' is too large"),
  script("suffix overflow", "mmap a 9999999999T\n", 1, "error: w.mms:1:8: number '9999999999T' is too large"),
  script("product overflows", "mmap a 4096T*4096T\n", 1, "error: w.mms:1:13: '*' overflows: result is not a safe integer"),
  script("bad hex", "mmap a 0xZ\n", 1, "error: w.mms:1:10: expected hex digits after '0x'"),
  script("letter in number", "mmap a 2Mb\n", 1, "error: w.mms:1:10: unexpected character 'b' in number"),
  script("decimal point", "mmap a 1.5M\n", 1, "error: w.mms:1:9: unexpected character '.' in number"),
  script("dangling operator", "mmap a 2M+\n", 1, "error: w.mms:1:11: expected a number or variable after '+'"),
  script("leading operator", "mmap a *2M\n", 1, "error: w.mms:1:8: expected a number or variable, found '*'"),
  script("parenthesis", "mmap a (2M)\n", 1, "error: w.mms:1:8: expected a number or variable, found '('"),
  script("expression too long", `mmap a ${Array(100).fill("1").join("+")}\n`, 1, "error: w.mms:1:137: expression has more than 64 operators"),
  script("unknown variable", "mmap a 2M\ntouch a j*4K 4K\n", 1, "error: w.mms:2:9: unknown variable 'j' (not bound by an enclosing repeat)"),
  script("loop variable out of scope", "mmap a 2M\nrepeat 2\nend\ntouch a i 4K\n", 1, "error: w.mms:4:9: unknown variable 'i' (not bound by an enclosing repeat)"),
  script("repeat without end", "mmap a 2M\nrepeat 3\n  touch a 0 4K\n", 1, "error: w.mms:2:1: repeat without matching 'end'"),
  script("end without repeat", "end\n", 1, "error: w.mms:1:1: 'end' without 'repeat'"),
  script("end with operand", "repeat 1\nend now\n", 1, "error: w.mms:2:5: end: unexpected operand 'now'"),
  script("repeat without count", "repeat\nend\n", 1, "error: w.mms:1:7: repeat: missing COUNT"),
  script("repeat bad as", "repeat 2 of i\nend\n", 1, "error: w.mms:1:10: repeat: expected 'as VAR', found 'of'"),
  script("repeat as without name", "repeat 2 as\nend\n", 1, "error: w.mms:1:12: repeat: missing VAR after 'as'"),
  script("repeat bad variable name", "repeat 2 as 9x\nend\n", 1, "error: w.mms:1:13: repeat: invalid loop variable name '9x'"),
  script("shadowed loop variable", "repeat 2\nrepeat 2\nend\nend\n", 1, "error: w.mms:2:1: repeat: loop variable 'i' shadows an enclosing loop variable"),
  script("negative count", "repeat 0-1\nend\n", 1, "error: w.mms:1:8: COUNT must not be negative"),
  script("nesting too deep", Array.from({ length: 17 }, (_, i) => `repeat 1 as v${i}\n`).join("") + "end\n".repeat(17), 1, "error: w.mms:17:1: repeat: loops nested deeper than 16"),
  script("bad operand in the last iteration of a long loop", "mmap a 1G\nrepeat 100000000\n  touch a 0 4K 4K-i\nend\n", 1, "error: w.mms:3:16: STRIDE must not be negative"),
  script("overflow in the last iteration", "mmap a 1G\nrepeat 3000000\n  touch a i*4000000000 4K\nend\n", 1, "error: w.mms:3:12: '*' overflows: result is not a safe integer"),
  // Negative only between the loop's first and last iteration (i*i-2000*i is lowest at i = 1000): found when the run reaches it.
  script("negative in the middle of a loop", "mmap a 1G\nstatus b\nrepeat 2001\n  touch a 500000+i*i-2000*i 4K\nend\nstatus e\n", 1, "error: w.mms:4:11: OFFSET must not be negative"),
  { name: "script: negative in the middle of a loop, --json", argv: ["run", "w.mms", "--json"], files: { "w.mms": "mmap a 1G\nrepeat 2001\n  touch a 500000+i*i-2000*i 4K\nend\n" }, code: 1, first: "error: w.mms:3:11: OFFSET must not be negative" },
  { name: "script: negative in the middle of a loop, compare", argv: ["compare", "w.mms", "--reclaim", "none,pt-reclaim"], files: { "w.mms": "mmap a 1G\nstatus b\nrepeat 2001\n  touch a 500000+i*i-2000*i 4K\nend\nstatus e\n" }, code: 1, first: "error: w.mms:4:11: OFFSET must not be negative" },
  // --json and --plot keep lines in memory: more than MAX_KEPT_LINES (1,000,000) is refused, never a heap out of memory.
  { name: "script: --json of 10^12 status lines", argv: ["run", "w.mms", "--json"], files: { "w.mms": "repeat 1000000000000\n  status s\nend\n" }, code: 1, first: "error: --json keeps every output line in memory: w.mms prints 1000000000000 status lines, more than 1000000 (without --json, run prints each line as it comes and keeps none)" },
  { name: "script: --plot of 10^12 status lines", argv: ["run", "w.mms", "--plot", "p.svg"], files: { "w.mms": "repeat 1000000000000\n  status s\nend\n" }, code: 1, first: "error: --plot keeps every status line in memory: w.mms prints 1000000000000 status lines, more than 1000000 (without --plot, a run keeps its first and last status line only)" },
  { name: "script: compare --plot of 10^12 status lines", argv: ["compare", "w.mms", "--plot", "p.svg"], files: { "w.mms": "repeat 1000000000000\n  status s\nend\n" }, code: 1, first: "error: --plot keeps every status line in memory: w.mms prints 1000000000000 status lines, more than 1000000 (without --plot, a run keeps its first and last status line only)" },
  { name: "script: --json of a loop of 10^12 error lines", argv: ["run", "w.mms", "--json"], files: { "w.mms": "mmap a 4K\nrepeat 1000000000000\n  touch a 2G 4K\nend\n" }, code: 1, first: "error: --json keeps every output line in memory: w.mms has printed more than 1000000 lines (without --json, run prints each line as it comes and keeps none)" },
  script("binary garbage", "\u0000\u0001\u0002\n", 1, "error: w.mms:1:1: unknown command '\u0000\u0001\u0002'"),
  script("swapon inside repeat", "repeat 1\nswapon 1M\nend\n", 1, "error: w.mms:2:1: swapon: not allowed inside a repeat block (one swap device per script)"),
  script("swapon twice", "swapon 1M\nswapon 1M\n", 1, "error: w.mms:2:1: swapon: given twice (one swap device per script)"),
  script("swapon too small", "swapon 4K\n", 1, "error: w.mms:1:8: swapon: SIZE 4096 must be a multiple of 4096 and at least 40960 (mkswap's 10 pages)"),
  { name: "script: file does not exist", argv: ["run", "nope.mms"], code: 1, first: "error: cannot read nope.mms: no such file or directory" },
  { name: "script: builtin name misspelt", argv: ["run", "seed-smal"], code: 1, first: "error: cannot read seed-smal: no such file or directory (no builtin workload is named 'seed-smal' either: seed, seed-free, seed-small, production)" },
  { name: "script: an endless file (/dev/zero)", argv: ["run", "/dev/zero"], code: 1, first: "error: cannot read /dev/zero: it is larger than 64 MiB (a workload script is text: write a big workload as a repeat loop)" },
  { name: "script: a file larger than 64 MiB", argv: ["run", "big.mms"], files: { "big.mms": "# " + "x".repeat(64 * 1024 * 1024) + "\n" }, code: 1, first: "error: cannot read big.mms: it is larger than 64 MiB (a workload script is text: write a big workload as a repeat loop)" },
  { name: "script: a directory", argv: ["run", "d.mms"], files: { "d.mms/x": "" }, code: 1, first: "error: cannot read d.mms: illegal operation on a directory" },
  { name: "script: compare needs two status lines", argv: ["compare", "w.mms"], files: { "w.mms": "mmap a 2M\nstatus one\n" }, code: 1, first: "error: compare needs at least 2 status lines (before and after); w.mms prints 1" },
  { name: "script: compare of an empty script", argv: ["compare", "w.mms"], files: { "w.mms": "" }, code: 1, first: "error: compare needs at least 2 status lines (before and after); w.mms prints 0" },

  // CLI arguments
  cli("unknown command", ["frob"], 2, "error: unknown command 'frob'"),
  cli("unknown option", ["run", "seed-small", "--frob"], 2, "error: unknown option '--frob'"),
  cli("missing workload", ["run"], 2, "error: missing required argument 'workload'"),
  cli("two workloads", ["run", "seed-small", "seed"], 2, "error: too many arguments for 'run'. Expected 1 argument but got 2."),
  cli("unknown arch", ["run", "seed-small", "--arch", "riscv64"], 2, `error: option '--arch <arch>' argument 'riscv64' is invalid. Allowed choices are ${ARCH_NAMES.join(", ")}.`),
  cli("--arch without value", ["run", "seed-small", "--arch"], 2, "error: option '--arch <arch>' argument missing"),
  cli("unknown plugin", ["run", "seed-small", "--reclaim", "pt_reclaim"], 2, `error: option '--reclaim <name|path>' argument 'pt_reclaim' is invalid. unknown reclaim plugin 'pt_reclaim' (known: ${KNOWN_PLUGINS}; or a module path such as ./my-plugin.mjs, or a plugin package's directory such as ./my-plugin)`),
  cli("package not installed", ["run", "seed-small", "--reclaim", "@acme/reclaim-x"], 2, "error: --reclaim @acme/reclaim-x: no such package installed (looked in node_modules from the working directory up, and next to mmsim); npm install it, or give a module path"),
  cli("package not built", ["run", "seed-small", "--reclaim", "@acme/reclaim-x"], 2, "error: --reclaim @acme/reclaim-x: cannot load the package: its entry ./dist/index.js does not exist (not built?)", {
    "node_modules/@acme/reclaim-x/package.json": '{"name": "@acme/reclaim-x", "type": "module", "exports": "./dist/index.js"}',
  }),
  cli("package.json not JSON", ["run", "seed-small", "--reclaim", "@acme/reclaim-x"], 2, "error: --reclaim @acme/reclaim-x: cannot load the package: its package.json is not valid JSON", {
    "node_modules/@acme/reclaim-x/package.json": "{",
  }),
  cli("package without a plugin", ["run", "seed-small", "--reclaim", "mmsim-reclaim-z"], 2, "error: --reclaim mmsim-reclaim-z: no reclaim plugin exported (expected a default, 'plugin' or 'createPlugin' export)", {
    "node_modules/mmsim-reclaim-z/package.json": '{"name": "mmsim-reclaim-z", "type": "module"}',
    "node_modules/mmsim-reclaim-z/index.js": "export const a = 1, b = 2;\n",
  }),
  cli("unknown mutant", ["run", "seed-small", "--reclaim", "mutant:nope"], 2, `error: option '--reclaim <name|path>' argument 'mutant:nope' is invalid. unknown mutant 'mutant:nope' (known: ${MUTANT_NAMES})`),
  cli("empty name in list", ["compare", "seed-small", "--reclaim", "none,,pt-reclaim"], 2, "error: option '--reclaim <list>' argument 'none,,pt-reclaim' is invalid. empty name in reclaim list 'none,,pt-reclaim'"),
  cli("list ends with a comma", ["compare", "seed-small", "--reclaim", "none,"], 2, "error: option '--reclaim <list>' argument 'none,' is invalid. empty name in reclaim list 'none,'"),
  cli("--reclaim without value", ["compare", "seed-small", "--reclaim"], 2, "error: option '--reclaim <list>' argument missing"),
  cli("explore unknown scenario", ["explore", "no-such-scenario"], 2, `error: unknown scenario 'no-such-scenario' (bundled: ${SCENARIO_NAMES}; or a .json file)`),
  cli("explore missing scenario", ["explore"], 2, "error: missing required argument 'scenario'"),
  cli("explore an empty scenario name", ["explore", ""], 2, `error: unknown scenario '' (bundled: ${SCENARIO_NAMES}; or a .json file)`),
  cli("explore unknown strategy", ["explore", "fault-vs-dontneed", "--strategy", "bfs"], 2, "error: option '--strategy <name>' argument 'bfs' is invalid. Allowed choices are pct, random, dfs."),
  cli("explore negative budget", ["explore", "fault-vs-dontneed", "--budget", "-1"], 2, "error: --budget must be a positive integer (got '-1')"),
  cli("explore budget not a number", ["explore", "fault-vs-dontneed", "--budget", "lots"], 2, "error: --budget must be a positive integer (got 'lots')"),
  cli("explore zero budget (no execution: 'no rule broken' would mean nothing)", ["explore", "fault-vs-dontneed", "--budget", "0"], 2, "error: --budget must be a positive integer (got '0')"),
  cli("explore pct depth zero", ["explore", "fault-vs-dontneed", "--depth", "0"], 2, "error: --depth must be a positive integer (got '0')"),
  cli("explore fractional seed", ["explore", "fault-vs-dontneed", "--seed", "1.5"], 2, "error: --seed must be an integer from 0 to 4294967295 (got '1.5')"),
  cli("explore depth not a number", ["explore", "fault-vs-dontneed", "--depth", "x"], 2, "error: --depth must be a positive integer (got 'x')"),
  cli("explore bound not a number", ["explore", "fault-vs-dontneed", "--strategy", "dfs", "--preemption-bound", "x"], 2, "error: --preemption-bound must be a non-negative integer (got 'x')"),
  cli("explore unknown plugin", ["explore", "fault-vs-dontneed", "--reclaim", "nope"], 2, `error: option '--reclaim <name|path>' argument 'nope' is invalid. unknown reclaim plugin 'nope' (known: ${KNOWN_PLUGINS}; or a module path such as ./my-plugin.mjs, or a plugin package's directory such as ./my-plugin)`),
  cli("conformance of none", ["conformance", "none"], 2, "error: conformance needs a plugin (not 'none')"),
  cli("conformance unknown plugin", ["conformance", "nope"], 2, `error: unknown reclaim plugin 'nope' (known: ${KNOWN_PLUGINS}; or a module path such as ./my-plugin.mjs, or a plugin package's directory such as ./my-plugin)`),
  cli("conformance zero budget", ["conformance", "pt-reclaim", "--budget", "0"], 2, "error: --budget must be a positive integer (got '0')"),
  cli("conformance fuzz runs not a number", ["conformance", "pt-reclaim", "--fuzz-runs", "many"], 2, "error: --fuzz-runs must be a positive integer (got 'many')"),
  cli("conformance seed beyond 32 bits (it would run seed 0's checks)", ["conformance", "pt-reclaim", "--seed", "4294967296"], 2, "error: --seed must be an integer from 0 to 4294967295 (got '4294967296')"),
  cli("fuzz seed in hex", ["fuzz", "pt-reclaim", "--seed", "0x10"], 2, "error: --seed must be an integer from 0 to 4294967295 (got '0x10')"),
  cli("explore seed empty (it ran as seed 0)", ["explore", "fault-vs-dontneed", "--seed", ""], 2, "error: --seed must be an integer from 0 to 4294967295 (got '')"),
  cli("conformance missing plugin", ["conformance"], 2, "error: missing required argument 'plugin'"),
  cli("scenario whose setup maps over its own mapping", ["explore", "s.json"], 1, "error: s.json: setup[1]: mmap failed with EEXIST (File exists); the setup must succeed, or the actors race over nothing", {
    "s.json": JSON.stringify({ name: "s", setup: [{ op: "mmap", at: 0, len: "2M" }, { op: "mmap", at: "1M", len: "2M" }], actors: [{ name: "a", cpu: 0, ops: [{ op: "touch", at: 0, len: "4K" }] }] }),
  }),
  cli("scenario whose setup touches unmapped memory", ["explore", "s.json", "--reclaim", "pt-reclaim"], 1, "error: s.json: setup[1]: touch got SIGSEGV at its page 512 (a setup access must hit mapped, accessible memory); the setup must succeed, or the actors race over nothing", {
    "s.json": JSON.stringify({ name: "s", setup: [{ op: "mmap", at: 0, len: "2M" }, { op: "touch", at: 0, len: "4M", write: true }], actors: [{ name: "a", cpu: 0, ops: [{ op: "touch", at: 0, len: "4K" }] }] }),
  }),
  cli("conformance --junit into a missing directory", ["conformance", "pt-reclaim", "--junit", "no/such/r.xml"], 1, "error: --junit no/such/r.xml: cannot write it: no such file or directory"),
  cli("conformance --junit a directory", ["conformance", "pt-reclaim", "--junit", "d"], 1, "error: --junit d: cannot write it: illegal operation on a directory", { "d/x": "" }),
  cli("conformance --junit on a full disk", ["conformance", "pt-reclaim", "--budget", "1", "--fuzz-runs", "1", "--shard", "1/27", "--junit", "/dev/full"], 1, "error: --junit /dev/full: cannot write it: no space left on device"),
  cli("replay missing trace argument", ["replay"], 2, "error: missing required argument 'trace'"),
  cli("replay trace does not exist", ["replay", "nope.trace", "--reclaim", "none"], 1, "error: cannot read trace nope.trace: no such file or directory"),
  cli("replay --pid not a number", ["replay", "t.trace", "--pid", "abc"], 2, "error: --pid abc: not a process id", { "t.trace": GOOD_TRACE }),
  cli("replay --pid negative", ["replay", "t.trace", "--pid", "-5"], 2, "error: --pid -5: not a process id", { "t.trace": GOOD_TRACE }),
  cli("replay --expected missing", ["replay", "t.trace", "--reclaim", "none", "--expected", "nope.json"], 1, "error: --expected nope.json: cannot read it: no such file or directory", { "t.trace": GOOD_TRACE }),
  cli("replay --expected not JSON", ["replay", "t.trace", "--reclaim", "none", "--expected", "e.json"], 1, "error: --expected e.json: not valid JSON: Expected property name or '}' in JSON at position 1", { "t.trace": GOOD_TRACE, "e.json": "{" }),
  cli("replay --expected without VmPTE", ["replay", "t.trace", "--reclaim", "none", "--expected", "e.json"], 1, "error: --expected e.json: no numeric VmPTE", { "t.trace": GOOD_TRACE, "e.json": '{"VmSize": 1}' }),
  cli("replay unknown plugin", ["replay", "t.trace", "--reclaim", "nope"], 2, `error: option '--reclaim <list>' argument 'nope' is invalid. unknown reclaim plugin 'nope' (known: ${KNOWN_PLUGINS}; or a module path such as ./my-plugin.mjs, or a plugin package's directory such as ./my-plugin)`, { "t.trace": GOOD_TRACE }),
  cli("replay unknown arch", ["replay", "t.trace", "--arch", "sparc"], 2, `error: option '--arch <arch>' argument 'sparc' is invalid. Allowed choices are ${ARCH_NAMES.join(", ")}.`, { "t.trace": GOOD_TRACE }),
  cli("record without command", ["record"], 2, "error: missing required argument 'command'"),
  cli("record unknown option", ["record", "--frob", "--", "true"], 2, "error: unknown option '--frob'"),
  cli("record -o without value", ["record", "-o"], 2, "error: option '-o, --output <file>' argument missing"),
  cli("record a program that does not exist", ["record", "-o", "t.trace", "--", "no-such-program-xyz"], 1, "error: mmsim record: no-such-program-xyz: command not found (not an executable file on $PATH)"),
  cli("record a path that does not exist", ["record", "-o", "t.trace", "--", "./nope"], 1, "error: mmsim record: ./nope: no such executable file"),
  cli("list with an argument", ["list", "extra"], 2, "error: too many arguments for 'list'. Expected 0 arguments but got 1."),
  cli("check-host without scripts", ["check-host"], 2, "error: missing required argument 'scripts'"),
  cli("check-host --random 0", ["check-host", "--random", "0"], 2, "mmsim check-host: --random must be an integer from 1 to 4294967295 (got '0')"),
  cli("check-host --random not a number", ["check-host", "--random", "ten"], 2, "mmsim check-host: --random must be an integer from 1 to 4294967295 (got 'ten')"),
  cli("check-host --seed negative", ["check-host", "--random", "3", "--seed", "-1"], 2, "mmsim check-host: --seed must be an integer from 0 to 4294967295 (got '-1')"),
  cli("check-host --case past --random", ["check-host", "--random", "3", "--case", "3"], 2, "mmsim check-host: --case 3 is not one of the --random 3 cases (0 to 2)"),
  cli("check-host scripts and --random", ["check-host", "a.wl", "--random", "3"], 2, "mmsim check-host: give scripts or --random/--case, not both (got 1 script)"),
  cli("check-host --seed without --random", ["check-host", "a.wl", "--seed", "3"], 2, "mmsim check-host: --seed, --out and --no-pressure go with --random or --case"),
  cli("host without script", ["host"], 2, "error: missing required argument 'script'"),
  // --plot
  cli("--plot not an SVG file", ["run", "seed-small", "--plot", "out.png"], 2, "error: option '--plot <file.svg>' argument 'out.png' is invalid. the plot is an SVG file: give a name ending in .svg"),
  cli("--plot without value", ["compare", "seed-small", "--plot"], 2, "error: option '--plot <file.svg>' argument missing"),
  cli("--plot into a missing directory", ["run", "seed-small", "--plot", "no/such/dir/p.svg"], 1, "error: --plot no/such/dir/p.svg: cannot write it: no such file or directory"),
  cli("--plot of a script without status lines", ["run", "w.mms", "--plot", "p.svg"], 1, "error: --plot p.svg: nothing to plot: the workload prints no status line", { "w.mms": "mmap a 2M\ntouch a 0 2M\n" }),
  cli("replay --plot not an SVG file", ["replay", "t.trace", "--plot", "p.pdf"], 2, "error: option '--plot <file.svg>' argument 'p.pdf' is invalid. the plot is an SVG file: give a name ending in .svg", { "t.trace": GOOD_TRACE }),
  // --shard and merge
  cli("--shard not i/n", ["explore", "fault-vs-dontneed", "--strategy", "random", "--shard", "2"], 2, "error: option '--shard <i/n>' argument '2' is invalid. --shard must be i/n, shard i of n counted from 1 (e.g. 1/4) (got '2')"),
  cli("--shard counted from 0", ["explore", "fault-vs-dontneed", "--strategy", "random", "--shard", "0/4"], 2, "error: option '--shard <i/n>' argument '0/4' is invalid. --shard 0/4: i must be between 1 and 4 (shards are counted from 1)"),
  cli("--shard beyond n", ["conformance", "pt-reclaim", "--shard", "5/4"], 2, "error: option '--shard <i/n>' argument '5/4' is invalid. --shard 5/4: i must be between 1 and 4 (shards are counted from 1)"),
  cli("--shard of zero shards", ["conformance", "pt-reclaim", "--shard", "1/0"], 2, "error: option '--shard <i/n>' argument '1/0' is invalid. --shard 1/0: n must be between 1 and 10000"),
  cli("--shard with pct", ["explore", "fault-vs-dontneed", "--shard", "1/2"], 2, "error: --shard needs --strategy random: pct's executions depend on the ones before them (each takes its length estimate from the longest so far)"),
  cli("--shard with dfs", ["explore", "fault-vs-dontneed", "--strategy", "dfs", "--shard", "1/2"], 2, "error: --shard needs --strategy random: dfs's executions are the leaves of one search tree, each found from the one before"),
  cli("--shard with --replay", ["explore", "fault-vs-dontneed", "--strategy", "random", "--shard", "1/2", "--replay", "s1:a1"], 2, "error: --shard splits an exploration; --replay runs one schedule: give one of them"),
  cli("merge without files", ["merge"], 2, "error: missing required argument 'files'"),
  cli("merge a missing file", ["merge", "nope.json"], 1, "error: cannot read nope.json: no such file or directory"),
  cli("merge a file that is not JSON", ["merge", "a.json"], 1, "error: a.json: not JSON (Unexpected token 'h', \"hello\" is not valid JSON)", { "a.json": "hello" }),
  cli("merge an unsharded result", ["merge", "a.json"], 1, "error: a.json: not a shard's result (write one with --shard i/n --json)", { "a.json": '{"reclaim": null}' }),
  cli("merge a header without run", ["merge", "a.json"], 1, "error: a.json: mmsim_shard needs command, shard and run, and the file a part", { "a.json": '{"mmsim_shard": {"command": "explore", "shard": "1/1"}, "part": {}}' }),
  cli("merge a bad shard label", ["merge", "a.json"], 1, "error: a.json: --shard 3/2: i must be between 1 and 2 (shards are counted from 1)", { "a.json": `{"mmsim_shard": {"command": "explore", "shard": "3/2", "mmsim": "${VERSION}", "run": {}}, "part": {}}` }),
  cli("merge an unknown command", ["merge", "a.json"], 1, "error: a.json: cannot merge results of 'frob' (known: explore, conformance, fuzz)", { "a.json": `{"mmsim_shard": {"command": "frob", "shard": "1/1", "mmsim": "${VERSION}", "run": {}}, "part": {}}` }),
  cli("merge a part of another shape", ["merge", "a.json"], 1, "error: shard 1/1: its part is not what this mmsim writes (expected executions, failure)", { "a.json": `{"mmsim_shard": {"command": "explore", "shard": "1/1", "mmsim": "${VERSION}", "run": {}}, "part": {"executions": "x"}}` }),
  cli("merge a shard of another mmsim version", ["merge", "a.json"], 1, `error: a.json: written by mmsim 0.0.1-old; this is mmsim ${VERSION}, which merges only its own shards (run the campaign again with this version)`, {
    "a.json": '{"mmsim_shard": {"command": "explore", "shard": "1/1", "mmsim": "0.0.1-old", "run": {}}, "part": {}}',
  }),
  cli("merge a shard that records no version", ["merge", "a.json"], 1, `error: a.json: written by an mmsim that did not record its version; this is mmsim ${VERSION}, which merges only its own shards (run the campaign again with this version)`, {
    "a.json": '{"mmsim_shard": {"command": "explore", "shard": "1/1", "run": {}}, "part": {}}',
  }),
  cli("merge two commands", ["merge", "a.json", "b.json"], 1, "error: a.json is a result of explore, b.json of conformance: they cannot be merged", {
    "a.json": `{"mmsim_shard": {"command": "explore", "shard": "1/2", "mmsim": "${VERSION}", "run": {}}, "part": {}}`,
    "b.json": `{"mmsim_shard": {"command": "conformance", "shard": "2/2", "mmsim": "${VERSION}", "run": {}}, "part": {}}`,
  }),
  cli("merge runs of different budgets", ["merge", "a.json", "b.json"], 1, "error: a.json and b.json are of different runs: budget is 10 in a.json, 20 in b.json", {
    "a.json": `{"mmsim_shard": {"command": "explore", "shard": "1/2", "mmsim": "${VERSION}", "run": {"budget": 10}}, "part": {}}`,
    "b.json": `{"mmsim_shard": {"command": "explore", "shard": "2/2", "mmsim": "${VERSION}", "run": {"budget": 20}}, "part": {}}`,
  }),

  // Plugin modules
  { name: "plugin: module does not exist", argv: ["run", "seed-small", "--reclaim", "./missing.mjs"], code: 2, first: "error: --reclaim ./missing.mjs: cannot load module: no such file" },
  { name: "plugin: conformance of a module that does not exist (the argument, not --reclaim)", argv: ["conformance", "./missing.mjs"], code: 2, first: "error: plugin ./missing.mjs: cannot load module: no such file" },
  { name: "plugin: fuzz of a module that exports nothing", argv: ["fuzz", "./p.mjs"], files: { "p.mjs": "export const a = 1; export const b = 2;" }, code: 2, first: "error: plugin ./p.mjs: no reclaim plugin exported (expected a default, 'plugin' or 'createPlugin' export)" },
  { name: "plugin: conformance of a wrong specificationVersion", argv: ["conformance", "./p.mjs"], files: { "p.mjs": `export default { ${FIELDS.replace('"v1"', '"v2"')} };` }, code: 2, first: "error: plugin ./p.mjs: plugin 'p' implements specificationVersion \"v2\"; this mmsim implements \"v1\"" },
  plugin("syntax error", "export default {", 2, "error: --reclaim ./p.mjs: cannot load module: not valid JavaScript (run `node --check` on it to see where)"),
  plugin("throws while loading", 'throw new Error("cannot start");', 2, "error: --reclaim ./p.mjs: cannot load module: cannot start"),
  plugin("exports nothing", "export const a = 1; export const b = 2;", 2, "error: --reclaim ./p.mjs: no reclaim plugin exported (expected a default, 'plugin' or 'createPlugin' export)"),
  plugin("default is a number", "export default 42;", 2, "error: --reclaim ./p.mjs: not a reclaim plugin (got number)"),
  plugin("default is null", "export default null;", 2, "error: --reclaim ./p.mjs: not a reclaim plugin (got null)"),
  plugin("missing fields", 'export default { name: "p" };', 2, "error: --reclaim ./p.mjs: not a reclaim plugin (missing version, models, supports, specificationVersion)"),
  plugin("wrong specificationVersion", `export default { ${FIELDS.replace('"v1"', '"v0"')} };`, 2, "error: --reclaim ./p.mjs: plugin 'p' implements specificationVersion \"v0\"; this mmsim implements \"v1\""),
  plugin("unknown kernel era", `export default { ${FIELDS}, era: "2.6" };`, 2, "error: --reclaim ./p.mjs: plugin 'p': unknown kernel era \"2.6\" (known: \"5.14\", \"5.18\", \"6.10\", \"6.18\")"),
  plugin("hook is not a function", `export default { ${FIELDS}, zap_pte_range_end: 3 };`, 2, "error: --reclaim ./p.mjs: plugin 'p': hook zap_pte_range_end is not a function (got number)"),
  plugin("kernel-path hook is not a generator", `export default { ${FIELDS}, zap_pte_range_end() {} };`, 2, "error: --reclaim ./p.mjs: plugin 'p': hook zap_pte_range_end is a kernel path and must be a generator function (function* zap_pte_range_end(...))"),
  plugin("pte_offset_map hook is not a generator", `export default { ${FIELDS}, pte_offset_map() {} };`, 2, "error: --reclaim ./p.mjs: plugin 'p': hook pte_offset_map is a kernel path and must be a generator function (function* pte_offset_map(...))"),
  plugin("shrink hook not a generator", `export default { ${FIELDS}, shrink() {} };`, 2, "error: --reclaim ./p.mjs: plugin 'p': hook shrink is a kernel path and must be a generator function (function* shrink(...))"),
  plugin("plain hook written as a generator", `export default { ${FIELDS}, *reclaim_pt_is_enabled() { return true; } };`, 2, "error: --reclaim ./p.mjs: plugin 'p': hook reclaim_pt_is_enabled is a plain hook (called where the kernel cannot sleep or be preempted) and must be an ordinary function, not a generator function (function*)"),
  plugin("near miss of a supports flag", `export default { ${FIELDS.replace("supports: {}", "supports: { madv_dontnee: true }")} };`, 2, "error: --reclaim ./p.mjs: plugin 'p': supports.madv_dontnee is not a flag the kit reads (did you mean supports.madv_dontneed?)"),
  plugin("factory throws", 'export default () => { throw new Error("no config"); };', 2, "error: --reclaim ./p.mjs: plugin factory failed: no config"),
  plugin("async factory", `export default async () => ({ ${FIELDS} });`, 2, "error: --reclaim ./p.mjs: the plugin factory returned a Promise (an async function?); it must return the plugin object itself"),
  plugin("factory returns nothing", "export default () => undefined;", 2, "error: --reclaim ./p.mjs: not a reclaim plugin (got undefined)"),
  plugin("plain hook throws", `export default { ${FIELDS}, reclaim_pt_is_enabled() { throw new Error("boom"); } };`, 1, "error: plugin 'p': hook reclaim_pt_is_enabled threw: boom (at <dir>/p.mjs:1:130)"),
  plugin("generator hook throws", `export default { ${FIELDS}, reclaim_pt_is_enabled: () => true, *zap_pte_range_end() { throw new Error("boom"); } };`, 1, "error: plugin 'p': hook zap_pte_range_end threw: boom (at <dir>/p.mjs:1:162)"),
  plugin("hook throws a string", `export default { ${FIELDS}, reclaim_pt_is_enabled() { throw "oops"; } };`, 1, "error: plugin 'p': hook reclaim_pt_is_enabled threw: oops"),
  plugin("hook throws under compare", `export default { ${FIELDS}, reclaim_pt_is_enabled() { throw new Error("boom"); } };`, 1, "error: plugin 'p': hook reclaim_pt_is_enabled threw: boom (at <dir>/p.mjs:1:130)", "compare"),
  plugin("scheduler_tick throws", `export default { ${FIELDS}, scheduler_tick() { throw new TypeError("x is undefined"); } };`, 1, "error: plugin 'p': hook scheduler_tick threw: x is undefined (at <dir>/p.mjs:1:123)"),
  plugin("hook calls something undefined", `export default { ${FIELDS}, reclaim_pt_is_enabled() { return this.nope.x; } };`, 1, "error: plugin 'p': hook reclaim_pt_is_enabled threw: Cannot read properties of undefined (reading 'x') (at <dir>/p.mjs:1:141)"),

  // Scenarios
  scenario("not JSON", "{", 1, "error: s.json: not valid JSON: Expected property name or '}' in JSON at position 1"),
  scenario("a list", "[]", 1, "error: s.json: a scenario must be a JSON object, got []"),
  scenario("a string", '"s"', 1, "error: s.json: a scenario must be a JSON object, got \"s\""),
  scenario("missing name", { ...BASE, name: undefined }, 1, "error: s.json: missing field \"name\""),
  scenario("empty name", { ...BASE, name: "" }, 1, "error: s.json: name: the name is empty"),
  scenario("missing setup", { ...BASE, setup: undefined }, 1, "error: s.json: missing field \"setup\""),
  scenario("setup not a list", { ...BASE, setup: {} }, 1, "error: s.json: setup: expected a list of operations, got {}"),
  scenario("no actors", { ...BASE, actors: [] }, 1, "error: s.json: actors: a scenario needs at least one actor"),
  scenario("27 actors", { ...BASE, actors: Array.from({ length: 27 }, (_, i) => ({ name: `a${i}`, cpu: i, ops: [] })) }, 1, "error: s.json: actors: at most 26 actors"),
  scenario("actor missing ops", { ...BASE, actors: [{ name: "a", cpu: 0 }] }, 1, "error: s.json: actors[0]: missing field \"ops\""),
  scenario("actor without name", actor0({ name: undefined }), 1, "error: s.json: actors[0]: missing field \"name\""),
  scenario("actor cpu negative", actor0({ cpu: -1 }), 1, "error: s.json: actors[0].cpu: CPU -1 is negative"),
  scenario("actor cpu fractional", actor0({ cpu: 0.5 }), 1, "error: s.json: actors[0].cpu: expected a CPU number, got 0.5"),
  scenario("actor cpu beyond the model", actor0({ cpu: 64 }), 1, "error: s.json: actors[0].cpu: CPU 64 is beyond the model's 64 CPUs (0-63)"),
  scenario("actor cpu a million", actor0({ cpu: 1e6 }), 1, "error: s.json: actors[0].cpu: CPU 1000000 is beyond the model's 64 CPUs (0-63)"),
  scenario("two actors on one CPU", actor0({ cpu: 1 }), 1, "error: s.json: actors[1].cpu: CPU 1 already runs actors[0]"),
  scenario("two actors of one name", actor0({ name: "b" }), 1, "error: s.json: actors[1].name: \"b\" already names actors[0] (a violation and the trace's columns name the actor)"),
  scenario("unknown field", { ...BASE, colour: "red" }, 1, "error: s.json: unknown field \"colour\""),
  scenario("misspelt optional field", { ...BASE, hw_walker: [1] }, 1, "error: s.json: unknown field \"hw_walker\""),
  scenario("unknown op", setupOp({ op: "frob" }), 1, "error: s.json: setup[1]: unknown op \"frob\" (expected mmap, touch, madvise, munmap, mprotect, gup_fast, walk, khugepaged, task_work, exit, swapon, reclaim)"),
  scenario("op without op", setupOp({ at: 0 }), 1, "error: s.json: setup[1]: missing field \"op\" (one of mmap, touch, madvise, munmap, mprotect, gup_fast, walk, khugepaged, task_work, exit, swapon, reclaim)"),
  scenario("op is null", setupOp(null), 1, "error: s.json: setup[1]: an operation must be an object with \"op\", got null"),
  scenario("unknown advice", setupOp({ op: "madvise", at: 0, len: "2M", advice: "dontnee" }), 1, "error: s.json: setup[1].advice: unknown advice \"dontnee\" (expected dontneed, free, pageout, hugepage, nohugepage, or a number)"),
  scenario("unknown prot", setupOp({ op: "mprotect", at: 0, len: "2M", prot: "rwx" }), 1, "error: s.json: setup[1].prot: unknown protection \"rwx\" (expected rw, r, none)"),
  scenario("missing len", setupOp({ op: "touch", at: 0 }), 1, "error: s.json: setup[1]: missing field \"len\""),
  scenario("bad size text", setupOp({ op: "touch", at: 0, len: "2Q" }), 1, "error: s.json: setup[1].len: expected a size (4096, \"4K\", \"2M\", \"0x2000\"), got \"2Q\""),
  scenario("negative size", setupOp({ op: "touch", at: -4096, len: "4K" }), 1, "error: s.json: setup[1].at: expected a size (4096, \"4K\", \"2M\", \"0x2000\"), got -4096"),
  scenario("size beyond the slot", setupOp({ op: "mmap", at: "600G", len: "2M" }), 1, "error: s.json: setup[1].at: \"600G\" is beyond the scenario's 512G slot"),
  scenario("range beyond the slot", setupOp({ op: "mmap", at: "511G", len: "2G" }), 1, "error: s.json: setup[1]: at + len is beyond the scenario's 512G slot"),
  scenario("touch of a terabyte", setupOp({ op: "touch", at: 0, len: "1T" }), 1, "error: s.json: setup[1].len: \"1T\" is beyond the scenario's 512G slot"),
  scenario("walk too long", setupOp({ op: "walk", at: 0, len: "2G" }), 1, "error: s.json: setup[1].len: \"2G\" is more than 262144 pages (1G) for one walk"),
  scenario("zero stride", setupOp({ op: "touch", at: 0, len: "4K", stride: 0 }), 1, "error: s.json: setup[1].stride: must be positive"),
  scenario("write not a boolean", setupOp({ op: "touch", at: 0, len: "4K", write: "yes" }), 1, "error: s.json: setup[1].write: write must be true or false"),
  scenario("task_work ms negative", setupOp({ op: "task_work", ms: -1 }), 1, "error: s.json: setup[1].ms: expected milliseconds from 0 to 60000, got -1"),
  scenario("walker CPU beyond the model", { ...BASE, hw_walkers: [100] }, 1, "error: s.json: hw_walkers[0]: CPU 100 is beyond the model's 64 CPUs (0-63)"),
  scenario("lazy CPU not a number", { ...BASE, lazy_cpus: ["1"] }, 1, "error: s.json: lazy_cpus[0]: expected a CPU number, got \"1\""),
  scenario("lazy-TLB CPU that runs an actor", { ...BASE, lazy_cpus: [2, 1] }, 1, "error: s.json: lazy_cpus[1]: CPU 1 runs actors[1], so it cannot be in lazy-TLB mode (give the lazy CPU one no actor runs on)"),
  scenario("oracle not a boolean", { ...BASE, oracle: "no" }, 1, "error: s.json: oracle: oracle must be true or false"),

  // Traces
  trace("empty file", "", 1, "error: t.trace: no trace events (is it perf script output of `mmsim record`?)"),
  trace("comments only", "# nothing\n", 1, "error: t.trace: no trace events (is it perf script output of `mmsim record`?)"),
  trace("not perf script output", "hello world\nthis is not a trace\n", 1, "error: t.trace: no trace events (is it perf script output of `mmsim record`?)"),
  trace("garbage with --strict", GOOD_TRACE + "garbage line\n", 1, "error: t.trace: line 5: not a perf script event line: garbage line (--strict)", ["--strict"]),
  trace("events out of time order", [MMAP[0], MMAP[1], MMAP[2], L(0, "exceptions:page_fault_user", "address=0x200000000000 ip=0x401000 error_code=0x6")].join("\n") + "\n", 1, "error: t.trace: events out of time order: line 4 (1000.000000 s) comes after line 3 (1000.000003 s); write the trace with one perf script run (mmsim record does), not by joining or editing traces"),
  trace("other tracepoints only", [L(1, "sched:sched_switch", "prev_comm=a prev_pid=1"), L(2, "sched:sched_switch", "prev_comm=b prev_pid=2")].join("\n") + "\n", 1, "error: t.trace: not recorded with mmsim record's tracepoints: no exceptions:page_fault_user/kernel and no syscalls:sys_enter/exit_{mmap,munmap,madvise,mprotect,mremap,brk} events (it has sched:sched_switch 2); record with `mmsim record`"),
  trace("faults without syscalls", [MMAP[0], MMAP[3]].join("\n") + "\n", 1, "error: t.trace: not recorded with mmsim record's tracepoints: no syscalls:sys_enter/exit_{mmap,munmap,madvise,mprotect,mremap,brk} events; record with `mmsim record`"),
  trace("syscalls without faults", MMAP.slice(0, 3).join("\n") + "\n", 1, "error: t.trace: not recorded with mmsim record's tracepoints: no exceptions:page_fault_user/kernel events; record with `mmsim record`"),
  trace("a process not in the trace", GOOD_TRACE, 1, "error: t.trace: process 77 is not in the trace (processes: 4242 (p))", ["--pid", "77"]),
  trace("gzip that is not gzip", "\u001f\u008bnot really gzip", 1, "error: t.trace: no trace events (is it perf script output of `mmsim record`?)"),
  { name: "trace: gzip file that is corrupt", argv: ["replay", "t.trace.gz", "--reclaim", "none"], files: { "t.trace.gz": "\u001f\u008b\u0008garbage" }, code: 1, first: "error: cannot read trace t.trace.gz: unknown header flags set" },
  {
    name: "trace: perf record's binary data file",
    argv: ["replay", "t.trace.data", "--reclaim", "none"],
    files: { "t.trace.data": "PERFILE2h\u0000\u0000\u0000\u0000\u0000\u0000\u0000" },
    code: 1,
    first:
      "error: cannot read trace t.trace.data: it is perf record's binary data file (perf.data), not perf script text: convert it with `perf script -i t.trace.data --show-lost-events -F comm,pid,tid,cpu,time,event,trace > t.trace.data.trace` (what mmsim record does), or record with mmsim record",
  },
  { name: "trace: a directory", argv: ["replay", "d.trace", "--reclaim", "none"], files: { "d.trace/x": "" }, code: 1, first: "error: cannot read trace d.trace: illegal operation on a directory" },
  trace("truncated payload with --strict", MMAP.slice(0, 2).join("\n").slice(0, -20) + "\n", 1, "error: t.trace: line 2: syscalls:sys_enter_mmap: missing field 'off' (truncated line?):                p 4242/4242 [000] 1000.000002:        syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x00400000, prot: 0x00000003, flags: 0x00000022, fd: 0xffff... (--strict)", ["--strict"]),

  // Schedules
  schedule("not a schedule", "abc", 2, "error: --replay abc: not a schedule (expected s1:a12b3... as explore prints it)"),
  schedule("wrong version", "s2:a1", 2, "error: --replay s2:a1: not a schedule (expected s1:a12b3... as explore prints it)"),
  schedule("empty", "s1:", 2, "error: --replay s1:: an empty schedule"),
  schedule("an actor the scenario does not have", "s1:a1z1", 2, "error: --replay s1:a1z1: names actor 'z', but fault-vs-dontneed has 2: a (dontneed), b (fault)"),
  schedule("far too long", "s1:a99999999999", 2, "error: --replay s1:a99999999999: more than 200000 steps (an execution takes fewer)"),
  schedule("more steps than an execution takes", "s1:a200001", 2, "error: --replay s1:a200001: more than 200000 steps (an execution takes fewer)"),
  schedule("recorded for another scenario", "s1:a1@00000000", 2, `error: --replay s1:a1@00000000: recorded for another scenario (fingerprint 00000000; fault-vs-dontneed is ${FINGERPRINT})`),
  schedule("fingerprint not hex", "s1:a1@zzzzzzzz", 2, "error: --replay s1:a1@zzzzzzzz: not a schedule (expected s1:a12b3... as explore prints it)"),
  schedule("too short for the execution", "s1:a1", 2, "error: --replay s1:a1: schedule diverges at step 1: its 1 choice(s) are used up but the execution goes on (runnable: a (dontneed), b (fault))"),
  schedule("a switch, then too few steps", "s1:b1a500", 2, "error: --replay s1:b1a500: schedule diverges at step 501: its 501 choice(s) are used up but the execution goes on (runnable: a (dontneed), b (fault))"),
];
