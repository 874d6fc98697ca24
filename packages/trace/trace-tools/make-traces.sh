#!/usr/bin/env bash
# Regenerates the recorded traces in packages/trace/traces/ (Linux, root or
# perf_event_paranoid=-1, perf, a C compiler, node, and Debian's allocators:
# apt-get install -y libjemalloc2 libgoogle-perftools4).
#
#   packages/trace/trace-tools/make-traces.sh                   # all of them
#   packages/trace/trace-tools/make-traces.sh node snippets     # some: jemalloc tcmalloc fork-remap node snippets
#   PERF=/path/to/perf CC=clang NODE=/path/to/node make-traces.sh   # another perf / compiler / node
#
# Each trace is what `mmsim record -o NAME.trace -- <command>` writes: the same
# perf record events and perf script fields as src/record.ts (a test checks
# that EVENTS below matches TRACE_EVENTS there). NAME.expected.json holds the
# program's own final /proc/self/status figures (kB), which it prints itself.
# node.trace is kept gzip-compressed (node.trace.gz; `mmsim replay` reads it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
traces=$(cd "$here/../traces" && pwd)
PERF=${PERF:-perf}
CC=${CC:-cc}
NODE=${NODE:-node}
LIBDIR=${LIBDIR:-/usr/lib/x86_64-linux-gnu}
JEMALLOC=${JEMALLOC:-$LIBDIR/libjemalloc.so.2}
TCMALLOC=${TCMALLOC:-$LIBDIR/libtcmalloc.so.4}

EVENTS=(
  exceptions:page_fault_user
  exceptions:page_fault_kernel
  syscalls:sys_enter_mmap
  syscalls:sys_exit_mmap
  syscalls:sys_enter_munmap
  syscalls:sys_exit_munmap
  syscalls:sys_enter_madvise
  syscalls:sys_exit_madvise
  syscalls:sys_enter_mprotect
  syscalls:sys_exit_mprotect
  syscalls:sys_enter_mremap
  syscalls:sys_exit_mremap
  syscalls:sys_enter_brk
  syscalls:sys_exit_brk
  sched:sched_process_exec
  sched:sched_process_fork
  sched:sched_process_exit
)
FIELDS=comm,pid,tid,cpu,time,event,trace

