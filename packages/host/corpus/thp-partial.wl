# THP with partial discards: MADV_DONTNEED of 1M inside a huge page splits the PMD mapping into PTEs (using the deposited table).
mmap heap 6M hugepage @0x200000000000
status before
touch heap 0 6M
status touched
madvise heap 0 1M dontneed
status half-huge
madvise heap 1M 1M dontneed
status rest-of-first
madvise heap 3M 2M dontneed
status straddle
madvise heap 0 6M dontneed
status all
