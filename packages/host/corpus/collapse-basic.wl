# MADV_COLLAPSE of 4 MiB written (no MADV_HUGEPAGE: THP enabled=madvise does not matter to it): two THPs, RSS and VmPTE unchanged (the PTE tables are deposited, not freed); again: already PMD-mapped, 0; MADV_DONTNEED of one THP frees its deposit.
mmap heap 4M @0x200000000000
touch heap 0 4M write
status touched
madvise heap 0 4M collapse
status collapsed
madvise heap 0 4M collapse
status again
madvise heap 0 2M dontneed
status dontneed
munmap heap 0 4M
status unmapped
