# A mapping straddling a 1G boundary (two PMD tables under one PUD table) and one straddling a 512G boundary (two PUD tables).
mmap a 4M @0x200040000000-2M
mmap b 4M @0x208000000000-2M
status before
touch a 0 4M write 1M
status a
touch b 0 4M write 1M
status b
madvise a 0 4M dontneed
madvise b 0 4M dontneed
status discarded
munmap a 0 2M
munmap b 2M 2M
status halves
