/**
 * A scenario JSON file, validated with valibot where it is loaded (the CLI), so
 * core's hot paths stay free of dependencies. Each error names the path of the bad
 * field (`actors[1].ops[0].advice: unknown advice "dontnee" (expected ...)`).
 *
 * Beyond the shape: an actor's CPU and every walker CPU below MAX_SCENARIO_CPUS;
 * at most 26 actors and walkers together (a schedule names each by a letter);
 * every range inside the scenario's 512 GiB slot; an op that touches or walks
 * memory page by page at most MAX_PAGES_PER_OP pages (a race scenario is small;
 * a bigger one would run for hours at every preemption point).
 *
 * A new op kind in core's ScenarioOp (check/scenario.ts) goes into `Op` here too:
 * the test that every bundled scenario passes fails until it does.
 */
import { MAX_SCENARIO_CPUS, SCENARIO_SLOT_BYTES, scenarioSize, type Scenario } from "@mmsim/core/check";
import * as v from "valibot";

/** The most pages one touch, gup_fast or walk may cover. */
export const MAX_PAGES_PER_OP = 262_144;
/** Actors and hardware walkers together: a schedule names each by one letter, a to z. */
export const MAX_SCENARIO_ACTORS = 26;

const SIZE_TEXT = /^\s*(0x[0-9a-f]+|\d+)([KMGT]?)\s*$/i;

/** A size or offset: a non-negative integer, or text such as "4K", "2M", "0x2000". */
const Size = v.custom<number | string>(
  (x) => (typeof x === "number" && Number.isSafeInteger(x) && x >= 0) || (typeof x === "string" && SIZE_TEXT.test(x)),
  (i) => `expected a size (4096, "4K", "2M", "0x2000"), got ${show(i.input)}`,
);

const bool = (what: string) => v.boolean(`${what} must be true or false`);
const PROT = v.picklist(["rw", "r", "none"], (i) => `unknown protection ${show(i.input)} (expected rw, r, none)`);
const ADVICE = ["dontneed", "free", "pageout", "hugepage", "nohugepage"] as const;

const ranged = <T extends string>(op: T, extra: v.ObjectEntries = {}) => v.strictObject({ op: v.literal(op), at: Size, len: Size, ...extra });

