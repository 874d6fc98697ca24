/**
 * expectingFailures(): a pinned finding must happen, with its rule; every other
 * check must pass. Mutants: a wrapper that lets a vanished finding pass, and one
 * that accepts any failure, are each caught below.
 */
import { describe, expect, it } from "vitest";
import { expectingFailures } from "./expected_failures.js";
import type { TestApi } from "./run.js";

/** Registers tests into a list, then runs one by name and reports its outcome. */
function harness(wrap: (api: TestApi) => TestApi) {
  const tests = new Map<string, () => void | Promise<void>>();
  const api = wrap({ describe: (_n, fn) => fn(), it: (name, fn) => tests.set(name, fn) });
  return async (name: string, body: () => void): Promise<string> => {
    api.it(name, body);
    try {
      await tests.get(name)!();
      return "pass";
    } catch (e) {
      return `fail: ${(e as Error).message}`;
    }
  };
}

const expected = { "scan-speculative-walk": /^stale paging-structure cache/ };
const boom = (m: string) => () => {
  throw new Error(m);
};

describe("expectingFailures", () => {
  it("a pinned check passes only when it fails with its rule", async () => {
    const run = harness((api) => expectingFailures(api, expected));
    expect(await run("scan-speculative-walk: explored", boom("stale paging-structure cache: CPU 2"))).toBe("pass");
    expect(await run("scan-speculative-walk: explored", () => {})).toMatch(/did not happen/);
    expect(await run("scan-speculative-walk: explored", boom("lost mapping: d2"))).toMatch(/expected the known failure/);
  });

  it("every other check runs as is", async () => {
    const run = harness((api) => expectingFailures(api, expected));
    expect(await run("fault-vs-dontneed: explored", () => {})).toBe("pass");
    expect(await run("fault-vs-dontneed: explored", boom("lost mapping"))).toBe("fail: lost mapping");
    // a check named like an Object.prototype member is not "expected"
    expect(await run("constructor: explored", boom("x"))).toBe("fail: x");
  });

  it("mutants of the wrapper are caught", async () => {
    // lets a vanished finding pass
    const lenient: typeof expectingFailures = (api, exp) => ({
      describe: api.describe,
      it: (name, fn, t) => api.it(name, async () => {
        const want = exp[name.split(":")[0]];
        if (!want) return fn();
        try {
          await fn();
        } catch (e) {
          if (!want.test((e as Error).message)) throw e;
        }
      }, t),
    });
    expect(await harness((api) => lenient(api, expected))("scan-speculative-walk: x", () => {})).toBe("pass"); // the real one fails it
    // accepts any failure
    const anyFailure: typeof expectingFailures = (api, exp) => ({
      describe: api.describe,
      it: (name, fn, t) => api.it(name, async () => {
        if (!exp[name.split(":")[0]]) return fn();
        try {
          await fn();
        } catch {
          return;
        }
        throw new Error("did not happen");
      }, t),
    });
    expect(await harness((api) => anyFailure(api, expected))("scan-speculative-walk: x", boom("lost mapping"))).toBe("pass"); // the real one fails it
    const real = harness((api) => expectingFailures(api, expected));
    expect(await real("scan-speculative-walk: x", () => {})).not.toBe("pass");
    expect(await real("scan-speculative-walk: x", boom("lost mapping"))).not.toBe("pass");
  });
});
