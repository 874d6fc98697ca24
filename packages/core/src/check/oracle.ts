/**
 * The user-data oracle: every read returns the value of the last write, or zero
 * after MADV_DONTNEED (or munmap + a new mapping), or either after MADV_FREE.
 * MADV_PAGEOUT never loses data by itself: it discards only folios MADV_FREE
 * left clean (whose zero MADV_FREE already allowed), keeps the others mapped
 * or in the page cache, or writes them to swap, whence a fault reads them back. With concurrent operations "last" is a set: the values of the
 * operations that completed before the read began and were not overtaken by a
 * later-begun operation that also completed before it, plus those overlapping it.
 */
import { MmsimError } from "@mmsim/spec";
import { GraphCloneError } from "./graph_clone.js";
import { SCENARIO_BASE } from "./scenario.js";

/**
 * The per-page maps are keyed by the page's number relative to the scenarios'
 * base (`page - KEY_BASE`): small integers, which a Map hashes and stores
 * without boxing, where the absolute page numbers (≥ 2^33) are doubles. Only
 * the keys: events and messages keep the absolute page.
 */
const KEY_BASE = SCENARIO_BASE / 4096;
export interface OracleEvent {
  kind: "write" | "read" | "dontneed" | "free" | "pageout" | "hugepage" | "nohugepage" | "munmap";
  /** The (first) page. */
  page: number;
  /** A range operation's pages, from `page` (one event stands for each of them); absent: 1. */
  pages?: number;
  value: number;
  start: number;
  end: number;
  who: string;
}

/** A page's completed single-page events: the newest, then the older ones; `seq`: the order they were recorded in. */
interface Done {
  readonly ev: OracleEvent;
  readonly older: Done | null;
  readonly seq: number;
}

/** A completed range event (MADV_DONTNEED of a slice, ...), recorded once for its pages [first, end). */
interface RangeDone {
  readonly ev: OracleEvent;
  readonly first: number;
  readonly end: number;
  readonly seq: number;
}

export class OracleViolation extends MmsimError {
  constructor(message: string) {
    super("oracle-violation", message);
  }
}

const NO_PAGES: ReadonlyMap<number, Done> = new Map();
const NO_RANGES: readonly RangeDone[] = [];

export class Oracle {
  private clock = 0;
  private seq = 1000;
  /**
   * Per page (keyed `page - KEY_BASE`), the completed events, newest first, as a list whose tails are shared (with copies too):
   * `done` holds the pages recorded since this oracle was made, `base` (never changed, shared by the
   * copies of a copy) the pages of the oracle it was copied from. A page's list is `done`'s, else `base`'s.
   */
  private done = new Map<number, Done>();
  private base: ReadonlyMap<number, Done> = NO_PAGES;
  /**
   * The completed range events, in the order recorded: `ranges` since this oracle was made,
   * `base_ranges` (never changed, shared) before. A page's events are its list merged with the
   * ranges that cover it, by `seq` (events()): what one record per page was, without 512 per
   * 2 MiB MADV_DONTNEED.
   */
  private ranges: RangeDone[] = [];
  private base_ranges: readonly RangeDone[] = NO_RANGES;
  /** Records so far (the last `seq`). */
  private recorded = 0;
  private readonly open = new Set<OracleEvent>();

  /**
   * A copy for the explorer's post-setup snapshot (check/setup_snapshot.ts), taken
   * between operations (no event open). The recorded events are shared: once in
   * `done` an event never changes; so are the per-page lists (a new event is a new
   * head in front of the shared tail). The pages themselves are shared too: the
   * copy's `base` is this oracle's pages, merged once (an oracle copied again
   * without a record in between, as the explorer's snapshot is at every restore,
   * hands over its `base` as it is: no per-page work).
   */
  copy(): Oracle {
    if (this.open.size) throw new GraphCloneError(`cannot copy the oracle with ${this.open.size} operation(s) in progress`);
    const o = new Oracle();
    o.clock = this.clock;
    o.seq = this.seq;
    o.recorded = this.recorded;
    o.base_ranges = this.ranges.length === 0 ? this.base_ranges : [...this.base_ranges, ...this.ranges];
    if (this.done.size === 0) o.base = this.base;
    else {
      const m = new Map(this.base);
      for (const [p, d] of this.done) m.set(p, d);
      o.base = m;
    }
    return o;
  }

  begin(addr: number, kind: "read" | "write", who: string): OracleEvent {
    const ev: OracleEvent = { kind, page: Math.floor(addr / 4096), value: kind === "write" ? ++this.seq : 0, start: ++this.clock, end: Infinity, who };
    this.open.add(ev);
    return ev;
  }

