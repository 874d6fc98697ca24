# MAP_FIXED_NOREPLACE collisions (EEXIST, never clobbering): same address, overlapping start, overlapping end; the failed names are MAP_FAILED.
mmap a 4M @0x200000000000
touch a 0 4M
status before
mmap b 4M @0x200000000000
mmap c 4M @0x200000000000-2M
mmap d 4M @0x200000000000+3M
mmap e 2M @0x200000000000+4M
touch e 0 2M
status after
touch b 0 4K
madvise b 0 4K dontneed
munmap c 0 4K
mprotect d 0 4K r
madvise a 0 4M dontneed
status end
