# mprotect r on a middle range splits the VMA in three, mprotect rw merges it back; writes to the r part fault with SIGSEGV; discards across the former split.
mmap heap 6M @0x200000000000
status before
touch heap 0 6M
status touched
mprotect heap 1M 2M r
status split
touch heap 2M 4K write
touch heap 2M 4K read
mprotect heap 1M 2M rw
status merged
touch heap 2M 4K write
madvise heap 0 6M dontneed
status discarded
mprotect heap 0 6M r
touch heap 0 6M read
status readonly-read
