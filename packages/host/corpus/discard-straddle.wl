# MADV_DONTNEED ranges straddling PMD boundaries: [1M,3M) empties half of two tables, then [0,1M) and [3M,4M) finish them.
mmap heap 6M @0x200000000000
status before
touch heap 0 6M
status touched
madvise heap 1M 2M dontneed
status straddle
madvise heap 0 1M dontneed
status first
madvise heap 3M 1M dontneed
status second
madvise heap 0 6M dontneed
status all
