/**
 * runScript()'s memory: a streaming caller (lines through onLine) can ask it to
 * keep no lines and only the first and last status line, so that a status line
 * inside `repeat 1000000000000` runs in constant memory instead of growing the
 * result until the heap runs out.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import { parseScript } from "./parser.js";
import { ADVICE, runScript } from "./runner.js";

const TEXT = "mmap a 1G\nstatus start\nrepeat 1000\n  touch a i*4K 4K\n  status s\n  touch a 2G 4K\nend\nstatus end\n";
const spawn = () => new Engine({ arch: x86_64() }).spawn();

describe("runScript keep option", () => {
  it("by default keeps every line and every status line", () => {
    const r = runScript(parseScript(TEXT, "t.wl"), spawn());
    expect(r.lines.length).toBe(2 + 2000);
    expect(r.statuses.length).toBe(1002);
  });

  it('keep "ends": no lines kept, the first and the last status line only; every line still goes to onLine, the same as with everything kept', () => {
    const all = runScript(parseScript(TEXT, "t.wl"), spawn());
    const seen: string[] = [];
    const r = runScript(parseScript(TEXT, "t.wl"), spawn(), { onLine: (l) => seen.push(l), keep: "ends" });
    expect(seen).toEqual(all.lines);
    expect(r.lines).toEqual([]);
    expect(r.statuses).toEqual([all.statuses[0], all.statuses[all.statuses.length - 1]]);
    expect(r.final).toEqual(all.final);
    expect(r.proc_status).toBe(all.proc_status);
    // The dVm* of every line are relative to the first status line, kept.
    expect(seen[seen.length - 1]).toBe("end dVmSize=0 dVmRSS=4000 dVmPTE=16");
  });

  it('keep "statuses": every status line, no other line', () => {
    const all = runScript(parseScript(TEXT, "t.wl"), spawn());
    const r = runScript(parseScript(TEXT, "t.wl"), spawn(), { keep: "statuses" });
    expect(r.lines).toEqual([]);
    expect(r.statuses).toEqual(all.statuses);
  });

  it('keep "ends" with a single status line keeps it once', () => {
    const r = runScript(parseScript("status only\n", "t.wl"), spawn(), { keep: "ends" });
    expect(r.statuses.map((s) => s.label)).toEqual(["only"]);
  });
});

describe("advice names", () => {
  it("each name is MADV_<NAME> of include/uapi/asm-generic/mman-common.h", () => {
    // The uapi values, written out here rather than taken from core's constants, so a name
    // mapped to the wrong constant (or a constant with the wrong value) fails.
    expect(ADVICE).toEqual({
      normal: 0,
      random: 1,
      sequential: 2,
      willneed: 3,
      dontneed: 4,
      free: 8,
      dontfork: 10,
      dofork: 11,
      mergeable: 12,
      unmergeable: 13,
      hugepage: 14,
      nohugepage: 15,
      dontdump: 16,
      dodump: 17,
      wipeonfork: 18,
      keeponfork: 19,
      cold: 20,
      pageout: 21,
      guard_install: 102,
      guard_remove: 103,
      remove: 9,
      collapse: 25,
    });
  });

  it("a guard_install'd page faults with SIGSEGV in a script; guard_remove lets it in again", () => {
    const text = "mmap a 2M\nmadvise a 0 4K guard_install\ntouch a 0 8K write\nmadvise a 0 4K guard_remove\ntouch a 0 8K write\nstatus end\n";
    const r = runScript(parseScript(text, "g.mms"), spawn());
    expect(r.lines).toEqual(["touch-error Segmentation fault", "end dVmSize=0 dVmRSS=0 dVmPTE=0"]);
    expect(r.final.VmRSS).toBe(8);
  });
});
