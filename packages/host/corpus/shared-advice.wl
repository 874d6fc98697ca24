# Advice on shared anonymous memory: MADV_FREE is EINVAL, MADV_PAGEOUT/COLD (no swap: nothing freed), MADV_HUGEPAGE, mprotect r then write (SIGSEGV).
mmap shm 4M shared @0x200000000000
status before
touch shm 0 4M
status touched
madvise shm 0 4M free
madvise shm 0 4M cold
madvise shm 0 4M pageout
status advised
madvise shm 0 4M hugepage
touch shm 0 4M
status hugepage
mprotect shm 0 1M r
touch shm 0 4K write
touch shm 0 4K read
munmap shm 1M 2M
status partial-unmap
