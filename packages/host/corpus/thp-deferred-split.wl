# THPs left partly mapped (a page munmapped, part MADV_DONTNEED'd, a guard page) go on the deferred split
# queue (__folio_remove_rmap -> deferred_split_folio); memory pressure runs its shrinker (deferred_split_scan):
# each is split, the unmapped subpages freed and the mapped ones holding only zeroes mapped to the shared zero
# page (6.12+), so VmRSS drops to the written pages. Found by `mmsim check-host --random` (seed 2, case 266).
mmap a 4M hugepage @0x200000000000
mmap b 2M hugepage @0x208000000000
status s0
touch a 0 4M write 1M
touch b 0 4K write
status touched
munmap a 1020K 8K
madvise a 3M 4K dontneed
madvise b 8K 4K guard_install
mprotect a 2M 1M r
status partial
reclaim 64G
status reclaimed
touch a 2M 2M read
touch a 0 1M write 64K
status retouched
