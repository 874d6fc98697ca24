/**
 * A progress bar on stderr for long runs. It starts lazily: only once a run has
 * taken a second, so short runs print nothing. Runs are synchronous, so the bar
 * is drawn from the runner's onProgress callback, not from a timer.
 */
import type * as CliProgress from "cli-progress";

/**
 * cli-progress (CommonJS), loaded when a bar is first drawn: short runs never
 * load it, nor node:module (process.getBuiltinModule, not an `import`: the ESM
 * import of node:module, whose facade reads every export and so loads Node's
 * source-map support, cost every `mmsim run` ~0.3 ms; issue #10 start-up).
 */
function cliProgress(): typeof CliProgress {
  return process.getBuiltinModule("node:module").createRequire(import.meta.url)("cli-progress") as typeof CliProgress;
}

export interface Progress {
  /** `done` of `total` operations finished. */
  update(done: number, total: number): void;
  /** Erases the bar before other output goes to the terminal (redrawn on the next update). */
  clear(): void;
  /** Removes the bar for good. */
  stop(): void;
}

export const NO_PROGRESS: Progress = { update: () => undefined, clear: () => undefined, stop: () => undefined };

export interface ProgressOptions {
  /** Shown before the bar (e.g. the reclaim plugin's name). */
  label: string;
  /** How long a run must go on before the bar appears (default: $MMSIM_PROGRESS_DELAY_MS, else 1000 ms). */
  delayMs?: number;
  /** The clock, in ms (default: process.hrtime, in ms). */
  now?: () => number;
  /** What is counted (default "ops"): "checks", "executions". */
  unit?: string;
}

/** $MMSIM_PROGRESS_DELAY_MS when it is a non-negative number of milliseconds, else 1000. */
function progressDelayFromEnv(): number {
  const v = Number(process.env.MMSIM_PROGRESS_DELAY_MS);
  return process.env.MMSIM_PROGRESS_DELAY_MS !== undefined && process.env.MMSIM_PROGRESS_DELAY_MS !== "" && Number.isFinite(v) && v >= 0 ? v : 1000;
}

/** A lazy progress bar on `stream`, or NO_PROGRESS when there is no terminal. */
export function createProgress(stream: NodeJS.WritableStream | null, opts: ProgressOptions): Progress {
  return stream ? new LazyBar(stream, opts) : NO_PROGRESS;
}

/** process.hrtime in milliseconds. */
function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * cli-progress draws its bar with the terminal's auto-wrap off (DEC mode 7) and,
 * when it stops, returns the cursor to where it was when the bar started (ESC 7 /
 * ESC 8). Both assume nothing else is printed while the bar is up; but `run`
 * prints status lines and `conformance` its report between updates. So text is
 * written with auto-wrap on (a long line, such as a replay command, wraps instead
 * of being cut at the terminal's width), and the cursor is saved again just
 * before the bar stops (the restore lands on the current line, not on the line
 * where the bar first appeared, which would put the next shell prompt in the
 * middle of the report).
 */
const WRAP_ON = "\x1b[?7h";
const WRAP_OFF = "\x1b[?7l";
const SAVE_CURSOR = "\x1b7";

class LazyBar implements Progress {
  private bar: CliProgress.SingleBar | null = null;
  /** clear() erased the bar and turned auto-wrap back on for the text after it. */
  private cleared = false;
  private readonly start: number;
  private readonly now: () => number;
  private readonly delayMs: number;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly opts: ProgressOptions,
  ) {
    // process.hrtime, not performance.now(): the same monotonic clock, without loading
    // perf_hooks (nine modules) on first use of the `performance` global: ~0.5 ms, and
    // more in the bin, which loads it after setting its V8 flags (v8-tuning.ts: then
    // compiled without Node's code cache). A bar is made whenever stderr is a terminal.
    this.now = opts.now ?? hrtimeMs;
    this.delayMs = opts.delayMs ?? progressDelayFromEnv();
    this.start = this.now();
  }

  update(done: number, total: number): void {
    if (this.bar) {
      if (this.cleared) this.stream.write(WRAP_OFF);
      this.cleared = false;
      this.bar.setTotal(total);
      this.bar.update(done);
    } else if (this.now() - this.start >= this.delayMs) {
      this.bar = this.makeBar();
      this.bar.start(total, done, { label: this.opts.label });
    }
  }

  clear(): void {
    if (!this.bar) return;
    this.stream.write("\r\x1b[2K" + WRAP_ON);
    this.cleared = true;
  }

  stop(): void {
    if (!this.bar) return;
    this.stream.write(SAVE_CURSOR); // cli-progress's stop() restores the cursor: to this line
    this.bar.stop();
    this.bar = null;
    this.cleared = false;
  }

  private makeBar(): CliProgress.SingleBar {
    const cp = cliProgress();
    return new cp.SingleBar(
      {
        stream: this.stream,
        format: `{label} [{bar}] {percentage}% | {value}/{total} ${this.opts.unit ?? "ops"} | ETA {eta_formatted}`,
        barsize: 30,
        clearOnComplete: true,
        hideCursor: false,
        gracefulExit: false,
      },
      cp.Presets.shades_classic,
    );
  }
}
