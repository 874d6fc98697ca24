/**
 * The arch for an --arch value, importing only that arch's package: `mmsim run`
 * on x86_64 does not load @mmsim/arch-arm64 (issue #10: start-up). Gives what
 * archOf() (simulate.ts) gives, as a factory: one fresh arch object per engine.
 */
import type { X86Arch } from "@mmsim/arch-x86_64";
import type { Arm64Arch } from "@mmsim/arch-arm64";
import { x86Options, type ArchName } from "./arch-names.js";

export type ArchFactory = () => X86Arch | Arm64Arch;

export async function loadArch(name: ArchName): Promise<ArchFactory> {
  if (name === "arm64") {
    const { arm64 } = await import("@mmsim/arch-arm64");
    return () => arm64();
  }
  const { x86_64 } = await import("@mmsim/arch-x86_64");
  return () => x86_64(x86Options(name));
}
