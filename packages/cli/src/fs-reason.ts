/** The reason part of a file-system error message (no path, no syscall). */
import { messageOf } from "./errors.js";

/** "ENOENT: no such file or directory, open '/x'" -> "no such file or directory". */
export function fsReason(e: unknown): string {
  const msg = messageOf(e);
  const m = /^E[A-Z0-9]+: (.*?)(?:, \w+(?: '.*')?)?$/.exec(msg);
  return m ? m[1] : msg;
}
