# MADV_FREE of part of a THP splits it first (madvise_free_pte_range); the lazily freed order-0 pages must
# be found by reclaim's rmap walk afterwards: each split page's index is its own (head's plus its offset),
# else only the head page would be discarded.
mmap a 4M hugepage @0x200000000000
touch a 0 4M write
status s0
madvise a 0 1M free
status freed
reclaim 64G
status reclaimed
