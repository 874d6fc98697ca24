/**
 * The lone-run flag. While it is on, every kernel path called from a generator
 * runs as its lone variant `f$lone` (build/desync.mjs): a plain function whose
 * primitives still pass their preemption points (the Op calls the scheduler's
 * step in place, Task.on_point) but with no generator object, no `yield*`
 * delegation and no iterator result per kernel-path call. The explorer
 * (check/execution.ts) turns it on while the task it steps is the only actor
 * left that can ever run again (every other one has returned to user space, no
 * hardware walker), where no step can be handed back to its loop: every point is
 * taken in place, a blocked point included. Off everywhere else (the setup,
 * bulk runs, traced replays, the trampoline). Not a Linux mechanism.
 *
 * One object on globalThis, read by every module's generated code
 * (`const __LONE = globalThis.__mmsim_lone ??= { on: false }`): a plugin built
 * against its own copy of core shares it.
 */
export const LONE: { on: boolean } = ((globalThis as { __mmsim_lone?: { on: boolean } }).__mmsim_lone ??= { on: false });
