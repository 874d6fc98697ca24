# MADV_COLLAPSE over swap entries: __collapse_huge_page_swapin() swaps them in (RSS +64 kB, VmSwap -64 kB), then the 2 MiB collapses.
swapon 64M
mmap a 4M @0x200000000000
touch a 0 4M write
madvise a 0 64K pageout
status pageout
madvise a 0 4M collapse
status collapsed
