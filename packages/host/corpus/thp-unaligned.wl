# THP on a mapping not 2M aligned: only the PMD-aligned 2M inside can be a huge page; the edges use 4K pages.
mmap heap 4M hugepage @0x200000001000
status before
touch heap 0 4M
status touched
madvise heap 0 4M dontneed
status discarded
mmap big 5M hugepage @0x208000100000
touch big 0 5M
status big
munmap big 1M 2M
status hole
