/**
 * The arch core's tests run on. @mmsim/arch-x86_64 implements core's `Arch`
 * contract structurally; it is a dev dependency of core, never a runtime one.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import type { Arch } from "../pgtable/arch.js";
import { Engine } from "../engine.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";

export const arch: Arch = x86_64();
export const arch5: Arch = x86_64({ levels: 5 });

export function engine(reclaim: ReclaimPlugin | null = null, a: Arch = arch): Engine {
  return new Engine({ arch: a, reclaim });
}