WANT=("$@")
wants() { [ ${#WANT[@]} -eq 0 ] || [[ " ${WANT[*]} " == *" $1 "* ]]; }

for lib in "$JEMALLOC" "$TCMALLOC"; do
  if wants jemalloc || wants tcmalloc; then
    [ -e "$lib" ] || { echo "make-traces: $lib missing: apt-get install -y libjemalloc2 libgoogle-perftools4" >&2; exit 1; }
  fi
done
command -v "$PERF" >/dev/null || { echo "make-traces: perf not found (apt-get install -y linux-perf)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CC" -O2 -Wall -o "$work/alloc-churn" "$here/alloc-churn.c"
"$CC" -O2 -Wall -o "$work/fork-remap" "$here/fork-remap.c"
"$CC" -O2 -Wall -o "$work/fault-storm" "$here/fault-storm.c"

# record NAME PAGES COMMAND...: perf data in $work/NAME.data, the program's stdout in $work/NAME.out,
# the trace in traces/NAME.trace.
record() {
  local name=$1 pages=$2
  shift 2
  local args=()
  for e in "${EVENTS[@]}"; do args+=(-e "$e"); done
  # perf record exits with the command's status (node-churn.cjs SIGKILLs itself): the data decides.
  "$PERF" record -q "${args[@]}" -m "$pages" -o "$work/$name.data" -- "$@" >"$work/$name.out" || [ -s "$work/$name.data" ]
  "$PERF" script -i "$work/$name.data" --show-lost-events -F "$FIELDS" 2>/dev/null >"$traces/$name.trace"
  echo "make-traces: $name.trace: $(wc -l <"$traces/$name.trace") lines, $(wc -c <"$traces/$name.trace") bytes" >&2
}

# expected NAME 'COMMAND': NAME.expected.json from the program's JSON line(s) (the parent's or only one), or
# from the /proc/self/status text it printed as it was (node-churn.cjs).
expected() {
  local name=$1 cmd=$2
  "$NODE" -e '
    const [out, name, cmd] = process.argv.slice(1);
    const text = require("fs").readFileSync(out, "utf8");
    const kb = (f) => Number(new RegExp("^" + f + ":\\s+(\\d+) kB$", "m").exec(text)[1]);
    const lines = text.startsWith("{") ? text.trim().split("\n").map((l) => JSON.parse(l)) : [{ VmSize: kb("VmSize"), VmRSS: kb("VmRSS"), VmPTE: kb("VmPTE") }];
    const main = lines.find((l) => l.who === undefined || l.who === "parent");
    const child = lines.find((l) => l.who === "child");
    const os = require("os");
    const e = { VmSize: main.VmSize, VmRSS: main.VmRSS, VmPTE: main.VmPTE, ...(child ? { child: { VmSize: child.VmSize, VmRSS: child.VmRSS, VmPTE: child.VmPTE } } : {}),
      command: cmd, kernel: os.release(), recorded: new Date().toISOString().slice(0, 10) };
    require("fs").writeFileSync(process.argv[4], JSON.stringify(e, null, 2) + "\n");
  ' "$work/$name.out" "$name" "$cmd" "$traces/$name.expected.json"
}

cd "$work"
if wants jemalloc; then
  # jemalloc, purging at once (decay 0): MADV_DONTNEED on every free of a dirty extent.
  record jemalloc 1024 env LD_PRELOAD="$JEMALLOC" MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0 ./alloc-churn 600 64
  expected jemalloc "env LD_PRELOAD=libjemalloc.so.2 MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0 ./alloc-churn 600 64"
fi
if wants tcmalloc; then
  # tcmalloc (gperftools), releasing freed spans to the kernel at once (MADV_DONTNEED).
  record tcmalloc 1024 env LD_PRELOAD="$TCMALLOC" TCMALLOC_AGGRESSIVE_DECOMMIT=true ./alloc-churn 600 64
  expected tcmalloc "env LD_PRELOAD=libtcmalloc.so.4 TCMALLOC_AGGRESSIVE_DECOMMIT=true ./alloc-churn 600 64"
fi
if wants fork-remap || wants snippets; then
  # fork, mremap, brk, mprotect, shared memory; parent and child print their status.
  record fork-remap 1024 ./fork-remap
  expected fork-remap "./fork-remap"
fi
if wants node; then
  # A multithreaded program: node's main thread, V8's GC threads and libuv's thread pool share one mm.
  record node 1024 "$NODE" "$here/node-churn.cjs" 400 64
  expected node "node node-churn.cjs 400 64 ($("$NODE" --version))"
  gzip -9nf "$traces/node.trace"
fi
wants snippets || { echo "make-traces: done" >&2; exit 0; }

# Parser snippets, cut from real recordings.
snip=$traces/snippets
mkdir -p "$snip"
# events.trace: the exec (with the ELF loader's faults before it) and the first line of every event kind.
first_of_each() {
  { head -n 12 "$1" | nl -ba -w1 -s: ; for p in page_fault_user page_fault_kernel sched_process_exec sched_process_fork sched_process_exit \
      sys_enter_mmap sys_exit_mmap sys_enter_munmap sys_exit_munmap sys_enter_madvise sys_exit_madvise sys_enter_mprotect sys_exit_mprotect \
      sys_enter_mremap sys_exit_mremap sys_enter_brk sys_exit_brk; do grep -n -m1 ": *[a-z]*:$p: " "$1" || true; done
    grep -n "sys_exit_munmap: 0xffffffffffffffea" "$1" | head -n 1 || true; } | sort -t: -k1,1n -u | cut -d: -f2-
}
first_of_each "$traces/fork-remap.trace" >"$snip/events.trace"
# events-tid.trace: the same events in perf script's default format (TID only, no PID/).
"$PERF" script -i "$work/fork-remap.data" --show-lost-events 2>/dev/null >"$work/fork-remap.tid"
first_of_each "$work/fork-remap.tid" >"$snip/events-tid.trace"
# lost.trace: a fault storm recorded with a one-page buffer: lines around the first PERF_RECORD_LOST, and the last lines.
record fault-storm 1 ./fault-storm
n=$(grep -n -m1 PERF_RECORD_LOST "$traces/fault-storm.trace" | cut -d: -f1)
{ sed -n "$((n - 3)),$((n + 3))p" "$traces/fault-storm.trace"; grep PERF_RECORD_LOST "$traces/fault-storm.trace" | sed -n 2,3p; tail -n 2 "$traces/fault-storm.trace"; } >"$snip/lost.trace"
rm "$traces/fault-storm.trace"
# truncated.trace: the first 40 lines of fork-remap.trace and half of the 41st, as a recording cut off mid-write.
{ head -n 40 "$traces/fork-remap.trace"; l=$(sed -n 41p "$traces/fork-remap.trace"); printf '%s' "${l:0:$((${#l} / 2))}"; } >"$snip/truncated.trace"
echo "make-traces: done" >&2
