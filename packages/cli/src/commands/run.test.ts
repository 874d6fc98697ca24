import { describe, expect, it } from "vitest";
import { mmsim, tempDir } from "../testing.js";

// 4M at 32 TiB (0x200000000000) lies in a PGD slot (512 GiB) nothing else uses, so
// touching it allocates a PUD table, a PMD table and two PTE tables (4M = 2 x 2M):
// 4 pages = 16 kB of VmPTE. The second mmap at the same address fails with EEXIST
// (MAP_FIXED_NOREPLACE). MADV_DONTNEED drops the 1024 pages but, without reclaim,
// keeps the tables; pt-reclaim frees the two PTE tables (16 - 8 = 8 kB). munmap of
// the only mapping frees every table down to the PGD: VmPTE back to 0.
const TINY = `# a fresh 512 GiB slot
status start
mmap buf 4M @0x200000000000
touch buf 0 4M
status touched
mmap again 4K @0x200000000000
madvise buf 0 4M dontneed
status dropped
munmap buf 0 4M
status unmapped
`;

const PROC_AFTER_MUNMAP = [
  "VmPeak:\t    4096 kB",
  "VmSize:\t       0 kB",
  "VmLck:\t       0 kB",
  "VmHWM:\t    4096 kB",
  "VmRSS:\t       0 kB",
  "RssAnon:\t       0 kB",
  "RssFile:\t       0 kB",
  "RssShmem:\t       0 kB",
  "VmData:\t       0 kB",
  "VmPTE:\t       0 kB",
  "VmSwap:\t       0 kB",
];

describe("mmsim run", () => {
  it("prints the status and error lines, a blank line and the final /proc block", async () => {
    const dir = tempDir({ "tiny.mms": TINY });
    const r = await mmsim(["run", "tiny.mms"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "start dVmSize=0 dVmRSS=0 dVmPTE=0",
        "touched dVmSize=4096 dVmRSS=4096 dVmPTE=16",
        "mmap-error File exists",
        "dropped dVmSize=4096 dVmRSS=0 dVmPTE=16",
        "unmapped dVmSize=0 dVmRSS=0 dVmPTE=0",
        "",
        "/proc/1/status (reclaim: none):",
        ...PROC_AFTER_MUNMAP,
        "",
        "counters:",
        "pgfault:               1024 (zero page 0, THP 0)",
        "tables allocated:      pte 2, pmd 1, pud 1, p4d 0",
        "tables freed:          pte 2, pmd 1, pud 1, p4d 0 (reclaimed PTE tables 0)",
        "TLB flushes:           ranged 1, full 1, IPIs 0",
        "RCU-deferred frees:    4 queued, 4 freed",
        "",
      ].join("\n"),
    );
  });

  it("runs with pt-reclaim: MADV_DONTNEED frees the two PTE tables", async () => {
    const dir = tempDir({ "tiny.mms": TINY });
    const r = await mmsim(["run", "tiny.mms", "--reclaim", "pt-reclaim"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("dropped dVmSize=4096 dVmRSS=0 dVmPTE=8\n");
    expect(r.stdout).toContain("\n/proc/1/status (reclaim: pt-reclaim):\n");
  });

  it("accounts no P4D table with 5-level paging, as Linux does", async () => {
    const dir = tempDir({ "tiny.mms": TINY });
    const r = await mmsim(["run", "tiny.mms", "--arch", "x86_64-la57"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("touched dVmSize=4096 dVmRSS=4096 dVmPTE=16\n");
  });

  it("--json prints one object and nothing else", async () => {
    const dir = tempDir({ "tiny.mms": TINY });
    const r = await mmsim(["run", "tiny.mms", "--json"], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(["reclaim", "lines", "statuses", "final", "counters"]);
    expect(out.reclaim).toBeNull();
    expect(out.lines).toHaveLength(5);
    expect(out.statuses).toContainEqual({ label: "touched", VmSize: 4096, VmRSS: 4096, VmPTE: 16 });
    expect(out.final).toMatchObject({ VmPeak: 4096, VmHWM: 4096, VmSize: 0, VmRSS: 0, VmPTE: 0 });
  });

  it("runs a builtin workload by name", async () => {
    const r = await mmsim(["run", "seed-small", "--json", "--reclaim", "pt-reclaim"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { reclaim: string; lines: string[] };
    expect(out.reclaim).toBe("pt-reclaim");
    expect(out.lines).toEqual(["before dVmSize=0 dVmRSS=0 dVmPTE=0", "after dVmSize=0 dVmRSS=0 dVmPTE=12"]);
  });

  it("prints a ScriptError as error: file:line:col: message and runs nothing", async () => {
    const dir = tempDir({ "bad.mms": "status start\nmmap buf 4M\ntouch buf 0 4M sideways\n" });
    const r = await mmsim(["run", "bad.mms"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: bad.mms:3:16: touch: unknown option 'sideways' (expected write, read or a STRIDE)\n");
  });

  it("reports an operand error found only when loops are unrolled before running anything", async () => {
    const dir = tempDir({ "neg.mms": "status start\nmmap buf 4M\nrepeat 4\n  touch buf 2M-i*1M 4K\nend\n" });
    const r = await mmsim(["run", "neg.mms"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: neg\.mms:4:13: .*negative/);
  });

  it("reports an unreadable file with its reason", async () => {
    const dir = tempDir();
    const missing = await mmsim(["run", "missing.mms"], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: cannot read missing.mms: no such file or directory\n");
    const directory = await mmsim(["run", "."], dir);
    expect(directory.stderr).toBe("error: cannot read .: illegal operation on a directory\n");
  });

  it("hints at the builtins when a bare name is neither a file nor a builtin", async () => {
    const r = await mmsim(["run", "seed-big"], tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: cannot read seed-big: no such file or directory (no builtin workload is named 'seed-big' either: seed, seed-free, seed-small, production)\n",
    );
  });
});
