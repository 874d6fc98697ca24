# 4M of anonymous memory in a PGD slot (512 GiB) nothing else uses.
status start
mmap buf 4M @0x200000000000
touch buf 0 4M
status touched
# MAP_FIXED_NOREPLACE over buf fails with EEXIST: an error line.
mmap again 4K @0x200000000000
madvise buf 0 4M dontneed
status dropped
munmap buf 0 4M
status unmapped
