# THP and pt-reclaim: a 2M range already holding a PTE table gets 4K pages even after MADV_HUGEPAGE; once MADV_DONTNEED frees the table, the next fault maps a huge page.
mmap heap 4M @0x200000000000
touch heap 0 4K
status before
madvise heap 0 4M hugepage
touch heap 0 4M write 1M
status mixed
madvise heap 0 2M dontneed
status reclaimed
touch heap 0 4K
status huge-again
madvise heap 0 1M dontneed
madvise heap 1M 1M dontneed
status split-discard
