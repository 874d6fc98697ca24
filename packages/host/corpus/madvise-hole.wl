# A madvise range with holes: ENOMEM, yet every mapped part is discarded (partial effect); munmap over a hole is fine.
mmap heap 8M @0x200000000000
status before
touch heap 0 8M
status touched
munmap heap 2M 1M
munmap heap 5M 2M
status holes
madvise heap 0 8M dontneed
status discarded
touch heap 0 1M
madvise heap 0 3M free
status free-hole
madvise heap 2M 1M dontneed
status only-hole
munmap heap 0 8M
status unmapped
