/**
 * The --arch values. Apart from simulate.ts so that the command line's parser
 * (options.ts) loads no arch package and no core (issue #10: start-up).
 */
export const ARCH_NAMES = ["x86_64", "x86_64-la57", "x86_64-pv", "arm64"] as const;
export type ArchName = (typeof ARCH_NAMES)[number];
