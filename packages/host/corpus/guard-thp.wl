# A guard region over part of a THP: MADV_GUARD_INSTALL meets the huge PMD, zaps the range (splitting the PMD into the deposited PTE table), then installs the marker; the rest of the folio stays mapped. MADV_GUARD_REMOVE then lets the page fault in again.
mmap heap 4M hugepage @0x200000000000
touch heap 0 4K write
status thp
madvise heap 4K 4K guard_install
status guarded
touch heap 8K 4K write
status neighbour
madvise heap 0 4M guard_remove
touch heap 4K 4K write
status removed
madvise heap 2M 2M guard_install
status guard-untouched-2M
munmap heap 0 4M
status munmap
