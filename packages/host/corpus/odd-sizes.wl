# Lengths that are not page multiples: mmap 5000 bytes (two pages), touches at the edge, munmap/mprotect/madvise lengths rounded up; munmap beyond TASK_SIZE is EINVAL.
mmap a 5000 @0x200000000000
status before
touch a 0 8K
status touched
touch a 8K 1
mprotect a 0 1 r
touch a 0 1 write
touch a 4K 1 write
madvise a 4K 1 dontneed
status rounded
munmap a 0 4097
status unmapped
mmap b 4K @0x208000000000
munmap b 0 0x700000000000
status end
