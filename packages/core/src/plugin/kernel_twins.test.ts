// The bulk twins of the plugin API (`X$sync` in kernel.ts): what desync calls from a
// plugin's derived twins (build/desync.mjs resolves `@mmsim/core/kernel` to kernel.ts).
import { describe, expect, it } from "vitest";
import * as kernel from "./kernel.js";

const api = kernel as unknown as Record<string, unknown>;
const twins = Object.keys(api).filter((n) => n.endsWith("$sync"));

describe("@mmsim/core/kernel: the $sync twins", () => {
  it("each twins an exported primitive or kernel path of the same name", () => {
    expect(twins.length).toBeGreaterThan(40);
    for (const n of twins) {
      expect(typeof api[n], n).toBe("function");
      expect(typeof api[n.slice(0, -"$sync".length)], n).toBe("function");
    }
  });

  it("each calls core's twin: desync rewrote its run_to_completion(...), no generator or Op is driven", () => {
    // Written `run_to_completion(_x(...))`; the build (and vitest, through desyncVite)
    // turns that into `_x$sync(...)`. One left as written would still be right, but slow.
    for (const n of twins) expect(String(api[n]), n).not.toContain("run_to_completion");
  });
});
