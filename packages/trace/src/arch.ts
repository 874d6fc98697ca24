/** The paging the replay simulates: x86_64 with 4-level (default) or 5-level (LA57) tables, or any Arch object. */
import { x86_64 } from "@mmsim/arch-x86_64";
import type { Arch } from "@mmsim/core";

export type ReplayArch = "x86_64" | "x86_64-la57" | Arch;

export function archOf(arch: ReplayArch): Arch {
  if (typeof arch !== "string") return arch;
  if (arch !== "x86_64" && arch !== "x86_64-la57") throw new TypeError(`arch ${String(arch)}: x86_64 or x86_64-la57`);
  return x86_64({ levels: arch === "x86_64-la57" ? 5 : 4 });
}