const Op = v.variant(
  "op",
  [
    ranged("mmap", { shared: v.optional(bool("shared")), prot: v.optional(PROT), hugepage: v.optional(bool("hugepage")) }),
    ranged("touch", { write: v.optional(bool("write")), stride: v.optional(Size) }),
    // A raw advice value (a plugin's own, e.g. lazyfree's MADV_PT_RECLAIM = 200) is a non-negative integer.
    ranged("madvise", {
      advice: v.custom<(typeof ADVICE)[number] | number>(
        (x) => (ADVICE as readonly unknown[]).includes(x) || (typeof x === "number" && Number.isSafeInteger(x) && x >= 0),
        (i) => `unknown advice ${show(i.input)} (expected ${ADVICE.join(", ")}, or a number)`,
      ),
    }),
    ranged("munmap"),
    ranged("mprotect", { prot: PROT }),
    ranged("gup_fast"),
    ranged("walk", { sleep: v.optional(bool("sleep")) }),
    v.strictObject({ op: v.literal("khugepaged"), at: Size }),
    v.strictObject({
      op: v.literal("task_work"),
      ms: v.optional(
        v.custom<number>((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0 && x <= 60_000, (i) => `expected milliseconds from 0 to 60000, got ${show(i.input)}`),
      ),
    }),
    v.strictObject({ op: v.literal("exit") }),
    v.strictObject({ op: v.literal("swapon"), len: Size }),
    v.strictObject({ op: v.literal("reclaim"), len: Size, direct: v.optional(bool("direct")) }),
  ],
  (i) =>
    i.path?.[i.path.length - 1]?.key === "op" && i.input === undefined
      ? `missing field "op" (one of mmap, touch, madvise, munmap, mprotect, gup_fast, walk, khugepaged, task_work, exit, swapon, reclaim)`
      : i.path?.[i.path.length - 1]?.key === "op"
      ? `unknown op ${show(i.input)} (expected mmap, touch, madvise, munmap, mprotect, gup_fast, walk, khugepaged, task_work, exit, swapon, reclaim)`
      : `an operation must be an object with "op", got ${show(i.input)}`,
);

const Cpu = v.pipe(
  v.number((i) => `expected a CPU number, got ${show(i.input)}`),
  v.integer((i) => `expected a CPU number, got ${show(i.input)}`),
  v.minValue(0, (i) => `CPU ${show(i.input)} is negative`),
  v.maxValue(MAX_SCENARIO_CPUS - 1, (i) => `CPU ${show(i.input)} is beyond the model's ${MAX_SCENARIO_CPUS} CPUs (0-${MAX_SCENARIO_CPUS - 1})`),
);

const Ops = v.array(Op, (i) => `expected a list of operations, got ${show(i.input)}`);

const Actor = v.strictObject({
  name: v.pipe(v.string((i) => `expected a name, got ${show(i.input)}`), v.nonEmpty("the name is empty")),
  cpu: Cpu,
  ops: Ops,
});

export const ScenarioSchema = v.strictObject({
  $schema: v.optional(v.string()),
  $comment: v.optional(v.string()),
  name: v.pipe(v.string((i) => `expected a name, got ${show(i.input)}`), v.nonEmpty("the name is empty")),
  description: v.optional(v.string(), ""),
  requires: v.optional(v.string()),
  setup: Ops,
  actors: v.pipe(
    v.array(Actor, (i) => `expected a list of actors, got ${show(i.input)}`),
    v.minLength(1, "a scenario needs at least one actor"),
    v.maxLength(MAX_SCENARIO_ACTORS, `at most ${MAX_SCENARIO_ACTORS} actors`),
  ),
  hw_walkers: v.optional(v.array(Cpu)),
  lazy_cpus: v.optional(v.array(Cpu)),
  walk_at: v.optional(v.array(Size)),
  oracle: v.optional(bool("oracle")),
});

/** A scenario file's content that is not a scenario: the message names the file and the field. */
export class ScenarioFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScenarioFileError";
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function show(x: unknown): string {
  if (isObject(x) && "op" in x) return JSON.stringify(x.op);
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 40 ? s.slice(0, 37) + "..." : s;
}

/** `actors[1].ops[0].advice`, from valibot's path. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((p, i) => (typeof p.key === "number" ? `[${p.key}]` : `${i ? "." : ""}${String(p.key)}`)).join("");
}

function messageOf(issue: v.BaseIssue<unknown>): { path: string; message: string } {
  const path = pathOf(issue);
  if (issue.type === "strict_object") {
    const key = issue.path?.[issue.path.length - 1]?.key;
    const parent = path.slice(0, Math.max(0, path.length - String(key).length)).replace(/\.$/, "");
    return issue.expected === "never"
      ? { path: parent, message: `unknown field ${JSON.stringify(key)}` }
      : { path: parent, message: `missing field ${JSON.stringify(key)}` };
  }
  if (issue.type === "variant" && issue.path?.[issue.path.length - 1]?.key === "op") return { path: path.replace(/\.op$/, ""), message: issue.message };
  return { path, message: issue.message };
}

/**
 * The scenario in `text` (the content of `file`), checked; throws
 * ScenarioFileError `file: path: what is wrong`.
 */
export function parseScenarioFile(text: string, file: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, "")); // a UTF-8 byte order mark, as some Windows editors save JSON
  } catch (e) {
    throw new ScenarioFileError(`${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(json)) throw new ScenarioFileError(`${file}: a scenario must be a JSON object, got ${show(json)}`);
  const r = v.safeParse(ScenarioSchema, json, { abortEarly: true });
  if (!r.success) {
    const { path, message } = messageOf(r.issues[0]);
    throw new ScenarioFileError(`${file}: ${path ? `${path}: ` : ""}${message}`);
  }
  const s = r.output as Scenario;
  checkFits(s, file);
  return s;
}

/** What the shape cannot say: ranges inside the slot, page counts, actors and walkers together, one actor per CPU. */
function checkFits(s: Scenario, file: string): void {
  const fail = (path: string, message: string): never => {
    throw new ScenarioFileError(`${file}: ${path}: ${message}`);
  };
  const bytes = (value: string | number, path: string) => {
    const n = scenarioSize(value, path);
    if (n > SCENARIO_SLOT_BYTES) fail(path, `${show(value)} is beyond the scenario's 512G slot`);
    return n;
  };
  const ops = (list: Scenario["setup"], path: string) =>
    list.forEach((op, i) => {
      const at = "at" in op ? bytes(op.at, `${path}[${i}].at`) : 0;
      if (!("len" in op)) return;
      const len = bytes(op.len, `${path}[${i}].len`);
      if (at + len > SCENARIO_SLOT_BYTES) fail(`${path}[${i}]`, `at + len is beyond the scenario's 512G slot`);
      if ((op.op === "touch" || op.op === "gup_fast" || op.op === "walk") && len / 4096 > MAX_PAGES_PER_OP)
        fail(`${path}[${i}].len`, `${show(op.len)} is more than ${MAX_PAGES_PER_OP} pages (${(MAX_PAGES_PER_OP * 4096) / 2 ** 30}G) for one ${op.op}`);
      if (op.op === "touch" && op.stride !== undefined && bytes(op.stride, `${path}[${i}].stride`) === 0) fail(`${path}[${i}].stride`, "must be positive");
    });
  ops(s.setup, "setup");
  const cpus = new Map<number, number>();
  const names = new Map<string, number>();
  s.actors.forEach((a, i) => {
    const named = names.get(a.name);
    if (named !== undefined) fail(`actors[${i}].name`, `${show(a.name)} already names actors[${named}] (a violation and the trace's columns name the actor)`);
    names.set(a.name, i);
    const other = cpus.get(a.cpu);
    if (other !== undefined) fail(`actors[${i}].cpu`, `CPU ${a.cpu} already runs actors[${other}]`);
    cpus.set(a.cpu, i);
    ops(a.ops, `actors[${i}].ops`);
  });
  // A lazy-TLB CPU runs another task (a kernel thread) with the mm only loaded: not the CPU an actor's task runs on.
  (s.lazy_cpus ?? []).forEach((c, i) => {
    const actor = cpus.get(c);
    if (actor !== undefined) fail(`lazy_cpus[${i}]`, `CPU ${c} runs actors[${actor}], so it cannot be in lazy-TLB mode (give the lazy CPU one no actor runs on)`);
  });
  const walkers = new Set([...(s.hw_walkers ?? []), ...(s.lazy_cpus ?? [])]);
  if (s.actors.length + walkers.size > MAX_SCENARIO_ACTORS) fail("hw_walkers", `${s.actors.length} actors and ${walkers.size} walker CPUs: at most ${MAX_SCENARIO_ACTORS} together`);
  (s.walk_at ?? []).forEach((a, i) => bytes(a, `walk_at[${i}]`));
}
