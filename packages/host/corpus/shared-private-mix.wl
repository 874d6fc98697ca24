# A shared and a private mapping adjacent in one PTE table (two VMAs that cannot merge): discards of each, then of both with one call.
mmap p 1M @0x200000000000
mmap s 1M shared @0x200000100000
status before
touch p 0 1M
touch s 0 1M
status touched
madvise p 0 1M dontneed
status private-gone
madvise p 0 2M dontneed
status both
touch p 0 1M read
touch s 0 1M read
status reread
munmap p 0 2M
status unmapped
