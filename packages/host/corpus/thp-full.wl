# THP (MADV_HUGEPAGE at mmap): write faults map 2M pages with a deposited PTE table each; MADV_DONTNEED of whole huge pages.
mmap heap 8M hugepage @0x200000000000
status before
touch heap 0 4M
status two-huge
touch heap 4M 4M write 2M
status four-huge
madvise heap 0 8M dontneed
status discarded
touch heap 0 2M
status retouched
munmap heap 0 8M
status unmapped
