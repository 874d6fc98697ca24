# The advice that only changes vm_flags (MADV_DONTFORK, DOFORK, MERGEABLE, UNMERGEABLE, DONTDUMP, DODUMP, WIPEONFORK, KEEPONFORK, RANDOM, SEQUENTIAL, NORMAL): each splits the heap's VMA and returns 0; MADV_WIPEONFORK on shared memory is -EINVAL. None frees a page or a table; MADV_DONTNEED over the split VMAs still does.
mmap heap 64M nohugepage @0x200000000000
mmap shm 4M shared @0x208000000000
touch heap 0 64M write
touch shm 0 4M write
status before
madvise heap 16M 16M dontfork
madvise heap 16M 16M wipeonfork
madvise heap 0 8M dontdump
madvise heap 8M 8M mergeable
madvise heap 40M 4M random
madvise heap 48M 4M sequential
status flags
madvise shm 0 2M wipeonfork
madvise shm 0 2M keeponfork
madvise shm 0 2M mergeable
madvise shm 0 2M dontfork
status shared
madvise heap 4M 56M dontneed
status dontneed
madvise heap 0 64M dofork
madvise heap 0 64M keeponfork
madvise heap 0 64M dodump
madvise heap 0 64M unmergeable
madvise heap 0 64M normal
touch heap 0 64M write
status cleared