  /** A read or write finished with what user space saw (a value or a signal name). */
  end(ev: OracleEvent, seen: number | string): void {
    ev.end = ++this.clock;
    this.open.delete(ev);
    if (typeof seen === "string") return; // a signal: checked by the scenario's expectations
    if (ev.kind === "write") {
      this.record(ev);
      return;
    }
    const allowed = this.allowed(ev);
    if (!allowed.has(seen))
      throw new OracleViolation(
        `${ev.who} read ${seen} at page 0x${(ev.page * 4096).toString(16)}, expected one of {${[...allowed].join(", ")}} (user data lost or corrupted)`,
      );
  }

  begin_range(addr: number, len: number, kind: string, who: string): OracleEvent[] {
    const evs: OracleEvent[] = [];
    const k = kind as OracleEvent["kind"];
    if (k === "hugepage" || k === "nohugepage") return evs;
    const start = ++this.clock;
    // One event for the whole range, recorded in each page's list: what one event per
    // page was, without allocating 512 of them for every 2 MiB MADV_DONTNEED.
    const first = Math.floor(addr / 4096);
    const pages = Math.ceil((addr + len) / 4096) - first;
    if (pages <= 0) return evs;
    const ev: OracleEvent = { kind: k, page: first, pages, value: 0, start, end: Infinity, who };
    this.open.add(ev);
    evs.push(ev);
    return evs;
  }

  end_range(evs: OracleEvent[]): void {
    const end = ++this.clock;
    for (const ev of evs) {
      ev.end = end;
      this.open.delete(ev);
      this.ranges.push({ ev, first: ev.page, end: ev.page + (ev.pages ?? 1), seq: ++this.recorded });
    }
  }

  private record(ev: OracleEvent): void {
    const key = ev.page - KEY_BASE;
    this.done.set(key, { ev, older: this.done.get(key) ?? this.base.get(key) ?? null, seq: ++this.recorded });
  }

  /** The newest completed single-page event of a page (the head of its list). */
  private latest(page: number): Done | null {
    const key = page - KEY_BASE;
    return this.done.get(key) ?? this.base.get(key) ?? null;
  }

  /** The completed events of a page, oldest first: its single-page events and the ranges over it, in the order recorded. */
  private events(page: number): OracleEvent[] {
    const out: OracleEvent[] = [];
    let d = this.latest(page);
    let i = this.ranges.length - 1;
    let j = this.base_ranges.length - 1;
    // Newest first: the next range over `page` (own ranges are newer than the base's).
    const nextRange = (): RangeDone | null => {
      for (; i >= 0; i--) if (this.ranges[i].first <= page && page < this.ranges[i].end) return this.ranges[i];
      for (; j >= 0; j--) if (this.base_ranges[j].first <= page && page < this.base_ranges[j].end) return this.base_ranges[j];
      return null;
    };
    let r = nextRange();
    while (d !== null || r !== null) {
      if (r === null || (d !== null && d.seq > r.seq)) {
        out.push(d!.ev);
        d = d!.older;
      } else {
        out.push(r.ev);
        if (i >= 0) i--;
        else j--;
        r = nextRange();
      }
    }
    return out.reverse();
  }

  /** Values an event leaves behind, given what was allowed before it. */
  private leaves(ev: OracleEvent, before: Set<number>): Set<number> {
    switch (ev.kind) {
      case "write":
        return new Set([ev.value]);
      case "dontneed":
      case "munmap":
        return new Set([0]);
      case "free":
        return new Set([...before, 0]);
      case "pageout":
        return before;
      default:
        return before;
    }
  }

  /**
   * Values a read may return. An operation X completed before the read can be the
   * last one linearized unless some other completed Y began after X ended; the
   * read may see what any such X left. MADV_FREE / reclaim leave the previous
   * value or zero. Operations overlapping the read may or may not be seen.
   */
  allowed(read: OracleEvent): Set<number> {
    const evs = this.events(read.page);
    const allowed = this.allowedBefore(evs.filter((e) => e.end < read.start));
    for (const e of [...evs.filter((e) => e.end >= read.start), ...[...this.open].filter((o) => o.page <= read.page && read.page < o.page + (o.pages ?? 1) && o !== read)])
      for (const v of this.leaves(e, allowed)) allowed.add(v);
    return allowed;
  }

  private allowedBefore(evs: OracleEvent[]): Set<number> {
    if (evs.length === 0) return new Set([0]);
    const out = new Set<number>();
    for (const x of evs) {
      if (evs.some((y) => y.start > x.end)) continue; // y certainly came after x
      const prior = x.kind === "free" || x.kind === "pageout" || x.kind === "hugepage" || x.kind === "nohugepage" ? this.allowedBefore(evs.filter((e) => e.end < x.start)) : new Set<number>();
      for (const v of this.leaves(x, prior)) out.add(v);
    }
    return out;
  }
}
