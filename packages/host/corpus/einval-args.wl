# Misaligned and zero-length arguments: EINVAL cases of madvise/munmap/mprotect/mmap; madvise with length 0 is ok (if aligned).
mmap heap 4M @0x200000000000
status before
touch heap 0 4M
madvise heap 1 4K dontneed
madvise heap 0 0 dontneed
madvise heap 1 0 dontneed
madvise heap 0 1 dontneed
munmap heap 1 4K
munmap heap 0 0
mprotect heap 2K 4K r
mprotect heap 0 0 r
mprotect heap 0 1 r
mmap zero 0 @0x208000000000
mmap odd 4K @0x210000000800
status after
munmap heap 4M-1 1
mprotect heap 0 4M-1 none
touch heap 0 4M read
status end
