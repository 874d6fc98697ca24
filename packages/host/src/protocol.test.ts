import { parseScript, resolveScript } from "@mmsim/core/workload";
import { describe, expect, test } from "vitest";
import { HostProtocolError } from "./errors.js";
import { ALLOWED, encodeRequest, HELLO, parseResponse } from "./protocol.js";

const requests = (text: string) => [...resolveScript(parseScript(text, "t.wl"))].map(encodeRequest);

describe("encodeRequest", () => {
  test("mmap's noreserve is the optional last field; the machine-wide statements are refused where they stand", () => {
    expect(requests("mmap r 55T noreserve nohugepage @0x200000000000")).toEqual(["mmap r 60473139527680 rw 0 nohugepage 0x200000000000 noreserve"]);
    for (const [stmt, said] of [["ram 1T", "ram 1099511627776"], ["sysctl vm.overcommit_memory=2", "sysctl vm.overcommit_memory=2"], ["thp never", "thp never"]] as const)
      expect(() => requests(`\n${stmt}`)).toThrow(new HostProtocolError(`t.wl:2:1: ${said}: mmsim host runs on this machine as it is configured and does not change machine-wide settings; configure the machine yourself and drop the statement`));
  });

  test("every operation, with defaults and options", () => {
    expect(
      requests(
        [
          "mmap a 2M",
          "mmap b 1G r shared hugepage @0x200000000000",
          "mmap c 4K none nohugepage",
          "touch a 0 2M",
          "touch a 4K 8K read 64K",
          "madvise a 0 2M dontneed",
          "madvise a 0 2M free",
          "madvise b 0 2M pageout",
          "munmap a 1M 4K",
          "mprotect b 0 4K rw",
          "status before",
        ].join("\n"),
      ),
    ).toEqual([
      "mmap a 2097152 rw 0 - -",
      "mmap b 1073741824 r 1 hugepage 0x200000000000",
      "mmap c 4096 none 0 nohugepage -",
      "touch a 0 2097152 1 4096",
      "touch a 4096 8192 0 65536",
      "madvise a 0 2097152 4",
      "madvise a 0 2097152 8",
      "madvise b 0 2097152 21",
      "munmap a 1048576 4096",
      "mprotect b 0 4096 rw",
      "status before",
    ]);
  });

  test("expressions and loops are resolved first", () => {
    expect(requests("mmap h 8M @0x208000000000+2M\nrepeat 2 as k\n touch h k*2M 2M write 2M\nend")).toEqual([
      "mmap h 8388608 rw 0 - 0x208000200000",
      "touch h 0 2097152 1 2097152",
      "touch h 2097152 2097152 1 2097152",
    ]);
  });

  test("advice numbers are the kernel's", () => {
    const adv = ["dontneed", "free", "hugepage", "nohugepage", "willneed", "cold", "pageout"];
    const nums = adv.map((a) => requests(`mmap a 4K\nmadvise a 0 4K ${a}`)[1].split(" ")[4]);
    expect(nums).toEqual(["4", "8", "14", "15", "3", "20", "21"]);
  });

  test("names the helper cannot hold are refused", () => {
    const long = "n".repeat(64);
    expect(() => requests(`mmap ${long} 4K`)).toThrow(HostProtocolError);
    expect(requests(`mmap ${"n".repeat(63)} 4K`)).toHaveLength(1);
  });
});

describe("parseResponse", () => {
  test("every response form", () => {
    expect(parseResponse("ok")).toEqual({ kind: "ok" });
    expect(parseResponse("err 22")).toEqual({ kind: "err", errno: 22 });
    expect(parseResponse("err-madvise 12")).toEqual({ kind: "err-madvise", errno: 12 });
    expect(parseResponse("segv")).toEqual({ kind: "segv" });
    expect(parseResponse("sigbus")).toEqual({ kind: "sigbus" });
    expect(parseResponse("status 2564 2540 36 0")).toEqual({ kind: "status", VmSize: 2564, VmRSS: 2540, VmPTE: 36, VmSwap: 0 });
    expect(parseResponse("bad unknown operation")).toEqual({ kind: "bad", reason: "unknown operation" });
  });

  test("anything else is a protocol error", () => {
    for (const l of ["", "OK", "ok ", "err", "err -1", "err 022", "status 1 2", "status 1 2 x", "segv now", HELLO]) {
      expect(() => parseResponse(l), JSON.stringify(l)).toThrow(HostProtocolError);
    }
  });

  test("which replies each request may get", () => {
    expect(ALLOWED.status).toEqual(["status"]);
    expect(ALLOWED.touch).not.toContain("err");
    expect(ALLOWED.mmap).toContain("err-madvise");
  });
});
