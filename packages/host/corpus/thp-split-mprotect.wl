# THP split by mprotect of a part of a huge page (split_huge_pmd), and MADV_NOHUGEPAGE on a part of a hugepage VMA.
mmap heap 4M hugepage @0x200000000000
status before
touch heap 0 4M
status touched
mprotect heap 0 1M r
status split
madvise heap 2M 1M nohugepage
touch heap 2M 4K
status nohuge
munmap heap 0 4M
status unmapped
