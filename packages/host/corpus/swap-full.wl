# A swap area smaller than what MADV_PAGEOUT asks for: 128 KiB holds 31 pages (the first is the header); the pages that find no free slot stay mapped (folio_alloc_swap fails, activate_locked); DONTNEED and swap-in faults of the swapped part lower VmSwap.
swapon 128K
mmap heap 1M @0x200000000000
status before
touch heap 0 1M write
status touched
madvise heap 0 1M pageout
status swap-full
madvise heap 0 64K dontneed
status freed
touch heap 64K 60K read
status swapin
