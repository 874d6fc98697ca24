# Known gap (known-gaps.json): 16 pages MADV_FREE'd, then memory pressure. On Linux they are still in the
# CPU's lru_lazyfree folio batch (31 folios), which reclaim drains only when it scans a list; the list being
# empty, it reclaims none of them. The model has no per-CPU folio batches: it reclaims all 16.
mmap a 6M @0x200000000000
touch a 0 6M write 128K
status touched
madvise a 4M 2M free
status freed
reclaim 64G
status reclaimed
