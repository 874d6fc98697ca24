import pkg from "../package.json" with { type: "json" };

/** @mmsim/cli's version (from package.json). */
export const VERSION: string = pkg.version;
