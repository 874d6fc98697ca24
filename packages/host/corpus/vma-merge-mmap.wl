# Adjacent fixed mmaps merge into one VMA (a 2M DONTNEED then frees the table); with different protections they stay two VMAs (it does not).
mmap a 1M @0x200000000000
mmap b 1M @0x200000100000
mmap c 1M @0x208000000000
mmap d 1M r @0x208000100000
status before
touch a 0 1M
touch b 0 1M
touch c 0 1M
touch d 0 1M read
status touched
madvise a 0 2M dontneed
status merged-discard
madvise c 0 2M dontneed
status split-discard
munmap a 0 2M
munmap c 0 2M
status unmapped
