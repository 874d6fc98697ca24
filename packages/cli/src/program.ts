/**
 * The mmsim command line as a commander program: `runProgram(argv, io)` parses
 * and runs one command and returns its exit code. cli.ts's main() calls it for
 * every command line but the plain `mmsim run` ones (run-argv.ts), and imports
 * it (and commander) only then (issue #10 start-up).
 */
import { Command, CommanderError } from "commander";
import { Option } from "commander";
// The commands are imported when one runs (not at start-up): `mmsim run` loads
// neither the explorer, the conformance kit, the host helper nor the trace
// reader (issue #10 §1). Types only here.
import type { CompareCommandOptions } from "./commands/compare.js";
import type { ConformanceCommandOptions } from "./commands/conformance.js";
import type { ExploreCommandOptions } from "./commands/explore.js";
import type { FuzzCommandOptions } from "./commands/fuzz.js";
import type { ReplayCommandOptions } from "./commands/replay.js";
import type { ListCommandOptions } from "./commands/list.js";
import type { RunCommandOptions } from "./commands/run.js";
import { archOption, iecOption, jsonOption, plotOption, reclaimListOption, reclaimOption } from "./commands/options.js";
import { loadMutants } from "./plugins.js";
import { shardOption } from "./shard.js";
import { EXIT_OK, EXIT_USAGE } from "./errors.js";
import type { Io } from "./io.js";
import { reportError } from "./report.js";
import { VERSION } from "./version.js";

const WORKLOAD_ARG = "a builtin workload (see `mmsim list`) or a workload script file";

const EXAMPLES = `
Examples:
  mmsim run seed-small
  mmsim run my.mms --reclaim pt-reclaim
  mmsim compare seed --json
  mmsim compare seed-small --reclaim none,./my-plugin.mjs
  mmsim list
  mmsim explore fault-vs-dontneed --reclaim mutant:no-rescan --strategy pct
  mmsim conformance pt-reclaim --junit report.xml
  mmsim fuzz pt-reclaim --ops 1000000 --seed 7 --shard 1/4
  mmsim host my.mms            # the same script on the running kernel
  mmsim check-host corpus/*.wl --reclaim pt-reclaim
  mmsim record -o ls.trace -- ls -l
  mmsim replay ls.trace --reclaim none,pt-reclaim`;

/** Runs the command in `argv` (the arguments after the program name) through commander; resolves to the exit code. */
export async function runProgram(argv: readonly string[], io: Io): Promise<number> {
  let code = EXIT_OK;
  const only = COMMANDS.find((c) => c === argv[0]);
  const program = buildProgram(io, (c) => (code = c), only);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    return report(e, io);
  }
}

/** The subcommands' names, in the order `--help` lists them. */
const COMMANDS = ["run", "compare", "explore", "conformance", "merge", "fuzz", "host", "check-host", "record", "replay", "list"] as const;

/**
 * The commander program; `setExit` receives each action's exit code. With
 * `only` (a subcommand's name), the program gets that subcommand alone: what
 * `runProgram` builds when the command line starts with it, since commander then
 * dispatches to it and consults no other (help, errors and suggestions for a
 * subcommand name none of its siblings). Building eleven subcommands' options
 * costs ~2 ms of start-up (issue #10).
 */
