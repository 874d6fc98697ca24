# Swap entries under mprotect: change_pte_range keeps them; a read fault in a read-only VMA swaps the page in read-only, a write there is SIGSEGV; back to rw a write swaps in and maps writable.
swapon 64M
mmap heap 4M @0x200000000000
status before
touch heap 0 4M write
madvise heap 0 4M pageout
status pagedout
mprotect heap 0 2M r
status mprotect-r
touch heap 0 1M read
status read-ro
touch heap 0 4K write
status write-ro
mprotect heap 0 2M rw
touch heap 1M 2M write
status write-rw
madvise heap 0 4M dontneed
status dontneed
