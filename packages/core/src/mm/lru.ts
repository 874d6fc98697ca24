/**
 * The node's LRU lists as reclaim of anonymous memory meets them (mm/swap.c:
 * folio_mark_lazyfree → lru_lazyfree; include/linux/mm_inline.h), one node, one
 * lruvec (no memcg).
 *
 * What the model keeps, and where it is simplified:
 *   - LRU_INACTIVE_FILE holds exactly the lazily freed anon folios: MADV_FREE's
 *     folio_mark_lazyfree() moves a swap-backed anon folio there (lru_lazyfree:
 *     clear PG_swapbacked, add to the inactive file list, newest last). The model
 *     has no file pages, so that list is the lazily freed folios in MADV_FREE
 *     order, oldest first, as Linux orders them. It is a FIFO of (pfn, sequence)
 *     pairs in typed arrays (a seed-free run keeps 13 million folios lazily
 *     free: 8 bytes each), with the folio's current sequence per frame: an entry
 *     whose folio was freed, reused or moved since is stale and skipped when
 *     reclaim meets it (Linux deletes it from the list at once, in __folio_put;
 *     the order of the live entries is the same). The list's size for the
 *     scan quota counts stale entries until they are met.
 *   - The anon lists (LRU_INACTIVE_ANON/ACTIVE_ANON, fault order) are not kept:
 *     with a swap device, reclaim approximates them by a CLOCK over the page
 *     tables (see mm/vmscan.ts shrink_anon_clock): the accessed bit gives a folio
 *     its second chance, as folio_check_references() does on the inactive list.
 *   - Lazily freed THPs (PMD-mapped) are not put on the list: reclaim keeps them
 *     (Linux 6.12+ discards a clean one whole, unmap_huge_pmd_locked()).
 *   - No per-CPU folio batches (lru_add/lru_lazyfree drain at once).
 */
import type { Kernel } from "../types/kernel.js";
import { PF_LAZYFREE, PG_ANON } from "./page_alloc.js";

/** vmstat events reclaim counts (/proc/vmstat names). */
export interface ReclaimStat {
  /** PGLAZYFREE: folios MADV_FREE put on the lazy-free list. */
  pglazyfree: number;
  /** PGLAZYFREED: lazily freed folios discarded by reclaim. */
  pglazyfreed: number;
  /** nr_lazyfree_fail: lazily freed folios found re-dirtied (swap-backed again). */
  nr_lazyfree_fail: number;
  /** PGSCAN_{KSWAPD,DIRECT} (anon + file). */
  pgscan_kswapd: number;
  pgscan_direct: number;
  /** PGSTEAL_{KSWAPD,DIRECT}. */
  pgsteal_kswapd: number;
  pgsteal_direct: number;
  /** PSWPOUT is the swap device's (swap_info.pswpout). PGACTIVATE: second chances given. */
  pgactivate: number;
}

export class Lruvec {
  /** LRU_INACTIVE_FILE as a FIFO: entries [head, tail) of pfns/seqs, oldest first. */
  private pfns = new Int32Array(1024);
  private seqs = new Uint32Array(1024);
  private head = 0;
  private tail = 0;
  /** The sequence of each frame's current list entry (0: none). */
  private frame_seq = new Uint32Array(1024);
  private next_seq = 0;
  readonly stat: ReclaimStat = { pglazyfree: 0, pglazyfreed: 0, nr_lazyfree_fail: 0, pgscan_kswapd: 0, pgscan_direct: 0, pgsteal_kswapd: 0, pgsteal_direct: 0, pgactivate: 0 };

  constructor(private readonly k: Kernel) {}

  /** Entries on the list, stale ones not yet met included (the scan quota's lru_size). */
  get size(): number {
    return this.tail - this.head;
  }

  /** list_add_tail(): `pfn` becomes the newest entry; an older entry of it goes stale. */
  add_tail(pfn: number): void {
    if (pfn >= this.frame_seq.length) {
      let n = this.frame_seq.length;
      while (n <= pfn) n *= 2;
      const g = new Uint32Array(n);
      g.set(this.frame_seq);
      this.frame_seq = g;
    }
    if (this.tail === this.pfns.length) this.compact();
    const seq = ++this.next_seq;
    this.frame_seq[pfn] = seq;
    this.pfns[this.tail] = pfn;
    this.seqs[this.tail++] = seq;
  }

  /** Whether entry i still stands for a lazily freed folio on the list. */
  private live(i: number): boolean {
    const pfn = this.pfns[i];
    const f = this.k.frames;
    return this.frame_seq[pfn] === this.seqs[i] && f.get_type(pfn) === PG_ANON && (f.get_flags(pfn) & PF_LAZYFREE) !== 0;
  }

  /** isolate_lru_folios(): takes up to `nr` live folios from the oldest end. */
  isolate(nr: number): number[] {
    const out: number[] = [];
    while (out.length < nr && this.head < this.tail) {
      const i = this.head++;
      if (this.live(i)) {
        out.push(this.pfns[i]);
        this.frame_seq[this.pfns[i]] = 0; // off the list while isolated
      }
    }
    if (this.head === this.tail) this.head = this.tail = 0;
    return out;
  }

  /** The live entries, oldest first (tests, reports). */
  entries(): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.tail; i++) if (this.live(i)) out.push(this.pfns[i]);
    return out;
  }

  /** Drop stale entries; grow when the live ones fill more than half. */
  private compact(): void {
    let w = 0;
    for (let i = this.head; i < this.tail; i++)
      if (this.live(i)) {
        this.pfns[w] = this.pfns[i];
        this.seqs[w++] = this.seqs[i];
      }
    this.head = 0;
    this.tail = w;
    if (w * 2 > this.pfns.length) {
      const p = new Int32Array(this.pfns.length * 2);
      const q = new Uint32Array(this.pfns.length * 2);
      p.set(this.pfns.subarray(0, w));
      q.set(this.seqs.subarray(0, w));
      this.pfns = p;
      this.seqs = q;
    }
  }
}

const lruvecs = new WeakMap<Kernel, Lruvec>();

/** mem_cgroup_lruvec(NULL, NODE_DATA(0)): the machine's one lruvec. */
export function node_lruvec(k: Kernel): Lruvec {
  let l = lruvecs.get(k);
  if (!l) {
    l = new Lruvec(k);
    lruvecs.set(k, l);
  }
  return l;
}

/**
 * folio_mark_lazyfree() → lru_lazyfree(): called by MADV_FREE for an order-0
 * anon folio *before* it sets PF_LAZYFREE. A folio already lazily free
 * (!swapbacked) stays where it is, as in Linux; a swap-backed one goes to the
 * list's tail (newest).
 */
export function lru_lazyfree(k: Kernel, folio: number): void {
  if (k.frames.get_flags(folio) & PF_LAZYFREE) return;
  const l = node_lruvec(k);
  l.add_tail(folio);
  l.stat.pglazyfree++;
}

/** Per-kernel state kept outside the Kernel object: the explorer's post-setup snapshot copies it with the kernel (check/setup_snapshot.ts). */
export const LRUVECS_SIDE_TABLE: WeakMap<object, unknown> = lruvecs as WeakMap<object, unknown>;
