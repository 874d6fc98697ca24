# Read faults on never-written shared anonymous memory (shmem allocates a page per fault, no zero page), then write and discard.
mmap shm 2M shared @0x200000000000
status before
touch shm 0 1M read
status read
touch shm 0 2M write 64K
status written
madvise shm 0 2M dontneed
status discarded
touch shm 0 2M read 64K
status reread
