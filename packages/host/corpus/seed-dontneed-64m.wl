# Seed loop (touch 2M, MADV_DONTNEED it) over 64M at a fixed address: PTE tables freed by pt-reclaim, PMD+PUD stay until munmap.
mmap heap 64M @0x200000000000
status before
repeat 32
  touch heap i*2M 2M
  madvise heap i*2M 2M dontneed
end
status after
munmap heap 0 64M
status unmapped
