# munmap of a whole 1G (PUD) range in the middle of a 3G mapping touched every 2M: its 512 PTE tables and its PMD table go.
mmap heap 3G @0x200000000000
status before
touch heap 0 3G write 2M
status touched
munmap heap 1G 1G
status middle
munmap heap 0 1G
status first
munmap heap 2G 1G
status last
