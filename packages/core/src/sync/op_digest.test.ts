// Op.digest_into (packages/bench's whole-state digest): an idle Op digests the same
// whatever it ran last (a plugin's twins call the API's `$sync` and leave it untouched,
// the generator path sets it); a pending one (a stepping task at its point) does not.
import { describe, expect, it } from "vitest";
import type { Task } from "../types/sched.js";
import { Op } from "./op.js";

const bytes = (op: Op): string => {
  let s = "";
  op.digest_into((b) => (s += new TextDecoder().decode(b)));
  return s;
};
const task = (stepping: boolean) => ({ stepping, on_point: null, trace_stack: false }) as unknown as Task;

describe("Op.digest_into", () => {
  it("an idle Op: the same digest after any operation, or none", () => {
    const t = task(false);
    const fresh = new Op(t);
    const used = new Op(t);
    const r = used.set(1, "spin_unlock", (_t, a: number, b: number) => a + b, 2, 3).next();
    expect(r).toEqual({ done: true, value: 5 });
    expect(bytes(used)).toBe(bytes(fresh));
  });

  it("a pending Op (stepping, stopped at its point) digests apart, by what it will do", () => {
    const op = new Op(task(true));
    const idle = bytes(op);
    expect(op.set(1, "spin_lock", () => 0, null, null).next().done).toBe(false);
    const pending = bytes(op);
    expect(pending).not.toBe(idle);
    expect(pending).toContain("spin_lock");
  });
});
