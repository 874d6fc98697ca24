# Seed loop with MADV_FREE over 64M: lazily freed pages stay mapped (no memory pressure), so RSS and PTE tables stay.
mmap heap 64M @0x200000000000
status before
repeat 32
  touch heap i*2M 2M
  madvise heap i*2M 2M free
end
status after
munmap heap 0 64M
status unmapped