export function buildProgram(io: Io, setExit: (code: number) => void, only?: (typeof COMMANDS)[number]): Command {
  const want = (name: (typeof COMMANDS)[number]) => only === undefined || only === name;
  const program = new Command("mmsim")
    .description("Simulate Linux user page-table management: run and compare workload scripts")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError("(use --help for usage)")
    .addHelpText("after", EXAMPLES)
    // `mutant:<name>` words are parsed against the mutants of @mmsim/conformance: load
    // them (only then) before the command parses its options.
    .hook("preSubcommand", async (cmd) => {
      if (cmd.args.some((a) => a.includes("mutant:"))) await loadMutants();
    });

  if (want("run"))
    program
      .command("run")
      .description("run a workload once; print its status lines and the final /proc/<pid>/status")
      .argument("<workload>", WORKLOAD_ARG)
      .addOption(reclaimOption())
      .addOption(jsonOption("{ reclaim, lines, statuses, final }"))
      .addOption(archOption())
      .addOption(plotOption("at each status line"))
      .action(async (target: string, opts: RunCommandOptions) => setExit(await (await import("./commands/run.js")).runCommand(target, opts, io)));

  if (want("compare"))
    program
      .command("compare")
      .description("run a workload once per reclaim plugin; compare VIRT, RES and VmPTE at its first and last status line")
      .argument("<workload>", WORKLOAD_ARG)
      .addOption(reclaimListOption())
      .addOption(jsonOption("[{ reclaim, before, after }] (kB)"))
      .addOption(archOption())
      .addOption(iecOption())
      .addOption(plotOption("at each status line"))
      .action(async (target: string, opts: CompareCommandOptions) => setExit(await (await import("./commands/compare.js")).compareCommand(target, opts, io)));

  if (want("explore"))
    program
      .command("explore")
      .description("interleave a race scenario's actors at every preemption point until a rule breaks; print a replayable schedule")
      .argument("<scenario>", "a bundled scenario (see `mmsim list`) or a scenario .json file")
      .addOption(reclaimOption())
      .addOption(new Option("--strategy <name>", "pct, random or dfs (bounded preemptions)").choices(["pct", "random", "dfs"]).default("pct"))
      .option("--budget <n>", "executions to try", "500")
      .option("--seed <n>", "seed of the random and pct strategies", "1")
      .option("--depth <d>", "pct bug depth", "3")
      .option("--preemption-bound <k>", "dfs preemption bound", "2")
      .option("--replay <schedule>", "replay one schedule (s1:a12b3...) instead of exploring")
      .addOption(shardOption())
      .addOption(jsonOption("the result"))
      .addOption(archOption())
      .action(async (target: string, opts: ExploreCommandOptions & { preemptionBound: string }) =>
        setExit(await (await import("./commands/explore.js")).exploreCommand(target, { ...opts, bound: opts.preemptionBound }, io)),
      );

  if (want("conformance"))
    program
      .command("conformance")
      .description("run the conformance kit (effectiveness, races, differential fuzzing, leaks) on a plugin")
      .argument("<plugin>", "a bundled plugin name, mutant:<name>, or a plugin module path")
      .option("--budget <n>", "executions per race scenario and strategy", "150")
      .option("--fuzz-runs <n>", "random sequences for differential fuzzing", "40")
      .option("--seed <n>", "seed", "1")
      .option("--junit <file>", "also write a JUnit XML report")
      .option("--coverage", "also report which branches of the plugin's own source the kit executed, and which hooks never ran")
      .addOption(shardOption())
      .addOption(jsonOption("the report"))
      .addOption(archOption())
      .action(async (target: string, opts: ConformanceCommandOptions) => setExit(await (await import("./commands/conformance.js")).conformanceCommand(target, opts, io)));

  if (want("merge"))
    program
      .command("merge")
      .description("combine the --json results of a campaign's shards (--shard i/n) into what the unsharded run prints")
      .argument("<files...>", "the shards' --json files, one per shard, any order")
      .action(async (files: string[]) => setExit(await (await import("./commands/merge.js")).mergeCommand(files, io)));

  if (want("fuzz"))
    program
      .command("fuzz")
      .description("differential fuzzing at scale: random operations with the plugin and on Linux without reclaim; a divergence is printed shrunk, with a replay command")
      .argument("<plugin>", "a bundled plugin name, mutant:<name>, or a plugin module path")
      .option("--ops <n>", "operations to run (over all shards)", "100000")
      .option("--seed <n>", "seed", "1")
      .option("--replay <ops>", "run one sequence (the JSON array a divergence prints) instead of a random campaign")
      .addOption(shardOption())
      .addOption(jsonOption("the result"))
      .addOption(archOption())
      .action(async (target: string, opts: FuzzCommandOptions) => setExit(await (await import("./commands/fuzz.js")).fuzzCommand(target, opts, io)));

  const line = { out: (s: string) => io.out(s + "\n"), err: (s: string) => io.err(s + "\n") };
  if (want("host"))
    program
      .command("host")
      .description("run a workload script on the running Linux kernel (C helper built with cc); prints what `mmsim run` prints")
      .argument("<script>", WORKLOAD_ARG)
      .action(async (path: string) => setExit(await (await import("./commands/host.js")).hostCommand(path, line, {}, io.cwd)));

  if (want("check-host"))
    program
      .command("check-host")
      .description("run scripts on the simulator and on the running kernel and compare every status and error line; --random N: N seeded random scripts, mismatches shrunk")
      .argument("[scripts...]", "workload scripts (none with --random or --case)")
      .option("--reclaim <plugin>", "the simulator's plugin, as `run` takes it (default: pt-reclaim if the running kernel has CONFIG_PT_RECLAIM, else none; said on stderr)")
      .option("--rss-tolerance <kB>", "allowed dVmRSS difference (default: 0, see host/README)")
      .option("--random <n>", "compare n random scripts instead (fixed-address mappings, every advice the model knows, mprotect, munmap, memory pressure)")
      .option("--seed <n>", "the random scripts' seed (default 1)")
      .option("--case <k>", "only random case k of the seed (what a mismatch's replay command gives)")
      .option("--out <dir>", "write each mismatch's shrunk script to <dir>/random-SEED-CASE.wl")
      .option("--no-pressure", "no `reclaim` statements in random scripts (they need root and a cgroup v1 memory controller on the host)")
      .action(
        async (
          paths: string[],
          o: { reclaim?: string; rssTolerance?: string; random?: string; seed?: string; case?: string; out?: string; pressure: boolean },
          cmd: Command,
        ) => {
          const random = o.random !== undefined || o.case !== undefined;
          // Scripts are optional only with --random/--case: without them, the usage error commander gives for a missing argument.
          if (!random && paths.length === 0) cmd.error("error: missing required argument 'scripts'", { exitCode: 1, code: "commander.missingArgument" });
          const host = await import("./commands/host.js");
          if (!random && (o.seed !== undefined || o.out !== undefined || !o.pressure)) {
            line.err("mmsim check-host: --seed, --out and --no-pressure go with --random or --case");
            return setExit(2);
          }
          if (random && paths.length > 0) {
            line.err(`mmsim check-host: give scripts or --random/--case, not both (got ${paths.length} script${paths.length === 1 ? "" : "s"})`);
            return setExit(2);
          }
          setExit(
            random
              ? await host.randomCheckHostCommand({ ...o, cwd: io.cwd, progress: io.progress }, line)
              : await host.checkHostCommand(paths, { reclaim: o.reclaim, rssTolerance: o.rssTolerance, cwd: io.cwd }, line),
          );
        },
      );

  if (want("record"))
    program
      .command("record")
      .description("run a command under perf, recording its page faults, memory syscalls and process events for `mmsim replay`")
      .usage("[options] -- <command...>")
      .argument("<command...>", "the program to run and its arguments (after --)")
      .option("-o, --output <file>", "the trace file to write", "mmsim.trace")
      .option("--perf <path>", "the perf binary (default: $PERF, else perf on PATH)")
      .option("--keep-data", "keep perf's <file>.data")
      .action(async (command: string[], opts: { output: string; perf?: string; keepData?: boolean }) =>
        setExit(
          await (await import("./commands/record.js")).recordCommand(
            ["-o", opts.output, ...(opts.perf !== undefined ? ["--perf", opts.perf] : []), ...(opts.keepData ? ["--keep-data"] : []), "--", ...command],
            io,
          ),
        ),
      );

  if (want("replay"))
    program
      .command("replay")
      .description("replay a recorded program into the simulator; print its final VmSize, VmRSS and VmPTE under each reclaim plugin")
      .argument("<trace>", "perf script text written by `mmsim record` (.gz accepted)")
      .addOption(reclaimListOption())
      .option("--pid <pid>", "the process to report (default: the first that exec'd)")
      .option("--expected <file>", "JSON with the program's own final { VmSize, VmRSS, VmPTE } (kB) to compare against")
      .option("--strict", "stop at the first malformed line instead of reporting it")
      .addOption(jsonOption("{ trace, pid, comm, expected, results: [{ reclaim, status, vmPteErrorPct }], summary, global, warnings }"))
      .addOption(archOption())
      .addOption(iecOption())
      .addOption(plotOption("of the selected process over the trace's time"))
      .action(async (trace: string, opts: ReplayCommandOptions) => setExit(await (await import("./commands/replay.js")).replayCommand(trace, opts, io)));

  if (want("list"))
    program
      .command("list")
      .description("list the builtin workloads and the installed reclaim plugins")
      .addOption(jsonOption("the lists"))
      .action(async (opts: ListCommandOptions) => setExit(await (await import("./commands/list.js")).listCommand(opts, io)));

  return program;
}

/** Commander has already printed its own errors; help and --version exit 0, every other parse failure 2. */
function report(e: unknown, io: Io): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  return reportError(e, io);
}
