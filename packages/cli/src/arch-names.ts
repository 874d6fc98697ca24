/**
 * The --arch values. Apart from simulate.ts so that the command line's parser
 * (options.ts) loads no arch package and no core (issue #10: start-up).
 */
export const ARCH_NAMES = ["x86_64", "x86_64-la57", "x86_64-pv", "arm64"] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

/** The x86_64 arch options an x86_64 --arch value names: 4-level paging, or 5-level (LA57); "-pv": TLB flushes by hypercall (paravirt guest). */
export function x86Options(name: Exclude<ArchName, "arm64">): { levels: 4 | 5; paravirt_flush: boolean } {
  return { levels: name === "x86_64-la57" ? 5 : 4, paravirt_flush: name === "x86_64-pv" };
}
