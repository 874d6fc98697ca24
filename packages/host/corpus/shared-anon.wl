# Shared anonymous memory (shmem): write, MADV_DONTNEED (the pages stay in the shmem file, only unmapped), re-touch by writing.
mmap shm 4M shared @0x200000000000
status before
touch shm 0 4M
status touched
madvise shm 0 4M dontneed
status discarded
touch shm 0 4M
status retouched
madvise shm 0 2M dontneed
status half
munmap shm 0 4M
status unmapped
