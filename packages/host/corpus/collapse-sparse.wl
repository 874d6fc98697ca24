# MADV_COLLAPSE with none and zero-page PTEs (any number: the sysfs max_ptes_none binds khugepaged only): they become zeroed subpages (RSS +1 MiB). 6.18: a range only read collapses too (no writable PTE needed). A 2 MiB without a PTE table is -EINVAL and stops the walk; a range inside one 2 MiB is -EINVAL, an empty aligned one 0.
mmap heap 8M @0x200000000000
touch heap 0 1M write
touch heap 1M 512K read
status sparse
madvise heap 0 2M collapse
status collapsed
touch heap 2M 2M read
madvise heap 2M 2M collapse
status all-zero-ro
madvise heap 4M 2M collapse
status no-table
madvise heap 4K 8K collapse
madvise heap 2M 4K collapse
status small-ranges
touch heap 6M 4K write
madvise heap 4M 4M collapse
status first-none-stops
madvise heap 2M 6M collapse
status ro-then-ok
munmap heap 0 8M
status unmapped
