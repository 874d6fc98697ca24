# Partial discards inside one PTE table: first half, one page, the rest; the table is freed only once empty.
mmap heap 2M @0x200000000000
status before
touch heap 0 2M
status touched
madvise heap 0 1M dontneed
status half
madvise heap 1M 4K dontneed
status page
madvise heap 1M+4K 1M-4K dontneed
status rest
touch heap 0 4K
status retouch
madvise heap 0 2M dontneed
status all
