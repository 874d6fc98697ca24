/**
 * Whether the running kernel frees empty PTE tables (CONFIG_PT_RECLAIM, Linux
 * 6.14+), and how we know: its build configuration (/proc/config.gz, needs
 * CONFIG_IKCONFIG_PROC; else /boot/config-$(uname -r) as distributions ship it),
 * else a behavioural probe run through the C helper: touch a 4M private
 * anonymous range without THP, MADV_DONTNEED all of it, and see whether VmPTE
 * went down (the range holds at least one whole PMD's PTE table, which
 * madvise_dontneed_single_vma → zap_page_range_single_batched → try_to_free_pte()
 * frees with CONFIG_PT_RECLAIM=y and leaves without).
 */
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";
import { parseScript } from "@mmsim/core/workload";
import { runOnHost, type HostRunOptions, type HostRunResult } from "./run.js";

export interface PtReclaimDetection {
  /** null: cannot tell. */
  readonly enabled: boolean | null;
  /** How it was found, for a message: "/proc/config.gz", "/boot/config-6.18.44", "a probe ...", or why nothing could tell. */
  readonly how: string;
}

export interface DetectOptions {
  /** Default /proc/config.gz. */
  readonly configGz?: string;
  /** Default /boot/config-<os.release()>. */
  readonly bootConfig?: string;
  /** The behavioural probe (default probePtReclaim()); false: do not probe. */
  readonly probe?: (() => boolean) | false;
}

/** CONFIG_PT_RECLAIM in a kernel config's text: true (=y), false (not set, or absent: the option did not exist before 6.14). */
export function configHasPtReclaim(text: string): boolean {
  return /^CONFIG_PT_RECLAIM=y$/m.test(text);
}

/** The probe script, in the workload language. */
export const PROBE_SCRIPT = `# does MADV_DONTNEED free an emptied PTE table? (CONFIG_PT_RECLAIM)
mmap a 4M nohugepage
touch a 0 4M
status touched
madvise a 0 4M dontneed
status after
`;

/** Runs PROBE_SCRIPT on the kernel: true when VmPTE went down after the MADV_DONTNEED. Throws what runOnHost throws. */
export function probePtReclaim(run: (s: ReturnType<typeof parseScript>, o?: HostRunOptions) => HostRunResult = runOnHost, opts: HostRunOptions = {}): boolean {
  const { statuses } = run(parseScript(PROBE_SCRIPT, "<pt-reclaim probe>"), opts);
  const touched = statuses.find((s) => s.label === "touched");
  const after = statuses.find((s) => s.label === "after");
  if (!touched || !after) throw new Error("the probe printed no status lines");
  return after.VmPTE < touched.VmPTE;
}

function readConfig(path: string, gz: boolean): string | null {
  try {
    const raw = readFileSync(path);
    return gz ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  } catch {
    return null;
  }
}

/** The running kernel's CONFIG_PT_RECLAIM: from its configuration if readable, else by the probe. */
export function detectPtReclaim(o: DetectOptions = {}): PtReclaimDetection {
  const gz = o.configGz ?? "/proc/config.gz";
  const boot = o.bootConfig ?? `/boot/config-${release()}`;
  for (const [path, isGz] of [
    [gz, true],
    [boot, false],
  ] as const) {
    const text = readConfig(path, isGz);
    if (text !== null) return { enabled: configHasPtReclaim(text), how: path };
  }
  if (o.probe === false) return { enabled: null, how: `no ${gz} or ${boot}` };
  try {
    const enabled = (o.probe ?? probePtReclaim)();
    return { enabled, how: `a probe (MADV_DONTNEED of a touched 4M range ${enabled ? "freed" : "kept"} its PTE table; no ${gz} or ${boot})` };
  } catch (e) {
    return { enabled: null, how: `no ${gz} or ${boot}, and the probe could not run: ${e instanceof Error ? e.message : String(e)}` };
  }
}
