# Syscalls on a name whose mmap failed (bound to MAP_FAILED = -1): at offset 0 the address is unaligned (EINVAL); at offset 1 it is 0, page aligned.
mmap a 4M @0x200000000000
mmap b 4M @0x200000000000
status before
madvise b 0 4K dontneed
munmap b 0 4K
mprotect b 0 4K r
touch b 0 0
madvise b 1 4K dontneed
munmap b 1 4K
mprotect b 1 4K r
status after
