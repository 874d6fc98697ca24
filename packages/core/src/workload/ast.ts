/**
 * Workload scripts: the syntax tree. The grammar (issue #2 §6, portable across
 * mmsim versions and `mmsim host`):
 *
 *   # comment
 *   mmap NAME SIZE [rw|r|none] [shared] [hugepage|nohugepage] [noreserve] [@ADDR]
 *   touch NAME OFFSET LENGTH [write|read] [STRIDE]
 *   madvise NAME OFFSET LENGTH ADVICE|NUMBER
 *                           (ADVICE: dontneed|free|hugepage|nohugepage|willneed|cold|pageout|
 *                           normal|random|sequential|dontfork|dofork|wipeonfork|keeponfork|
 *                           dontdump|dodump|mergeable|unmergeable|guard_install|guard_remove|
 *                           remove|collapse,
 *                           MADV_<ADVICE> in lower case)
 *                           (NUMBER: a raw advice value, e.g. a plugin's own advice;
 *                           decimal, 0 to 2147483647: madvise(2)'s advice is an int)
 *   munmap NAME OFFSET LENGTH
 *   mprotect NAME OFFSET LENGTH rw|r|none
 *   status LABEL
 *   swapon SIZE            (a swap device of SIZE bytes, as swapon of a swap
 *                           file that size; once, outside repeat blocks;
 *                           status lines then also print dVmSwap)
 *   reclaim SIZE [direct]  (memory pressure: kswapd, or with `direct` the
 *                           process itself, reclaims SIZE bytes: lazily freed
 *                           folios first, anon ones to swap if any; on the real
 *                           kernel, a memory cgroup limit lowered by SIZE)
 *   ram SIZE               (the simulated machine's RAM, totalram: what
 *                           overcommit checks against; once, before any mmap)
 *   sysctl vm.overcommit_memory=0|1|2   (also vm.overcommit_ratio=N,
 *                           vm.overcommit_kbytes=N: writing one zeroes the other)
 *   thp always|madvise|never   (/sys/kernel/mm/transparent_hugepage/enabled)
 *   repeat COUNT [as VAR]
 *     ...
 *   end
 */

/** A place in a script file; line and col count from 1. */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

export type Expr =
  | { kind: "num"; value: number; loc: Loc }
  | { kind: "var"; name: string; loc: Loc }
  | { kind: "bin"; op: "+" | "-" | "*"; left: Expr; right: Expr; loc: Loc };

export type Prot = "rw" | "r" | "none";
/** The sysctls a script may write (vm.overcommit_*). */
export type Sysctl = "vm.overcommit_memory" | "vm.overcommit_ratio" | "vm.overcommit_kbytes";
export const SYSCTLS: readonly Sysctl[] = ["vm.overcommit_memory", "vm.overcommit_ratio", "vm.overcommit_kbytes"];
export type ThpMode = "always" | "madvise" | "never";
/** The advice a script names (MADV_<NAME> in lower case), in the order error messages list them. */
export const ADVICES = [
  "dontneed",
  "free",
  "hugepage",
  "nohugepage",
  "willneed",
  "cold",
  "pageout",
  "normal",
  "random",
  "sequential",
  "dontfork",
  "dofork",
  "wipeonfork",
  "keeponfork",
  "dontdump",
  "dodump",
  "mergeable",
  "unmergeable",
  "guard_install",
  "guard_remove",
  "remove",
  "collapse",
] as const;
export type Advice = (typeof ADVICES)[number];

export type Stmt =
  | {
      op: "mmap";
      loc: Loc;
      name: string;
      size: Expr;
      prot: Prot;
      shared: boolean;
      thp: "hugepage" | "nohugepage" | null;
      addr: Expr | null;
      /** MAP_NORESERVE (absent: false). */
      noreserve?: boolean;
    }
  | { op: "touch"; loc: Loc; name: string; offset: Expr; length: Expr; write: boolean; stride: Expr | null }
  | { op: "madvise"; loc: Loc; name: string; offset: Expr; length: Expr; advice: Advice | number }
  | { op: "munmap"; loc: Loc; name: string; offset: Expr; length: Expr }
  | { op: "mprotect"; loc: Loc; name: string; offset: Expr; length: Expr; prot: Prot }
  | { op: "status"; loc: Loc; label: string }
  | { op: "swapon"; loc: Loc; size: Expr }
  | { op: "ram"; loc: Loc; size: Expr }
  | { op: "sysctl"; loc: Loc; name: Sysctl; value: Expr }
  | { op: "thp"; loc: Loc; mode: ThpMode }
  | { op: "reclaim"; loc: Loc; size: Expr; direct: boolean }
  | { op: "repeat"; loc: Loc; count: Expr; var: string; body: Stmt[] };

export interface Script {
  file: string;
  stmts: Stmt[];
}
