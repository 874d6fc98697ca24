# The advice that only changes vm_flags (MADV_DONTFORK 10, DOFORK 11, MERGEABLE 12, UNMERGEABLE 13, DONTDUMP 16, DODUMP 17, WIPEONFORK 18, KEEPONFORK 19, RANDOM 1, SEQUENTIAL 2, NORMAL 0): each splits the heap's VMA and returns 0; MADV_WIPEONFORK on shared memory is -EINVAL. None frees a page or a table; MADV_DONTNEED over the split VMAs still does.
mmap heap 64M nohugepage @0x200000000000
mmap shm 4M shared @0x208000000000
touch heap 0 64M write
touch shm 0 4M write
status before
madvise heap 16M 16M 10
madvise heap 16M 16M 18
madvise heap 0 8M 16
madvise heap 8M 8M 12
madvise heap 40M 4M 1
madvise heap 48M 4M 2
status flags
madvise shm 0 2M 18
madvise shm 0 2M 19
madvise shm 0 2M 12
madvise shm 0 2M 10
status shared
madvise heap 4M 56M dontneed
status dontneed
madvise heap 0 64M 11
madvise heap 0 64M 19
madvise heap 0 64M 17
madvise heap 0 64M 13
madvise heap 0 64M 0
touch heap 0 64M write
status cleared
