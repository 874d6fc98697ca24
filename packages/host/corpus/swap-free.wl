# MADV_FREE over swapped-out pages: madvise_free_pte_range clears the swap entries and frees their slots (VmSwap drops at once, no swap-in); a later read of that part sees zero pages, the rest swaps back in.
swapon 64M
mmap heap 4M @0x200000000000
status before
touch heap 0 4M write
madvise heap 0 4M pageout
status pagedout
madvise heap 0 1M free
status freed
touch heap 0 2M read
status reread
madvise heap 1M 3M free
status freed-rest
