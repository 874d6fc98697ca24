/** The deprecated alias loads the renamed package: the same factory, the same plugin. */
import * as rcu from "@mmsim/reclaim-rcu-freept";
import { describe, expect, it } from "vitest";
import * as alias from "./index.js";
import def, { freept } from "./index.js";

describe("@mmsim/reclaim-freept (deprecated alias)", () => {
  it("re-exports @mmsim/reclaim-rcu-freept; freept and the default are its factory", () => {
    expect(freept).toBe(rcu.rcuFreept);
    expect(def).toBe(rcu.default);
    for (const [name, value] of Object.entries(rcu)) if (name !== "default") expect((alias as Record<string, unknown>)[name]).toBe(value);
  });

  it("its plugin is rcu-freept", () => {
    const p = freept();
    expect(p.name).toBe("rcu-freept");
    expect(p.name).toBe(rcu.RCU_FREEPT);
    expect(Object.keys(p).sort()).toEqual(Object.keys(rcu.rcuFreept()).sort());
  });
});
