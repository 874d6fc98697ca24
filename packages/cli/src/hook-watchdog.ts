/**
 * The hook watchdog: a plugin hook that never returns (a `for (;;)` in a plain
 * hook, or a kernel-path hook looping over kernel functions) is stopped, with
 * an error naming the plugin and the hook and the command that replays it, where
 * it used to hang `mmsim run`, `compare`, `fuzz`, `explore` and `conformance`.
 *
 * Why a thread: core runs hooks as plain JavaScript. Outside the explorer a
 * kernel path is one synchronous call (a task that is not stepping never yields,
 * sched/runner.ts), so a budget of steps cannot see a hook that loops, and a
 * check in every kernel function would slow the hot paths (the seed loop). Under
 * the explorer a hook that loops by yielding is already stopped by its step
 * budget (ExploreOptions.max_steps: "no progress after 200000 steps (livelock?)",
 * with a replayable schedule); the watchdog is for the synchronous case.
 *
 * How: only the `mmsim` executable arms it (mmsim.ts, as it sets its V8 flags:
 * an embedding program's main() is never stopped), and only for a plugin loaded
 * from a module, a package directory or an installed package (a bundled design
 * or a mutant is not watched, and costs nothing more). Such a plugin's guarded
 * hooks (plugin-guard.ts) write, at every entry and return, the hook running and
 * a counter into a SharedArrayBuffer; a worker thread, started with the first
 * watched plugin, reads them every quarter of the timeout. When the same hook has
 * been running for the whole timeout without returning or calling any other hook,
 * the worker prints the error to stderr and stops the main thread's JavaScript
 * through the inspector (Runtime.terminateExecution: no `finally` of the hung code
 * runs, nothing more is printed), and the process exits with code 1 (a plugin's
 * failure, as a hook's throw).
 *
 * MMSIM_HOOK_TIMEOUT sets the timeout in seconds (default 30; 0 turns the watchdog
 * off). The replay command is the command line itself: runs are deterministic, so
 * it hangs at the same hook again. Not stopped: a hook that loops calling other
 * hooks of the plugin (each call is progress), and anything outside the `mmsim`
 * executable (runConformance() in a test runner: use the runner's own timeout,
 * which a synchronous loop defeats too; run the CLI's `mmsim conformance` instead).
 */

import { UsageError } from "./errors.js";

/** The global the `mmsim` executable sets to arm the watchdog (no import: mmsim.ts loads nothing before main). */
export const WATCHDOG_KEY = Symbol.for("mmsim.hook-watchdog");

/** What mmsim.ts stores under WATCHDOG_KEY: the command line, for the replay line. */
export interface WatchdogArm {
  readonly argv: readonly string[];
}

/** W[0]: the id of the hook running (0: none); W[1]: entries and returns, counted; W[2]: 1 once the watchdog fired. */
export type WatchWords = Int32Array;

interface Watchdog {
  readonly words: WatchWords;
  /** Hook ids by `plugin\0hook`. */
  readonly ids: Map<string, number>;
  readonly post: (names: [string, string][]) => void;
}

let watchdog: Watchdog | null | undefined;

/** The default timeout, in seconds. */
export const DEFAULT_HOOK_TIMEOUT_S = 30;

/** The timeout MMSIM_HOOK_TIMEOUT asks for, in ms (0: off); a bad value is an error naming the variable. */
export function hookTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.MMSIM_HOOK_TIMEOUT;
  if (v === undefined || v === "") return DEFAULT_HOOK_TIMEOUT_S * 1000;
  const s = Number(v);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || !Number.isFinite(s)) throw new UsageError(`MMSIM_HOOK_TIMEOUT=${JSON.stringify(v)}: not a number of seconds (0 turns the hook watchdog off)`);
  return Math.round(s * 1000);
}

/** A word of argv as a POSIX shell reads it back. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The worker's code (CommonJS, evaluated): polls the words, and stops the main thread when one hook has run for the whole timeout. */
const WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { Session } = require("node:inspector");
const W = new Int32Array(workerData.sab);
const names = [null];
parentPort.on("message", (m) => { for (const n of m) names.push(n); });
let seq = Atomics.load(W, 1), since = Date.now();
const timer = setInterval(() => {
  const s = Atomics.load(W, 1), cur = Atomics.load(W, 0);
  if (s !== seq || cur === 0 || names[cur] === undefined) { seq = s; since = Date.now(); return; }
  if (Date.now() - since < workerData.ms) return;
  clearInterval(timer);
  Atomics.store(W, 2, 1);
  const [plugin, hook] = names[cur];
  writeSync(2, "error: plugin '" + plugin + "': hook " + hook + " did not return within " + workerData.ms / 1000 + " s (a loop that never ends?); mmsim stopped it (MMSIM_HOOK_TIMEOUT sets the timeout)\\nreplay: " + workerData.replay + "\\n");
  const session = new Session();
  session.connectToMainThread();
  session.post("Runtime.terminateExecution");
}, Math.max(10, Math.min(1000, workerData.ms / 4)));
`;

function start(arm: WatchdogArm): Watchdog | null {
  const ms = hookTimeoutMs();
  if (ms === 0) return null;
  const { Worker } = process.getBuiltinModule("node:worker_threads");
  const sab = new SharedArrayBuffer(3 * 4);
  const words = new Int32Array(sab);
  const replay = ["mmsim", ...arm.argv].map(shellWord).join(" ");
  const worker = new Worker(WORKER, { eval: true, workerData: { sab, ms, replay }, stdout: false, stderr: false });
  worker.unref();
  // The main thread's JavaScript was stopped: its pending `await main()` never settles; exit 1, as for a hook's throw.
  process.on("exit", () => {
    if (Atomics.load(words, 2) === 1) process.exitCode = 1;
  });
  return { words, ids: new Map(), post: (names) => worker.postMessage(names) };
}

/**
 * The shared words and `hook`'s id for `plugin`'s hooks, or null when the watchdog
 * is not armed (not the `mmsim` executable) or is off. Starts the worker on first use.
 */
export function watchHooks(plugin: string, hooks: readonly string[]): { words: WatchWords; id: (hook: string) => number } | null {
  if (watchdog === undefined) {
    const arm = (globalThis as Record<symbol, unknown>)[WATCHDOG_KEY] as WatchdogArm | undefined;
    watchdog = arm === undefined ? null : start(arm);
  }
  if (watchdog === null) return null;
  const w = watchdog;
  const fresh: [string, string][] = [];
  for (const h of hooks) {
    const key = `${plugin}\0${h}`;
    if (!w.ids.has(key)) {
      w.ids.set(key, w.ids.size + 1);
      fresh.push([plugin, h]);
    }
  }
  if (fresh.length) w.post(fresh);
  return { words: w.words, id: (h) => w.ids.get(`${plugin}\0${h}`)! };
}
