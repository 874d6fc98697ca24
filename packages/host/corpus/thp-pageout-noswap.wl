# MADV_PAGEOUT without swap over whole anon THPs: shrink_folio_list() cannot swap a THP (folio_alloc_swap fails), splits it (split_folio_to_list) and maps its zero-filled subpages to the shared zero page; the written pages stay. A THP whose PMD was split before (PTE-mapped, folio whole) is split the same way; a fully written one keeps all its pages; a huge zero page is left alone; a lazily freed clean one is discarded.
mmap a 12M hugepage @0x200000000000
status before
touch a 0 10M write 1M
touch a 10M 2M read
status touched
madvise a 0 2M pageout
status whole
mprotect a 2M 4K r
mprotect a 2M 4K rw
status pmd-split
madvise a 2M 2M pageout
status pte-mapped
touch a 4M 2M write
madvise a 4M 2M pageout
status full
madvise a 6M 1M pageout
status partial
madvise a 8M 2M free
madvise a 8M 2M pageout
status lazy
madvise a 10M 2M pageout
status zero
touch a 0 12M read 256K
status reread
touch a 0 12M write 256K
status rewrite
munmap a 0 12M
status end
