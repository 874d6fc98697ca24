// The host-bytes-per-table section's workload and measurement, at a small N (in process).
import { describe, expect, it } from "vitest";
import { renderTableBytes, tableBytesChild, tableBytesScript } from "./table_bytes.js";

describe("host bytes per live table", () => {
  it("builds one PTE table per touched 2 MiB slice and reports a per-table figure", () => {
    expect(tableBytesScript(3)).toBe("ram 64T\nmmap a 6M rw nohugepage noreserve\ntouch a 0 6M write 2M\n");
    const t = tableBytesChild(2000);
    expect(t.tables).toBe(2000);
    expect(Number.isFinite(t.heapBytesPerTable)).toBe(true);
    expect(renderTableBytes(t)).toMatch(/^host bytes per live table: -?\d+ \(JS heap \+ array buffers\), -?\d+ \(RSS\), 2000 PTE tables/);
  });
});
