/** The part of @bcoe/v8-coverage (c8's V8 coverage merger; ships no types) the kit uses. */
declare module "@bcoe/v8-coverage" {
  import type { Profiler } from "node:inspector";
  /** Merges coverage of one script taken several times (or in several processes) into one, as c8 does. */
  export function mergeScriptCovs(scriptCovs: readonly Profiler.ScriptCoverage[]): Profiler.ScriptCoverage | undefined;
}
