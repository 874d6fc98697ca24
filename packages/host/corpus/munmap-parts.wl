# munmap of parts: one page in the middle (VMA split), a 2M-aligned PMD range (its PTE table freed), the head, then the rest.
mmap heap 8M @0x200000000000
status before
touch heap 0 8M
status touched
munmap heap 3M 4K
status page
munmap heap 4M 2M
status pmd
munmap heap 0 1M
status head
touch heap 3M 4K
touch heap 1M 1M
status retouch
munmap heap 0 8M
status all
