/**
 * The lone-run flag. While it is on, every kernel path called from a generator
 * runs as its lone variant `f$lone` (build/desync.mjs): a plain function whose
 * primitives still pass their preemption points (the Op calls the scheduler's
 * step in place, Task.on_point) but with no generator object, no `yield*`
 * delegation and no iterator result per kernel-path call. The explorer
 * (check/execution.ts) turns it on while its loop resumes a task; that task
 * then cannot yield, so where it would (another actor picked, a blocked point,
 * the step limit) the loop runs nested inside its point, with the flag off: the
 * other actors run as generators and yield to that nested loop, until the
 * strategy picks the first task again. Off everywhere else (the setup, bulk
 * runs, traced replays, the trampoline). Not a Linux mechanism.
 *
 * One object on globalThis, read by every module's generated code
 * (`const __LONE = globalThis.__mmsim_lone ??= { on: false }`): a plugin built
 * against its own copy of core shares it.
 */
export const LONE: { on: boolean } = ((globalThis as { __mmsim_lone?: { on: boolean } }).__mmsim_lone ??= { on: false });
