// node-churn: a multithreaded program churning its memory, then reading its own
// /proc/self/status. Node runs JavaScript on its main thread, V8's garbage
// collector on helper threads, and file reads on libuv's thread pool, so the
// memory events of one mm come from several threads:
//   - Buffers filled by fs reads on a thread-pool thread (the kernel's
//     copy_to_user faults the pages in there: kernel-mode faults of that thread)
//     and freed later by the main thread (glibc munmaps the large ones);
//   - ArrayBuffers touched on the main thread;
//   - large JS arrays (V8's large-object space) and many small objects (promoted
//     to the old space), which the GC frees on its threads.
// Deterministic sequence (fixed PRNG seed); the timing of the threads is not.
//
// At the end it waits for the threads to go idle, reads /proc/self/status into a
// buffer allocated beforehand, writes it to stdout as it is, and SIGKILLs
// itself: nothing runs in between, so the figures it read are the ones at its
// exit event in the trace (make-traces.sh turns them into node.expected.json).
//
//   node node-churn.cjs [ROUNDS] [SLOTS]          (defaults 400 64)
"use strict";
const fs = require("fs");

const rounds = Number(process.argv[2] ?? 400);
const slots = Number(process.argv[3] ?? 64);
let x = 0x9e3779b9 | 0;
const next = () => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
};

const live = new Array(slots).fill(null);
const status = Buffer.alloc(8192);

async function churn() {
  for (let i = 0; i < rounds; i++) {
    const s = next() % slots;
    const kind = next() % 4;
    let v;
    if (kind === 0) {
      // read(2) into a fresh buffer on a thread-pool thread.
      const len = (256 << 10) + (next() % (4 << 20));
      v = Buffer.allocUnsafe(len);
      const fh = await fs.promises.open(process.execPath, "r");
      await fh.read(v, 0, len, next() % (32 << 20));
      await fh.close();
    } else if (kind === 1) {
      v = new Array(20000 + (next() % 200000)).fill(i);
    } else {
      v = [];
      for (let j = 0; j < 2000; j++) v.push({ i, j, s: "s" + j });
    }
    live[s] = v;
    // Now and then drop a run of slots, so whole regions become free.
    if (next() % 16 === 0) for (let j = 0; j < slots / 4; j++) live[(s + j) % slots] = null;
  }
  for (let s = 0; s < slots; s += 2) live[s] = null;
}

churn().then(() =>
  setTimeout(() => {
    const fd = fs.openSync("/proc/self/status", "r");
    const n = fs.readSync(fd, status, 0, status.length, 0);
    fs.writeSync(1, status, 0, n);
    process.kill(process.pid, "SIGKILL");
  }, 300),
);
