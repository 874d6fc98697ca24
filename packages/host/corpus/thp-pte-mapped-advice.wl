# MADV_COLD and MADV_FREE over a whole THP that is PTE-mapped (its PMD split by an mprotect, undone) keep the folio whole: madvise_folio_pte_batch() covers all its PTEs, nothing is split (MADV_PAGEOUT then splits it in reclaim, no swap); MADV_FREE over part of a huge zero page PMD leaves it alone (madvise_free_huge_pmd: is_huge_zero_pmd), so a later write there still gets a THP.
mmap a 8M hugepage @0x200000000000
touch a 0 4M write 1M
mprotect a 0 4K r
mprotect a 0 4K rw
mprotect a 2M 4K r
mprotect a 2M 4K rw
status s0
madvise a 0 2M cold
status cold
madvise a 2M 2M free
status free
touch a 2M 4K write
madvise a 2M 2M pageout
status pageout
touch a 4M 2M read 1M
status zero
madvise a 4M 4K free
status free-zero-part
touch a 4M+8K 4K write
status write-zero
madvise a 0 8M dontneed
status end
