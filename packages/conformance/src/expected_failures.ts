/**
 * A design's known findings, pinned: a TestApi whose checks named in `expected`
 * (by check name, the part of the test name before ":") must fail with a message
 * matching the rule given, and whose other checks must pass. The mutation jobs
 * use it as their suite (`mutation/kit.mutation.test.ts`): a mutant that makes a
 * known finding go away, or fail another way, is killed as surely as one that
 * breaks a passing check.
 */
import type { TestApi } from "./run.js";

export function expectingFailures(api: TestApi, expected: Readonly<Record<string, RegExp>>): TestApi {
  return {
    describe: api.describe,
    it: (name, fn, timeout) =>
      api.it(
        name,
        async () => {
          const check = name.split(":")[0];
          const want = Object.hasOwn(expected, check) ? expected[check] : undefined;
          if (want === undefined) return fn();
          let message: string | null = null;
          try {
            await fn();
          } catch (e) {
            message = e instanceof Error ? e.message : String(e);
          }
          if (message === null) throw new Error(`${check}: the known failure ${want} did not happen (the check passed)`);
          if (!want.test(message)) throw new Error(`${check}: expected the known failure ${want}, got: ${message}`);
        },
        timeout,
      ),
  };
}
