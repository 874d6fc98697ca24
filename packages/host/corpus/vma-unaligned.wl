# VMAs not 2M aligned: a 3M mapping starting 4K past a PMD boundary spans three PTE tables; discards of its ends and middle.
mmap heap 3M @0x200000001000
status before
touch heap 0 3M
status touched
madvise heap 0 2M-4K dontneed
status first-table
madvise heap 2M-4K 2M dontneed
status second-table
madvise heap 4M-4K 4K dontneed
status tail
touch heap 0 3M read 256K
status reread
munmap heap 0 3M
status unmapped
