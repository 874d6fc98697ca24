# MADV_PAGEOUT without swap over THPs in pieces: half of one unmapped first (a partially mapped folio: shrink_folio_list splits it at once), one PTE-mapped by an mprotect, one with a hole punched by MADV_DONTNEED, one made cold first, one covered in part (madvise splits it itself).
mmap a 8M hugepage @0x200000000000
status s0
touch a 0 8M write 1M
status touched
munmap a 1M 1M
status unmapped-half
madvise a 0 1M pageout
status pageout-rest
mprotect a 2M 4K r
madvise a 2M 2M pageout
status pte-mapped-ro
madvise a 4M 4K dontneed
madvise a 4M 2M pageout
status hole
madvise a 6M 2M cold
status cold
madvise a 6M 1M pageout
status part
